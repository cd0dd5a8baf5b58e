"""Where the layouts of synthetic features come from.

Used by :class:`FeatureSynthesisHook`; each source hands out label masks
(class indices, ignore 255) as (H, W) int64 tensors. Sources are plain
classes built from dicts by :func:`build_mask_source`, not registered.
"""
import glob
import os.path as osp
import random
from collections import deque
from typing import List, Optional, Sequence

import numpy as np
import torch
import torch.nn as nn
from mmcv import imread
from mmseg.registry import DATASETS

from ...utils import DataError

__all__ = [
    'MaskSource', 'BatchMaskSource', 'DatasetMaskSource', 'FolderMaskSource',
    'PseudoLabelMaskSource', 'build_mask_source', 'fit_mask'
]


def fit_mask(mask: torch.Tensor,
             size: Sequence[int],
             ignore_index: int = 255,
             rng: Optional[random.Random] = None) -> torch.Tensor:
    """Random crop of a mask to ``size``, padded with ``ignore_index``.

    Args:
        mask (Tensor): (H, W) labels.
        size (Sequence[int]): Target (h, w).
        ignore_index (int): Padding label. Defaults to 255.
        rng (random.Random, optional): Random source. Defaults to None.

    Returns:
        Tensor: (h, w) labels.
    """
    rng = rng or random
    h, w = size
    out = mask.new_full((h, w), ignore_index)
    top = rng.randint(0, max(mask.shape[0] - h, 0))
    left = rng.randint(0, max(mask.shape[1] - w, 0))
    crop = mask[top:top + h, left:left + w]
    out[:crop.shape[0], :crop.shape[1]] = crop
    return out


class MaskSource:
    """A source of masks, drawn with probability proportional to ``weight``.

    Args:
        weight (float): Sampling weight among sources. Defaults to 1.0.
    """

    def __init__(self, weight: float = 1.0) -> None:
        if weight <= 0:
            raise ValueError(f'A mask source weight must be > 0, got {weight}.')
        self.weight = weight

    def prepare(self, runner) -> None:
        """Load what the source needs once training starts."""

    def observe(self, masks: List[torch.Tensor]) -> None:
        """See the masks of the current training batch."""

    def __len__(self) -> int:
        raise NotImplementedError

    def draw(self, rng: random.Random) -> torch.Tensor:
        """One mask, (H, W) int64."""
        raise NotImplementedError


class BatchMaskSource(MaskSource):
    """Masks of the training batches: the layouts of the training set.

    For each iteration, the masks of the samples replaced by synthetic
    features are used first (in order); mining and later draws take the
    ``memory`` most recent training masks.

    Args:
        memory (int): Recent training masks kept. Defaults to 64.
        weight (float): Sampling weight. Defaults to 1.0.
    """

    def __init__(self, memory: int = 64, weight: float = 1.0) -> None:
        super().__init__(weight)
        self.masks: deque = deque(maxlen=memory)

    def observe(self, masks: List[torch.Tensor]) -> None:
        self.masks.extend(mask.cpu() for mask in masks)

    def __len__(self) -> int:
        return len(self.masks)

    def draw(self, rng: random.Random) -> torch.Tensor:
        return self.masks[rng.randrange(len(self.masks))]


class DatasetMaskSource(MaskSource):
    """Masks of an mmseg dataset (e.g. the val split's label maps).

    The dataset's pipeline must give ``gt_seg_map`` (e.g.
    ``[dict(type='LoadCheckedAnnotations')]``) or packed
    ``data_samples.gt_sem_seg``.

    Args:
        dataset (dict): Dataset config.
        weight (float): Sampling weight. Defaults to 1.0.
    """

    def __init__(self, dataset: dict, weight: float = 1.0) -> None:
        super().__init__(weight)
        self.dataset_cfg = dataset
        self.dataset = None

    def prepare(self, runner) -> None:
        self.dataset = DATASETS.build(self.dataset_cfg)

    def __len__(self) -> int:
        return len(self.dataset)

    def draw(self, rng: random.Random) -> torch.Tensor:
        results = self.dataset[rng.randrange(len(self.dataset))]
        if 'gt_seg_map' in results:
            return torch.from_numpy(np.ascontiguousarray(
                results['gt_seg_map'])).long()
        if 'data_samples' in results:
            return results['data_samples'].gt_sem_seg.data[0].long()
        raise DataError(
            'The mask dataset pipeline gives neither `gt_seg_map` nor '
            'packed `data_samples`.',
            fix='Use a pipeline that loads the annotations, e.g. '
            "[dict(type='LoadCheckedAnnotations')].")


