"""Where the layouts of synthetic features come from, sampled on the device.

He, Schiele and Fritz, "Synthetic Convolutional Features for Improved
Semantic Segmentation" (2018) generate features from label
masks: the masks of the training batch, and masks from elsewhere (other
label maps, confident pseudo-labels). Each source here hands out label
masks (class indices, ``ignore_index`` for unlabelled pixels) as one
(num, H, W) int64 tensor on the device of the training batch, drawn and
cropped in a few vectorised tensor operations: no Python loop per mask,
nothing read back to the host. :class:`LayoutSampler` (layout_sampler.py)
draws from several sources by weight. All are registered in mmseg's
``TASK_UTILS`` (as its pixel samplers are) and built from configs.
"""
import glob
import os.path as osp
from typing import List, Optional, Sequence

import numpy as np
import torch
import torch.nn as nn
from mmcv import imread
from mmseg.registry import DATASETS, TASK_UTILS

from ...utils import DataError

__all__ = [
    'fit_masks', 'MaskSource', 'BatchMaskSource', 'BankMaskSource',
    'DatasetMaskSource', 'FolderMaskSource', 'PseudoLabelMaskSource'
]


def fit_masks(masks: torch.Tensor,
              size: Sequence[int],
              ignore_index: int = 255,
              sizes: Optional[torch.Tensor] = None) -> torch.Tensor:
    """Random crops of a stack of masks to ``size``, padded where smaller.

    One vectorised gather: each mask gets its own random offset (drawn on
    the masks' device) inside its own extent.

    Args:
        masks (Tensor): Label masks, padded to a common size.
        size (Sequence[int]): Target (h, w).
        ignore_index (int): Padding label. Defaults to 255.
        sizes (Tensor, optional): True (height, width) of each mask inside
            the stack, int64 on the masks' device. Defaults to None (the
            stack's size).

    Returns:
        Tensor: The crops, same dtype as ``masks``.

    Shape:
        - masks: (N, H, W); sizes: (N, 2)
        - output: (N, h, w)
    """
    n, height, width = masks.shape
    h, w = int(size[0]), int(size[1])
    if (height, width) == (h, w) and sizes is None:
        return masks
    if height < h or width < w:
        padded = masks.new_full((n, max(height, h), max(width, w)),
                                ignore_index)
        padded[:, :height, :width] = masks
        masks = padded
    device = masks.device
    if sizes is None:
        top = torch.randint(max(height - h + 1, 1), (n, ), device=device)
        left = torch.randint(max(width - w + 1, 1), (n, ), device=device)
    else:
        span_h = (sizes[:, 0] - h + 1).clamp(min=1)
        span_w = (sizes[:, 1] - w + 1).clamp(min=1)
        top = (torch.rand(n, device=device) * span_h).long()
        left = (torch.rand(n, device=device) * span_w).long()
    rows = top[:, None] + torch.arange(h, device=device)
    cols = left[:, None] + torch.arange(w, device=device)
    index = torch.arange(n, device=device)[:, None, None]
    return masks[index, rows[:, :, None], cols[:, None, :]]


class MaskSource:
    """A source of masks, drawn with probability proportional to ``weight``.

    Args:
        weight (float): Sampling weight among sources. Defaults to 1.0.
    """

    def __init__(self, weight: float = 1.0) -> None:
        if weight <= 0:
            raise ValueError(
                f'A mask source weight must be > 0, got {weight}.')
        self.weight = weight

    def prepare(self, segmentor: Optional[nn.Module] = None) -> None:
        """Load what the source needs, once, before training."""

    def sample(self, num: int, batch_masks: torch.Tensor) -> torch.Tensor:
        """``num`` masks of the size of the batch, on its device.

        Args:
            num (int): How many.
            batch_masks (Tensor): Labels of the training batch, (N, H, W).

        Returns:
            Tensor: (num, H, W) int64 labels.
        """
        raise NotImplementedError


@TASK_UTILS.register_module()
class BatchMaskSource(MaskSource):
    """The masks of the current training batch: the training set's layouts.

    Draws without replacement while ``num`` <= the batch size, so the
    synthetic samples of one iteration have different layouts.

    Args:
        weight (float): Sampling weight. Defaults to 1.0.
    """

    def sample(self, num: int, batch_masks: torch.Tensor) -> torch.Tensor:
        n = batch_masks.size(0)
        device = batch_masks.device
        if num <= n:
            index = torch.randperm(n, device=device)[:num]
        else:
            index = torch.randint(n, (num, ), device=device)
        return batch_masks[index].long()


