"""Images and label maps to (mask, feature) pairs with a frozen segmentor."""
import copy
import os.path as osp
from typing import Any, Dict, Optional, Sequence, Union

import torch
from mmengine.config import Config, ConfigDict
from mmengine.logging import print_log
from mmengine.model import BaseDataPreprocessor
from mmseg.registry import MODELS

from ...utils import DataError
from ...utils.checkpoint import load_model_checkpoint
from .backbone_split import check_splittable, forward_to_stage

__all__ = ['SegFeatureDataPreProcessor', 'build_frozen_segmentor']


def build_frozen_segmentor(
        segmentor: Union[str, dict],
        size: Optional[Sequence[int]] = None) -> torch.nn.Module:
    """Build a segmentor from a config file or a model config, frozen.

    Pretrained initializations (``pretrained``, ``init_cfg``) are dropped:
    the weights come from a trained checkpoint instead.

    Args:
        segmentor (str | dict): A segmentor config file (its ``model``) or
            a model config.
        size (Sequence[int], optional): Replaces the size the segmentor's
            data preprocessor pads training batches to (the crop size of
            the patches). Defaults to None (kept).

    Returns:
        nn.Module: The segmentor in eval mode, without gradients.
    """
    if isinstance(segmentor, str):
        if not osp.isfile(segmentor):
            raise DataError(
                f'The segmentor config `{segmentor}` does not exist.',
                fix='Give the config the segmentor was trained with.')
        model_cfg = Config.fromfile(segmentor).model
    else:
        model_cfg = ConfigDict(copy.deepcopy(dict(segmentor)))
    model_cfg.pop('pretrained', None)
    model_cfg.pop('init_cfg', None)
    model_cfg.backbone.pop('init_cfg', None)
    model_cfg.backbone.pop('pretrained', None)
    if size is not None and 'data_preprocessor' in model_cfg:
        model_cfg.data_preprocessor.update(size=tuple(size), size_divisor=None)
    model = MODELS.build(model_cfg)
    model.requires_grad_(False)
    model.eval()
    return model


@MODELS.register_module()
class SegFeatureDataPreProcessor(BaseDataPreprocessor):
    """Data preprocessor giving label masks and a frozen segmentor's features.

    The batch (images and ``gt_sem_seg``, e.g. random crops packed by
    ``PackSegInputs``) is normalized and padded by the segmentor's own data
    preprocessor, then the backbone runs up to ``stage_index``. The
    segmentor stays in eval mode and gets no gradients; its checkpoint is
    loaded at the first batch, so configs build without it.

    Args:
        segmentor (str | dict): Config file of the trained segmentor, or
            its model config.
        stage_index (int): Backbone stage whose output is the feature
            (2 is ResNet stage 3, "conv4" in the paper).
        checkpoint (str, optional): Trained segmentor weights. None keeps
            the random initialization (tests only). Defaults to None.
        size (Sequence[int], optional): Padding size of the patches, as
            ``SegDataPreProcessor.size``. Defaults to None (the
            segmentor's).
        non_blocking (bool): Non-blocking host-to-device copies.
            Defaults to False.

    Returns of :meth:`forward`:
        ``dict(inputs=dict(masks, features), data_samples)``.

    Shape:
        - masks: (N, H, W) class indices, padding and void 255
        - features: (N, C_s, ceil(H / d_s), ceil(W / d_s))
    """

    def __init__(self,
                 segmentor: Union[str, dict],
                 stage_index: int,
                 checkpoint: Optional[str] = None,
                 size: Optional[Sequence[int]] = None,
                 non_blocking: bool = False) -> None:
        super().__init__(non_blocking)
        self.segmentor = build_frozen_segmentor(segmentor, size)
        check_splittable(self.segmentor.backbone, stage_index)
        self.stage_index = stage_index
        self.checkpoint = checkpoint
        self._loaded = False

    def train(self, mode: bool = True) -> 'SegFeatureDataPreProcessor':
        """Keep the frozen segmentor in eval mode (BN statistics fixed)."""
        super().train(mode)
        self.segmentor.eval()
        return self

    def load_segmentor(self) -> None:
        """Load the checkpoint once; a missing file is a clear error."""
        if self._loaded:
            return
        self._loaded = True
        if self.checkpoint is None:
            print_log(
                'SegFeatureDataPreProcessor: no segmentor checkpoint, the '
                'features come from randomly initialized weights.',
                logger='current')
            return
        if not osp.isfile(self.checkpoint):
            self._loaded = False
            raise DataError(
                f'The segmentor checkpoint `{self.checkpoint}` does not '
                'exist.',
                fix='Train the segmentor first (tools/train.py) and set '
                '`segmentor_checkpoint` in the config or with '
                '--cfg-options model.data_preprocessor.checkpoint=PATH.')
        load_model_checkpoint(
            self.segmentor,
            self.checkpoint,
            non_strict_hint=None,
            what='segmentor checkpoint (model.data_preprocessor.checkpoint)')
        self.segmentor.eval()

    @torch.no_grad()
    def extract(self, inputs: torch.Tensor) -> torch.Tensor:
        """Features of normalized images at ``stage_index``.

        Args:
            inputs (Tensor): Normalized images, (N, 3, H, W).

        Returns:
            Tensor: Stage features.
        """
        self.load_segmentor()
        return forward_to_stage(self.segmentor.backbone, inputs,
                                self.stage_index)

    def forward(self, data: dict, training: bool = False) -> Dict[str, Any]:
        """Normalize and pad the batch, then extract features.

        Args:
            data (dict): A batch from the dataloader with ``inputs`` and
                ``data_samples`` holding ``gt_sem_seg``.
            training (bool): Unused: patches are always padded as in
                training, since their labels are needed. Defaults to False.

        Returns:
            dict: ``inputs`` (``masks``, ``features``) and ``data_samples``.
        """
        data = self.segmentor.data_preprocessor(data, True)
        features = self.extract(data['inputs'])
        masks = torch.stack([
            sample.gt_sem_seg.data.squeeze(0)
            for sample in data['data_samples']
        ]).long()
        return dict(
            inputs=dict(masks=masks, features=features),
            data_samples=data['data_samples'])
