"""An EncoderDecoder whose later layers also learn from synthetic features."""
from contextlib import contextmanager
from typing import Dict, Iterator, Optional

import torch
from torch.nn.modules.batchnorm import _BatchNorm
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import MODELS
from mmseg.utils import SampleList

from ..utils import check_splittable, logits_from_stage

__all__ = ['FeatureSynthesisEncoderDecoder']


@MODELS.register_module()
class FeatureSynthesisEncoderDecoder(EncoderDecoder):
    """EncoderDecoder with a loss on synthetic features at a backbone stage.

    The segmentor is cut at ``stage_index`` (He, Schiele and Fritz,
    "Synthetic Convolutional Features for Improved Semantic
    Segmentation"): real images go through the whole network as usual;
    synthetic features of that stage, with the masks they were generated
    from, go through the later stages and the decode head only, so the
    encoder (stem and stages up to ``stage_index``) learns from real images
    only. The synthetic batch is handed over by
    :class:`FeatureSynthesisHook` before each iteration
    (:meth:`set_synthetic_batch`) and its loss, ``loss_synthetic``, is
    added to the real losses in :meth:`loss`. Without a synthetic batch the
    model is an ordinary EncoderDecoder (validation, testing, inference).

    The synthetic pass runs separately from the real one, so that no
    gradient of the synthetic loss reaches the encoder, not even through
    batch statistics; its batch normalization layers use their running
    statistics (eval mode): synthetic features neither shift the
    statistics learned on real data nor need more than one sample per
    batch (PSPNet's 1x1 pyramid pooling).

    Args:
        stage_index (int): Backbone stage the synthetic features stand for.
            Defaults to 2 (ResNet stage 3).
        synthetic_loss (dict): Loss of the synthetic samples, called with
            ``is_synthetic``. Defaults to a :class:`LabelSmoothingLoss` with
            ``epsilon=0.1``; ``epsilon=0.0`` is plain cross-entropy.
        **kwargs: Passed to :class:`mmseg.models.EncoderDecoder`.
    """

    def __init__(self,
                 stage_index: int = 2,
                 synthetic_loss: dict = dict(
                     type='LabelSmoothingLoss',
                     epsilon=0.1,
                     avg_non_ignore=True,
                     loss_name='loss_synthetic'),
                 **kwargs) -> None:
        super().__init__(**kwargs)
        check_splittable(self.backbone, stage_index)
        self.stage_index = stage_index
        self.synthetic_loss = MODELS.build(synthetic_loss)
        self._synthetic: Optional[tuple] = None

    def set_synthetic_batch(self,
                            features: torch.Tensor,
                            masks: torch.Tensor,
                            weight: float = 1.0) -> None:
        """Hand over the synthetic part of the next training batch.

        Args:
            features (Tensor): Synthetic stage features, (M, C_s, h, w).
            masks (Tensor): Their masks, (M, H, W).
            weight (float): Multiplier of the synthetic loss.
                Defaults to 1.0.
        """
        if features.size(0) != masks.size(0):
            raise ValueError(
                f'{features.size(0)} synthetic features but {masks.size(0)}'
                ' masks.')
        self._synthetic = (features, masks, weight)

    def logits_from_stage(self, features: torch.Tensor,
                          size: tuple) -> torch.Tensor:
        """Decode-head logits of stage features, resized to ``size``.

        Shape:
            - features: (M, C_s, h, w)
            - output: (M, K, *size)
        """
        return logits_from_stage(self, features, self.stage_index, size)

    @contextmanager
    def _running_norm_stats(self) -> Iterator[None]:
        """Normalize with running statistics (BN in eval mode) inside."""
        norms = [
            m for m in self.modules()
            if isinstance(m, _BatchNorm) and m.training
        ]
        for m in norms:
            m.eval()
        try:
            yield
        finally:
            for m in norms:
                m.train()

    def loss_synthetic(self, features: torch.Tensor,
                       masks: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Loss of synthetic features through the layers after the stage.

        Args:
            features (Tensor): Synthetic features, (M, C_s, h, w).
            masks (Tensor): Masks, (M, H, W).

        Returns:
            dict[str, Tensor]: ``{synthetic_loss.loss_name: loss}``.
        """
        with self._running_norm_stats():
            logits = self.logits_from_stage(features,
                                            tuple(masks.shape[-2:]))
        loss = self.synthetic_loss(
            logits,
            masks.long(),
            ignore_index=self.decode_head.ignore_index,
            is_synthetic=masks.new_ones(masks.size(0), dtype=torch.bool))
        return {self.synthetic_loss.loss_name: loss}

    def loss_synthetic_per_sample(self, features: torch.Tensor,
                                  masks: torch.Tensor) -> torch.Tensor:
        """Mean synthetic loss of each sample over its labelled pixels.

        Used by online hard negative mining to rank masks.

        Returns:
            Tensor: (M,) losses.
        """
        with self._running_norm_stats():
            logits = self.logits_from_stage(features,
                                            tuple(masks.shape[-2:]))
        masks = masks.long()
        loss = self.synthetic_loss(
            logits,
            masks,
            ignore_index=self.decode_head.ignore_index,
            reduction_override='none',
            is_synthetic=masks.new_ones(masks.size(0), dtype=torch.bool))
        valid = (masks != self.decode_head.ignore_index).flatten(1)
        return loss.flatten(1).sum(1) / valid.sum(1).clamp(min=1)

    def loss(self, inputs: torch.Tensor,
             data_samples: SampleList) -> Dict[str, torch.Tensor]:
        """Losses of the real batch, plus the synthetic part where handed.

        Args:
            inputs (Tensor): Real images, (N, 3, H, W).
            data_samples (list[SegDataSample]): Their labels.

        Returns:
            dict[str, Tensor]: mmseg's losses and ``loss_synthetic``.
        """
        losses = super().loss(inputs, data_samples)
        if self._synthetic is not None:
            features, masks, weight = self._synthetic
            self._synthetic = None
            for name, value in self.loss_synthetic(features, masks).items():
                losses[name] = weight * value
        return losses