class BankMaskSource(MaskSource):
    """A fixed set of masks kept in one padded tensor (a bank).

    Subclasses give the masks (:meth:`load_masks`); they are stacked once,
    padded with ``ignore_index`` to the largest, as uint8, and moved to the
    training device at the first draw; each draw is a random crop of the
    batch's size (:func:`fit_masks`), padded where a mask is smaller.

    Args:
        max_masks (int, optional): Masks kept at most (a random subset,
            seed 0); bounds the bank's memory (H x W bytes per mask).
            Defaults to None (all).
        ignore_index (int): Label of unlabelled and padded pixels.
            Defaults to 255.
        weight (float): Sampling weight. Defaults to 1.0.
    """

    def __init__(self,
                 max_masks: Optional[int] = None,
                 ignore_index: int = 255,
                 weight: float = 1.0) -> None:
        super().__init__(weight)
        self.max_masks = max_masks
        self.ignore_index = ignore_index
        self.bank: Optional[torch.Tensor] = None
        self.sizes: Optional[torch.Tensor] = None

    def load_masks(self,
                   segmentor: Optional[nn.Module] = None) -> List[np.ndarray]:
        """The masks, (H_i, W_i) class indices each."""
        raise NotImplementedError

    def subset(self, count: int) -> List[int]:
        """Indices of the masks to load out of ``count``."""
        if self.max_masks is None or count <= self.max_masks:
            return list(range(count))
        rng = np.random.default_rng(0)
        return sorted(rng.choice(count, self.max_masks, replace=False))

    def prepare(self, segmentor: Optional[nn.Module] = None) -> None:
        if self.bank is not None:
            return
        masks = [np.asarray(m) for m in self.load_masks(segmentor)]
        if not masks:
            raise DataError(
                f'{type(self).__name__} found no masks.',
                fix='Point it at label maps or remove it from '
                'the layout sampler sources.')
        for mask in masks:
            if mask.ndim != 2 or mask.max() > 255 or mask.min() < 0:
                raise DataError(
                    f'{type(self).__name__}: a mask of shape {mask.shape} '
                    f'with values {mask.min()}..{mask.max()} is not a '
                    'single-channel label map of class indices 0-255.',
                    fix='Store class indices, one channel, with the ignore '
                    'value for unlabelled pixels.')
        height = max(m.shape[0] for m in masks)
        width = max(m.shape[1] for m in masks)
        bank = torch.full((len(masks), height, width),
                          self.ignore_index,
                          dtype=torch.uint8)
        for i, mask in enumerate(masks):
            bank[i, :mask.shape[0], :mask.shape[1]] = torch.from_numpy(
                mask.astype(np.uint8))
        self.bank = bank
        self.sizes = torch.tensor([m.shape for m in masks], dtype=torch.long)

    def __len__(self) -> int:
        return 0 if self.bank is None else self.bank.size(0)

    def sample(self, num: int, batch_masks: torch.Tensor) -> torch.Tensor:
        if self.bank is None:
            self.prepare()
        device = batch_masks.device
        if self.bank.device != device:
            self.bank = self.bank.to(device)
            self.sizes = self.sizes.to(device)
        index = torch.randint(len(self), (num, ), device=device)
        crops = fit_masks(self.bank[index], batch_masks.shape[-2:],
                          self.ignore_index, self.sizes[index])
        return crops.long()


def _mask_of(results: dict) -> np.ndarray:
    if 'gt_seg_map' in results:
        return np.asarray(results['gt_seg_map'])
    if 'data_samples' in results:
        return results['data_samples'].gt_sem_seg.data[0].numpy()
    raise DataError(
        'The mask dataset pipeline gives neither `gt_seg_map` nor packed '
        '`data_samples`.',
        fix='Use a pipeline that loads the annotations, e.g. '
        "[dict(type='LoadCheckedAnnotations')].")


