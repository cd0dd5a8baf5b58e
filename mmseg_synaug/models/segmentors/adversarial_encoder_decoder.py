"""Adversarial training of an encoder-decoder segmentor (Luc et al., 2016)."""
from contextlib import contextmanager
from typing import Dict, Iterator, List, Optional, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmseg.models.segmentors import EncoderDecoder
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from mmseg.utils import (ConfigType, OptConfigType, OptMultiConfig,
                         SampleList, add_prefix)
from torch import Tensor

from ...utils import DataError
from ..losses import adversarial_loss

__all__ = ['AdversarialEncoderDecoder']


@contextmanager
def _frozen(module: nn.Module) -> Iterator[None]:
    """Stop gradients into ``module``'s parameters, not through it."""
    flags = [p.requires_grad for p in module.parameters()]
    for p in module.parameters():
        p.requires_grad_(False)
    try:
        yield
    finally:
        for p, flag in zip(module.parameters(), flags):
            p.requires_grad_(flag)


@MODELS.register_module()
class AdversarialEncoderDecoder(EncoderDecoder):
    """An encoder-decoder segmentor trained against a discriminator.

    Luc et al., "Semantic Segmentation using Adversarial Networks" (2016):
    a discriminator learns to tell ground-truth label maps from the
    segmentor's predictions, each paired with its image, and the segmentor
    adds ``lambda * BCE(D(image, prediction), real)`` to its usual losses,
    so that it is pushed towards label maps whose pixels are consistent with
    each other. Any mmseg backbone, neck and decode/auxiliary heads can be
    the segmentor; only :meth:`train_step` differs from
    :class:`~mmseg.models.segmentors.EncoderDecoder`. Inference
    (``predict``, ``_forward``, ``extract_feat``) is the plain segmentor's,
    and the discriminator's weights sit under the ``discriminator.`` prefix
    of the state dict, which the plain segmentor ignores (or
    ``tools/model_converters/strip_discriminator.py`` removes).

    Each training iteration, with two optimizers (an
    :class:`~mmengine.optim.OptimWrapperDict` with the keys ``segmentor`` and
    ``discriminator``, built by ``AdversarialOptimWrapperConstructor``):

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

    Distributed training is not supported yet: the model runs its own
    ``train_step``, which mmengine's ``MMDistributedDataParallel`` bypasses.

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

    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: OptimWrapperDict) -> Dict[str, Tensor]:
        """One segmentor step and one discriminator step.

        Args:
            data (dict or tuple or list): A batch from the dataloader.
            optim_wrapper (OptimWrapperDict): Wrappers under the keys
                ``segmentor`` and ``discriminator``.

        Returns:
            dict[str, Tensor]: Losses and statistics to log: ``loss`` (the
            segmentor's total), ``decode.*``, ``aux.*``, ``loss_adv``,
            ``disc.loss_real``, ``disc.loss_fake`` and the discriminator's
            accuracies ``disc.acc_real`` and ``disc.acc_fake`` (%).
        """
        seg_optim, disc_optim = self._split_optim_wrapper(optim_wrapper)

        # 1. Segmentor step: task losses + lambda * BCE(D(x, S(x)), real).
        with seg_optim.optim_context(self):
            data = self.data_preprocessor(data, True)
            inputs, data_samples = data['inputs'], data['data_samples']
            losses, seg_logits = self._segmentor_losses(inputs, data_samples)
            fake, real = self.discriminator_inputs(seg_logits, data_samples,
                                                   inputs.shape[2:])
            image = inputs if self._disc_with_image else None
            if self.adv_loss_weight > 0:
                with _frozen(self.discriminator):
                    pred_fake = self.discriminator(fake, image)
                losses[self.adversarial_loss.loss_name] = \
                    self.adversarial_loss(pred_fake, target_is_real=True)
        seg_loss, log_vars = self.parse_losses(losses)
        seg_optim.update_params(seg_loss)

        # 2. Discriminator step: ground truth is real, prediction fake.
        with disc_optim.optim_context(self.discriminator):
            pred_real = self.discriminator(real, image)
            pred_fake = self.discriminator(fake.detach(), image)
            disc_losses = dict(
                loss_real=adversarial_loss(pred_real, True),
                loss_fake=adversarial_loss(pred_fake, False))
        disc_loss, disc_log_vars = self.parse_losses(disc_losses)
        disc_optim.update_params(disc_loss)
        with torch.no_grad():
            disc_log_vars['acc_real'] = (pred_real > 0).float().mean() * 100
            disc_log_vars['acc_fake'] = (pred_fake <= 0).float().mean() * 100
        log_vars.update(add_prefix(disc_log_vars, 'disc'))
        return log_vars

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
        gt = torch.stack(
            [sample.gt_sem_seg.data for sample in data_samples]).long()
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
        real = F.one_hot(gt.where(valid, torch.zeros_like(gt)),
                         self.num_classes).permute(0, 3, 1, 2)
        real = real.to(seg_logits.dtype) * valid_mask
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

    def _segmentor_losses(self, inputs: Tensor,
                          data_samples: SampleList) -> Tuple[dict, Tensor]:
        """The plain segmentor's losses, and the decode head's logits."""
        x = self.extract_feat(inputs)
        seg_logits = self.decode_head(x)
        losses = add_prefix(
            self.decode_head.loss_by_feat(seg_logits, data_samples),
            'decode')
        if self.with_auxiliary_head:
            losses.update(self._auxiliary_head_forward_train(x, data_samples))
        return losses, seg_logits

    @staticmethod
    def _split_optim_wrapper(
            optim_wrapper: OptimWrapperDict
    ) -> Tuple[OptimWrapper, OptimWrapper]:
        fix = ("set optim_wrapper=dict(constructor="
               "'AdversarialOptimWrapperConstructor', segmentor=dict(...), "
               'discriminator=dict(...)) in the config, as in '
               'configs/adversarial/.')
        if not isinstance(optim_wrapper, OptimWrapperDict):
            raise TypeError(
                'AdversarialEncoderDecoder trains with two optimizers and '
                f'needs an OptimWrapperDict, got '
                f'{type(optim_wrapper).__name__}: {fix}')
        missing: List[str] = [
            key for key in ('segmentor', 'discriminator')
            if key not in optim_wrapper
        ]
        if missing:
            raise KeyError(f'The OptimWrapperDict lacks {missing} '
                           f'(has {list(optim_wrapper.keys())}): {fix}')
        return optim_wrapper['segmentor'], optim_wrapper['discriminator']
