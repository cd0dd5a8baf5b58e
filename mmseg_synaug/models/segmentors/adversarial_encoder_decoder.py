"""Adversarial training of an encoder-decoder segmentor.

Luc, Couprie, Chintala and Verbeek, "Semantic Segmentation using
Adversarial Networks" (NIPS workshop 2016), with an image-level
discriminator; Hung, Tsai, Liou, Lin and Yang, "Adversarial Learning for
Semi-Supervised Semantic Segmentation" (BMVC 2018), with a per-pixel one
whose loss is masked at ignored pixels.
"""
from typing import Dict, Optional, Tuple

import torch
from mmseg.models.segmentors import EncoderDecoder
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from mmseg.utils import (ConfigType, OptConfigType, OptMultiConfig, SampleList,
                         add_prefix)
from torch import Tensor

from ...utils import DataError
from ..losses import adversarial_loss
from ..utils import AdversarialSegmentorMixin, frozen, one_hot_with_ignore

__all__ = ['AdversarialEncoderDecoder']


@MODELS.register_module()
class AdversarialEncoderDecoder(AdversarialSegmentorMixin, EncoderDecoder):
    """An encoder-decoder segmentor trained against a discriminator.

    Luc et al., "Semantic Segmentation using Adversarial Networks" (2016):
    a discriminator learns to tell ground-truth label maps from the
    segmentor's predictions, each paired with its image, and the segmentor
    adds ``lambda * BCE(D(image, prediction), real)`` to its usual losses,
    so that it is pushed towards label maps whose pixels are consistent with
    each other. Any mmseg backbone, neck and decode/auxiliary heads can be
    the segmentor; only ``train_step`` (the project's one pattern for
    segmentors with a discriminator, :class:`AdversarialSegmentorMixin`)
    differs from
    :class:`~mmseg.models.segmentors.EncoderDecoder`. Inference
    (``predict``, ``_forward``, ``extract_feat``) is the plain segmentor's,
    and the discriminator's weights sit under the ``discriminator.`` prefix
    of the state dict, which the plain segmentor ignores (or
    ``tools/model_converters/strip_discriminator.py`` removes).

    Each training iteration, with two optimizers (an
    :class:`~mmengine.optim.OptimWrapperDict` with the keys ``segmentor`` and
    ``discriminator``, built by ``MultiOptimWrapperConstructor``; every
    parameter outside the discriminator must be in the ``segmentor``
    optimizer):

    1. Segmentor step: decode (and auxiliary) losses plus the adversarial
       term on the decode head's prediction, the discriminator frozen.
    2. Discriminator step: BCE with (image, one-hot ground truth) as real
       and (image, detached prediction) as fake.

    The discriminator sees label maps at the input resolution: the decode
    head's logits are resized (bilinearly) to the padded input size before
    the softmax, so the one-hot ground truth is never blurred by
    downsampling; the discriminator downsamples by average pooling itself.
    Ignored pixels (``ignore_index`` of the decode head, also where the data
    preprocessor padded) are zero vectors in both the one-hot ground truth
    and the prediction.

    The discriminator may give one logit per image, ``(N, 1)`` (Luc et al.,
    :class:`LabelMapDiscriminator`), or one per pixel, ``(N, 1, H, W)`` at
    the input size (Hung et al., :class:`FCDiscriminator`); per-pixel, the
    three binary cross-entropies are averaged over the pixels that are not
    ignored, as in Hung et al.'s reference.

    Distributed training (``tools/dist_train.sh``) wraps each submodule on
    its own and keeps this ``train_step`` (see ``mmseg_synaug.utils.dist``).

    Args:
        backbone (dict): Config of the backbone.
        decode_head (dict): Config of the decode head; its logits are the
            prediction shown to the discriminator.
        discriminator (dict): Config of the discriminator, e.g.
            ``dict(type='LabelMapDiscriminator', num_classes=11)``. Its
            ``num_classes`` must equal the decode head's.
        adversarial_loss (dict): Config of the adversarial term; its
            ``loss_weight`` is lambda. Defaults to
            ``dict(type='AdversarialLoss', loss_weight=0.1)``.
        neck (dict, optional): Config of the neck. Defaults to None.
        auxiliary_head (dict, optional): Config of the auxiliary head(s).
            Defaults to None.
        train_cfg (dict, optional): Training config. Defaults to None.
        test_cfg (dict, optional): Testing config. Defaults to None.
        data_preprocessor (dict, optional): Config of the data
            preprocessor. Defaults to None.
        pretrained (str, optional): Pretrained backbone weights.
            Defaults to None.
        init_cfg (dict or list[dict], optional): Initialisation config.
            Defaults to None.
    """

    def __init__(self,
                 backbone: ConfigType,
                 decode_head: ConfigType,
                 discriminator: ConfigType,
                 adversarial_loss: ConfigType = dict(
                     type='AdversarialLoss', loss_weight=0.1),
                 neck: OptConfigType = None,
                 auxiliary_head: OptConfigType = None,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 pretrained: Optional[str] = None,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(
            backbone=backbone,
            decode_head=decode_head,
            neck=neck,
            auxiliary_head=auxiliary_head,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            data_preprocessor=data_preprocessor,
            pretrained=pretrained,
            init_cfg=init_cfg)
        if discriminator is None:
            raise ValueError(
                'AdversarialEncoderDecoder needs a discriminator config, '
                "e.g. dict(type='LabelMapDiscriminator', num_classes=...); "
                "without one, use type='EncoderDecoder'.")
        self.discriminator = MODELS.build(discriminator)
        disc_classes = getattr(self.discriminator, 'num_classes', None)
        if disc_classes != self.num_classes:
            raise ValueError(
                f'The discriminator takes {disc_classes} label channels but '
                f'the decode head predicts {self.num_classes} classes: set '
                f'model.discriminator.num_classes={self.num_classes}.')
        self.adversarial_loss = MODELS.build(adversarial_loss)

    @property
    def adv_loss_weight(self) -> float:
        """float: lambda, the weight of the adversarial term."""
        return float(self.adversarial_loss.loss_weight)

    def adversarial_losses(
            self, inputs: Tensor,
            data_samples: SampleList) -> Tuple[Dict[str, Tensor], tuple]:
        """The segmentor's losses: task losses plus
        ``lambda * BCE(D(x, S(x)), real)``, the discriminator frozen.

        Args:
            inputs (Tensor): Images, (N, C, H, W).
            data_samples (list[:obj:`SegDataSample`]): With ``gt_sem_seg``.

        Returns:
            tuple[dict, tuple]: ``decode.*``, ``aux.*`` and ``loss_adv``;
            and the arguments of :meth:`discriminator_losses`.
        """
        losses, seg_logits = self._segmentor_losses(inputs, data_samples)
        fake, real = self.discriminator_inputs(seg_logits, data_samples,
                                               inputs.shape[2:])
        # 1 at labelled pixels, 0 at ignored ones (zero one-hot).
        valid = real.amax(dim=1, keepdim=True)
        image = inputs if self._disc_with_image else None
        if self.adv_loss_weight > 0:
            with frozen(self.discriminator):
                pred_fake = self.discriminator(fake, image)
            losses[self.adversarial_loss.loss_name] = self.adversarial_loss(
                pred_fake, True, **self._masking(pred_fake, valid))
        return losses, (real, fake.detach(), valid, image)

    def discriminator_losses(self, real: Tensor, fake: Tensor, valid: Tensor,
                             image: Optional[Tensor]) -> Dict[str, Tensor]:
        """BCE with (image, one-hot ground truth) as real and (image,
        detached prediction) as fake, and the discriminator's accuracies.

        Returns:
            dict[str, Tensor]: ``loss_real``, ``loss_fake`` and the
            accuracies ``acc_real`` and ``acc_fake`` (%).
        """
        pred_real = self.discriminator(real, image)
        pred_fake = self.discriminator(fake, image)
        masking = self._masking(pred_real, valid)
        losses = dict(
            loss_real=adversarial_loss(pred_real, True, **masking),
            loss_fake=adversarial_loss(pred_fake, False, **masking))
        with torch.no_grad():
            losses['acc_real'] = self._accuracy(pred_real > 0, masking)
            losses['acc_fake'] = self._accuracy(pred_fake <= 0, masking)
        return losses

    def discriminator_inputs(self, seg_logits: Tensor,
                             data_samples: SampleList,
                             size: Tuple[int, int]) -> Tuple[Tensor, Tensor]:
        """The fake and real label maps shown to the discriminator.

        Args:
            seg_logits (Tensor): Logits of the decode head.
            data_samples (list[:obj:`SegDataSample`]): The batch's samples
                with ``gt_sem_seg`` (after the data preprocessor).
            size (tuple[int, int]): The (padded) input size ``(H, W)``.

        Returns:
            tuple[Tensor, Tensor]: The softmax prediction resized to
            ``size`` and the one-hot ground truth, both zero vectors at
            ignored pixels.

        Shape:
            - seg_logits: :math:`(N, C, h, w)`.
            - outputs: :math:`(N, C, H, W)` each.
        """
        gt = torch.stack([sample.gt_sem_seg.data
                          for sample in data_samples]).long()
        if gt.shape[2:] != torch.Size(size):
            raise DataError(
                f'The ground truth ({tuple(gt.shape[2:])}) and the input '
                f'({tuple(size)}) differ in size; crop the training '
                'images, or let the data preprocessor pad both to one size '
                '(data_preprocessor.size).')
        gt = gt[:, 0]
        valid = gt != self.decode_head.ignore_index
        if valid.any() and int(gt[valid].max()) >= self.num_classes:
            raise DataError(
                f'The ground truth holds the label {int(gt[valid].max())}, '
                f'but there are {self.num_classes} classes and the ignore '
                f'index is {self.decode_head.ignore_index}.',
                fix='map unlabelled pixels to the ignore index.')
        valid_mask = valid.unsqueeze(1).to(seg_logits.dtype)
        real = one_hot_with_ignore(gt, self.num_classes,
                                   self.decode_head.ignore_index).to(
                                       seg_logits.dtype)
        fake = resize(
            seg_logits,
            size=tuple(size),
            mode='bilinear',
            align_corners=self.align_corners).softmax(dim=1) * valid_mask
        return fake, real

    # -- helpers ----------------------------------------------------------

    @property
    def _disc_with_image(self) -> bool:
        return bool(getattr(self.discriminator, 'with_image', True))

    @staticmethod
    def _masking(pred: Tensor, valid: Tensor) -> Dict[str, Tensor]:
        """``weight`` and ``avg_factor`` of a per-pixel discriminator's BCE.

        Args:
            pred (Tensor): Discriminator logits, (N, 1) per image or
                (N, 1, H, W) per pixel.
            valid (Tensor): 1 at labelled pixels, 0 at ignored ones,
                (N, 1, H, W).

        Returns:
            dict[str, Tensor]: Empty for per-image logits; else the mask as
            ``weight`` and its sum as ``avg_factor`` (the mean over the
            valid pixels).
        """
        if pred.dim() == 2:
            return {}
        if pred.shape != valid.shape:
            raise ValueError(
                'A per-pixel discriminator must give (N, 1, H, W) logits at '
                f'the input size {tuple(valid.shape)}, got '
                f'{tuple(pred.shape)}: resize its output to the input '
                '(as FCDiscriminator does), or give one logit per image, '
                '(N, 1).')
        return dict(weight=valid, avg_factor=valid.sum())

    @staticmethod
    def _accuracy(correct: Tensor, masking: Dict[str, Tensor]) -> Tensor:
        """Share (%) of correct decisions, over the valid pixels if masked."""
        correct = correct.float()
        if not masking:
            return correct.mean() * 100
        weight = masking['weight']
        return (correct * weight).sum() / weight.sum().clamp(min=1) * 100

    def _segmentor_losses(self, inputs: Tensor,
                          data_samples: SampleList) -> Tuple[dict, Tensor]:
        """The plain segmentor's losses, and the decode head's logits."""
        x = self.extract_feat(inputs)
        seg_logits = self.decode_head(x)
        losses = add_prefix(
            self.decode_head.loss_by_feat(seg_logits, data_samples), 'decode')
        if self.with_auxiliary_head:
            losses.update(self._auxiliary_head_forward_train(x, data_samples))
        return losses, seg_logits