@TASK_UTILS.register_module()
class DatasetMaskSource(BankMaskSource):
    """Masks of an mmseg dataset (e.g. the val split's label maps).

    The dataset's pipeline must give ``gt_seg_map`` (e.g.
    ``[dict(type='LoadCheckedAnnotations')]``) or packed
    ``data_samples.gt_sem_seg``.

    Args:
        dataset (dict): Dataset config.
        **kwargs: ``max_masks``, ``ignore_index``, ``weight`` of
            :class:`BankMaskSource`.
    """

    def __init__(self, dataset: dict, **kwargs) -> None:
        super().__init__(**kwargs)
        self.dataset_cfg = dataset

    def load_masks(self,
                   segmentor: Optional[nn.Module] = None) -> List[np.ndarray]:
        dataset = DATASETS.build(self.dataset_cfg)
        return [_mask_of(dataset[i]) for i in self.subset(len(dataset))]


@TASK_UTILS.register_module()
class FolderMaskSource(BankMaskSource):
    """Label maps in a folder, e.g. the output of LabelRecomposition.

    Files hold class indices (0 .. K-1) with ``ignore_index`` for
    unlabelled pixels, as mmseg's converted datasets do.

    Args:
        path (str): Folder of label maps (searched recursively).
        suffix (str): File suffix. Defaults to ``'.png'``.
        **kwargs: ``max_masks``, ``ignore_index``, ``weight`` of
            :class:`BankMaskSource`.
    """

    def __init__(self, path: str, suffix: str = '.png', **kwargs) -> None:
        super().__init__(**kwargs)
        self.path = path
        self.suffix = suffix

    def load_masks(self,
                   segmentor: Optional[nn.Module] = None) -> List[np.ndarray]:
        files = sorted(
            glob.glob(
                osp.join(self.path, '**', '*' + self.suffix), recursive=True))
        if not files:
            raise DataError(
                f'No `*{self.suffix}` label maps in `{self.path}`.',
                fix='Point the folder mask source at label maps or remove '
                'it from the layout sampler sources.')
        masks = []
        for i in self.subset(len(files)):
            mask = imread(files[i], 'unchanged')
            if mask.ndim != 2:
                raise DataError(
                    f'`{files[i]}` is not a single-channel label map.',
                    fix='Store class indices, one channel, not colours.')
            masks.append(mask)
        return masks


@TASK_UTILS.register_module()
class PseudoLabelMaskSource(BankMaskSource):
    """Pseudo-labels of unlabelled images by the segmentor being fine-tuned.

    Predicted once, before training, by the loaded (trained) segmentor;
    pixels whose top softmax probability is below ``threshold`` become
    ``ignore_index``.

    Args:
        dataset (dict): Dataset config of the images; its pipeline packs
            them (``PackSegInputs``) as a test pipeline does.
        threshold (float): Confidence a pixel needs to keep its label.
            Defaults to 0.9.
        max_images (int, optional): Images used at most (the first ones).
            Defaults to None.
        **kwargs: ``ignore_index``, ``weight`` of :class:`BankMaskSource`.
    """

    def __init__(self,
                 dataset: dict,
                 threshold: float = 0.9,
                 max_images: Optional[int] = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if not 0 < threshold <= 1:
            raise ValueError(f'threshold must be in (0, 1], got {threshold}.')
        self.dataset_cfg = dataset
        self.threshold = threshold
        self.max_images = max_images

    def prepare(self, segmentor: Optional[nn.Module] = None) -> None:
        if segmentor is None and self.bank is None:
            raise ValueError('PseudoLabelMaskSource needs the segmentor to '
                             'predict with: prepare(segmentor).')
        super().prepare(segmentor)

    @torch.no_grad()
    def load_masks(self, segmentor: nn.Module) -> List[np.ndarray]:
        dataset = DATASETS.build(self.dataset_cfg)
        count = len(dataset) if self.max_images is None else min(
            self.max_images, len(dataset))
        was_training = segmentor.training
        segmentor.eval()
        masks = []
        try:
            for idx in range(count):
                item = dataset[idx]
                sample = segmentor.test_step(
                    dict(
                        inputs=[item['inputs']],
                        data_samples=[item['data_samples']]))[0]
                prob = sample.seg_logits.data.float().softmax(dim=0)
                conf, label = prob.max(dim=0)
                label[conf < self.threshold] = self.ignore_index
                masks.append(label.cpu().numpy())
        finally:
            segmentor.train(was_training)
        return masks
