"""An EncoderDecoder whose later layers also learn from synthetic features."""
from typing import Dict, List, Optional, Tuple, Union

import torch
from mmseg.models.segmentors import EncoderDecoder
from mmseg.registry import MODELS, TASK_UTILS
from mmseg.utils import SampleList
from torch.nn.modules.batchnorm import _BatchNorm

from .backbone_split import check_splittable, logits_from_stage
from .synthetic_feature_sampler import SyntheticFeatureSampler

__all__ = ['FeatureSynthesisEncoderDecoder']


@MODELS.register_module()
class FeatureSynthesisEncoderDecoder(EncoderDecoder):
    """EncoderDecoder trained on real images plus synthetic stage features.

    He, Schiele and Fritz, "Synthetic Convolutional Features for Improved
    Semantic Segmentation" (2018): the segmentor is cut at
    ``stage_index``; real images go through the whole network as usual;
    synthetic features of that stage, made by a frozen feature generator
    from label masks, go through the later stages and the decode head
    only, so the encoder (stem and stages up to ``stage_index``) learns
    from real images only.

    Data flows one way: the training batch comes in through
    :meth:`loss`, which computes mmseg's losses of the real batch, asks
    its :class:`SyntheticFeatureSampler` (``synthesizer``) for the synthetic
    part (added to the real samples, so that ``synthetic_share`` of all
    samples is synthetic; layouts from the batch or other mask sources,
    hard-mined ones first) and adds ``loss_synthetic``, weighted by
    ``n_synthetic / n_real`` so that every sample, real or synthetic,
    counts the same. Its per-sample values feed the synthesizer's online
    hard negative mining. ``synthetic_share``, the share realised so far
    over all processes, is logged. One backward, one optimizer step.
    Without ``synthesizer``, or outside training, the model is an
    ordinary EncoderDecoder.

    The synthetic pass runs separately from the real one, so that no
    gradient of the synthetic loss reaches the encoder, not even through
    batch statistics; its batch normalization layers use their running
    statistics (eval mode): synthetic features neither shift the
    statistics learned on real data nor need more than one sample per
    batch (PSPNet's 1x1 pyramid pooling).

    Args:
        stage_index (int): Backbone stage the synthetic features stand for.
            Defaults to 2 (ResNet stage 3).
        synthesizer (dict, optional): :class:`SyntheticFeatureSampler` config
            (generator, its checkpoint, share, layout sampler, OHNM).
            Defaults to None (no synthetic features).
        synthetic_loss (dict): Loss of the synthetic samples, called with
            ``is_synthetic`` and ``reduction_override='none'``. Defaults to
            a :class:`LabelSmoothingLoss` with ``epsilon=0.1``;
            ``epsilon=0.0`` is plain cross-entropy.
        **kwargs: Passed to :class:`mmseg.models.EncoderDecoder`.
    """

    def __init__(self,
                 stage_index: int = 2,
                 synthesizer: Optional[Union[dict,
                                             SyntheticFeatureSampler]] = None,
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
        self.synthesizer: Optional[SyntheticFeatureSampler] = TASK_UTILS.build(
            synthesizer) if isinstance(synthesizer, dict) else synthesizer
        self._norms: Optional[List[_BatchNorm]] = None
        self._class_weight: Optional[torch.Tensor] = None

    def logits_from_stage(self, features: torch.Tensor,
                          size: tuple) -> torch.Tensor:
        """Decode-head logits of stage features, resized to ``size``.

        Shape:
            - features: (M, C_s, h, w)
            - output: (M, K, *size)
        """
        return logits_from_stage(self, features, self.stage_index, size)

    def _synthetic_logits(self, features: torch.Tensor,
                          size: tuple) -> torch.Tensor:
        """Logits of the later layers with running BN statistics."""
        if self._norms is None:
            self._norms = [
                m for m in self.modules() if isinstance(m, _BatchNorm)
            ]
        training = [m for m in self._norms if m.training]
        for m in training:
            m.eval()
        try:
            return self.logits_from_stage(features, size)
        finally:
            for m in training:
                m.train()

    def loss_synthetic(
            self, features: torch.Tensor,
            masks: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Loss of synthetic features through the layers after the stage.

        One pixel-wise evaluation of ``synthetic_loss`` gives both the
        batch loss (reduced as the loss reduces: with ``avg_non_ignore``,
        divided by the summed class weights of the labelled pixels, else
        the mean over all pixels) and the per-sample losses for mining.
        Nothing is read back to the host.

        Args:
            features (Tensor): Synthetic features, (M, C_s, h, w).
            masks (Tensor): Their layouts, (M, H, W).

        Returns:
            tuple[Tensor, Tensor]: The loss (scalar) and the mean loss of
            each sample over its labelled pixels, (M,).
        """
        masks = masks.long()
        ignore_index = self.decode_head.ignore_index
        logits = self._synthetic_logits(features, tuple(masks.shape[-2:]))
        pixel = self.synthetic_loss(
            logits,
            masks,
            ignore_index=ignore_index,
            reduction_override='none',
            is_synthetic=masks.new_ones(masks.size(0), dtype=torch.bool))
        valid = masks != ignore_index
        weights = valid.to(pixel.dtype)
        class_weight = getattr(self.synthetic_loss, 'class_weight', None)
        if class_weight is not None:
            if (self._class_weight is None
                    or self._class_weight.device != pixel.device):
                self._class_weight = torch.as_tensor(
                    class_weight, dtype=pixel.dtype).to(pixel.device)
            weights = weights * self._class_weight[torch.where(
                valid, masks, 0)]
        per_sample = pixel.flatten(1).sum(1) / weights.flatten(1).sum(1).clamp(
            min=1e-6)
        if getattr(self.synthetic_loss, 'avg_non_ignore', False):
            loss = pixel.sum() / weights.sum().clamp(min=1e-6)
        else:
            loss = pixel.mean()
        return loss, per_sample

    def loss(self, inputs: torch.Tensor,
             data_samples: SampleList) -> Dict[str, torch.Tensor]:
        """Losses of the real batch plus those of its synthetic part.

        Args:
            inputs (Tensor): Real images, (N, 3, H, W).
            data_samples (list[SegDataSample]): Their labels.

        Returns:
            dict[str, Tensor]: mmseg's losses, ``loss_synthetic`` (0 where
            this process adds no synthetic sample this iteration) and
            ``synthetic_share`` (a CPU scalar, not a loss).
        """
        losses = super().loss(inputs, data_samples)
        if self.synthesizer is None or not self.training:
            return losses
        self.synthesizer.prepare(self)
        masks = torch.stack(
            [sample.gt_sem_seg.data[0] for sample in data_samples])
        synthetic = self.synthesizer.synthesize(masks)
        name = getattr(self.synthetic_loss, 'loss_name', 'loss_synthetic')
        if synthetic is not None:
            features, layouts = synthetic
            loss, per_sample = self.loss_synthetic(features, layouts)
            self.synthesizer.record(layouts, per_sample.detach())
            losses[name] = loss * (layouts.size(0) / len(data_samples))
        else:
            # Every process logs the same keys: a distributed run averages
            # the logs over the processes in one collective, and a process
            # without synthetic samples this iteration must take part.
            losses[name] = inputs.new_zeros(())
        losses['synthetic_share'] = torch.tensor(
            self.synthesizer.realised_share)
        return losses