class FolderMaskSource(MaskSource):
    """Label maps in a folder, e.g. the output of LabelRecomposition.

    Files hold class indices (0 .. K-1) with ``ignore_index`` for
    unlabelled pixels, as mmseg's converted datasets do.

    Args:
        path (str): Folder of label maps.
        suffix (str): File suffix. Defaults to ``'.png'``.
        weight (float): Sampling weight. Defaults to 1.0.
    """

    def __init__(self, path: str, suffix: str = '.png',
                 weight: float = 1.0) -> None:
        super().__init__(weight)
        self.path = path
        self.suffix = suffix
        self.files: List[str] = []

    def prepare(self, runner) -> None:
        self.files = sorted(
            glob.glob(osp.join(self.path, '**', '*' + self.suffix),
                      recursive=True))
        if not self.files:
            raise DataError(
                f'No `*{self.suffix}` label maps in `{self.path}`.',
                fix='Point the folder mask source at label maps or remove '
                'it from mask_sources.')

    def __len__(self) -> int:
        return len(self.files)

    def draw(self, rng: random.Random) -> torch.Tensor:
        mask = imread(self.files[rng.randrange(len(self.files))], 'unchanged')
        if mask.ndim != 2:
            raise DataError(
                f'`{self.files[0]}` is not a single-channel label map.',
                fix='Store class indices, one channel, not colours.')
        return torch.from_numpy(mask.astype(np.int64))


class PseudoLabelMaskSource(MaskSource):
    """Pseudo-labels of unlabelled images by the segmentor being fine-tuned.

    Predicted once, before training, by the loaded (trained) segmentor;
    pixels whose top softmax probability is below ``threshold`` become
    ``ignore_index``.

    Args:
        dataset (dict): Dataset config of the images; its pipeline packs
            them (``PackSegInputs``) as a test pipeline does.
        threshold (float): Confidence a pixel needs to keep its label.
            Defaults to 0.9.
        max_images (int, optional): Images used at most. Defaults to None.
        ignore_index (int): Label of unconfident pixels. Defaults to 255.
        weight (float): Sampling weight. Defaults to 1.0.
    """

    def __init__(self,
                 dataset: dict,
                 threshold: float = 0.9,
                 max_images: Optional[int] = None,
                 ignore_index: int = 255,
                 weight: float = 1.0) -> None:
        super().__init__(weight)
        if not 0 < threshold <= 1:
            raise ValueError(f'threshold must be in (0, 1], got {threshold}.')
        self.dataset_cfg = dataset
        self.threshold = threshold
        self.max_images = max_images
        self.ignore_index = ignore_index
        self.masks: List[torch.Tensor] = []

    def prepare(self, runner) -> None:
        model: nn.Module = runner.model
        model = getattr(model, 'module', model)
        dataset = DATASETS.build(self.dataset_cfg)
        count = len(dataset) if self.max_images is None else min(
            self.max_images, len(dataset))
        was_training = model.training
        model.eval()
        with torch.no_grad():
            for idx in range(count):
                item = dataset[idx]
                sample = model.test_step(
                    dict(
                        inputs=[item['inputs']],
                        data_samples=[item['data_samples']]))[0]
                prob = sample.seg_logits.data.softmax(dim=0)
                conf, label = prob.max(dim=0)
                label[conf < self.threshold] = self.ignore_index
                self.masks.append(label.cpu().long())
        model.train(was_training)

    def __len__(self) -> int:
        return len(self.masks)

    def draw(self, rng: random.Random) -> torch.Tensor:
        return self.masks[rng.randrange(len(self.masks))]


_SOURCES = dict(
    batch=BatchMaskSource,
    dataset=DatasetMaskSource,
    folder=FolderMaskSource,
    pseudo_label=PseudoLabelMaskSource)


def build_mask_source(cfg: dict) -> MaskSource:
    """Build a source from ``dict(type=..., **kwargs)``.

    Types: ``'batch'`` (training masks), ``'dataset'`` (e.g. val masks),
    ``'folder'`` (label maps, e.g. LabelRecomposition output),
    ``'pseudo_label'`` (confident predictions on unlabelled images).
    """
    cfg = dict(cfg)
    kind = cfg.pop('type', None)
    if kind not in _SOURCES:
        raise ValueError(f'Unknown mask source type {kind!r}; choose from '
                         f'{sorted(_SOURCES)}.')
    return _SOURCES[kind](**cfg)
