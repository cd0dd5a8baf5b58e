"""GAN losses: the adversarial objectives and discriminator feature matching.

Every model of the project that trains against a discriminator takes its
adversarial terms from here (as MMagic keeps one ``GANLoss`` with its
variants):

- ``gan_type='vanilla'``, binary cross-entropy on logits (Goodfellow et
  al., 2014; non-saturating for the generator): Luc et al., "Semantic
  Segmentation using Adversarial Networks" (2016), with one logit per
  image, and Hung et al., "Adversarial Learning for Semi-Supervised
  Semantic Segmentation" (BMVC 2018), with one logit per pixel averaged
  over the pixels that are not ignored (``weight`` a 0/1 mask,
  ``avg_factor`` its sum);
- ``gan_type='lsgan'``, least squares (Mao et al., 2017): pix2pixHD and
  BicycleGAN.

Wang et al., "High-Resolution Image Synthesis and Semantic Manipulation
with Conditional GANs" (CVPR 2018) sum the LSGAN objective over their
multi-scale discriminators (:func:`multiscale_lsgan_loss`) and add the
feature-matching loss of their Eq. (4),
``sum_k sum_i 1/N_i ||D_k^(i)(s, x) - D_k^(i)(s, G(s))||_1``, each term
scaled by ``1/num_D * 4/(n_layers_D + 1)`` as the paper's reference
implementation does (:func:`feature_matching_loss`).
"""
from typing import List, Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS
from torch import Tensor

__all__ = [
    'GAN_TYPES', 'gan_loss', 'adversarial_loss', 'lsgan_loss',
    'multiscale_lsgan_loss', 'feature_matching_loss', 'AdversarialLoss'
]

#: The objectives :func:`gan_loss` knows.
GAN_TYPES = ('vanilla', 'lsgan')
_REDUCTIONS = ('mean', 'sum', 'none')


def _check(gan_type: str, reduction: str) -> None:
    if gan_type not in GAN_TYPES:
        raise ValueError(
            f'gan_type must be one of {GAN_TYPES}, got {gan_type!r}.')
    if reduction not in _REDUCTIONS:
        raise ValueError(f'reduction must be "mean", "sum" or "none", '
                         f'got {reduction!r}.')


def gan_loss(pred: Tensor,
             target_is_real: bool,
             gan_type: str = 'vanilla',
             weight: Optional[Tensor] = None,
             reduction: str = 'mean',
             avg_factor: Optional[Union[float, Tensor]] = None) -> Tensor:
    """A GAN objective of discriminator outputs against one label.

    ``'vanilla'``: ``target_is_real=True`` gives ``-log(sigmoid(pred))``,
    the discriminator's loss on real samples and the generator's
    (segmentor's) non-saturating term on its own (Luc et al., Eq. 3);
    ``target_is_real=False`` gives ``-log(1 - sigmoid(pred))``.
    ``'lsgan'``: ``(pred - target) ** 2`` with target 1 or 0, computed in
    float32 (also under autocast).

    Args:
        pred (Tensor): Discriminator outputs (logits for ``'vanilla'``).
        target_is_real (bool): Whether the target label is "real" (1)
            rather than "fake" (0).
        gan_type (str): ``'vanilla'`` or ``'lsgan'``.
            Defaults to ``'vanilla'``.
        weight (Tensor, optional): Element-wise weight, broadcastable to
            ``pred``. Defaults to None.
        reduction (str): ``'mean'``, ``'sum'`` or ``'none'``.
            Defaults to ``'mean'``.
        avg_factor (float or Tensor, optional): Divisor of the weighted sum
            for ``reduction='mean'``, e.g. the number of valid pixels of a
            0/1 ``weight`` mask (as mmseg's losses; 0 gives a zero loss).
            Defaults to None (the mean over all elements).

    Returns:
        Tensor: The loss, a scalar unless ``reduction='none'``.

    Shape:
        - pred: :math:`(N, *)`, any shape.
        - output: scalar, or the shape of ``pred`` for ``'none'``.
    """
    _check(gan_type, reduction)
    if avg_factor is not None and reduction != 'mean':
        raise ValueError('avg_factor divides the mean: it cannot be used '
                         f'with reduction={reduction!r}.')
    inner = 'sum' if avg_factor is not None else reduction
    if gan_type == 'vanilla':
        target = torch.full_like(pred, 1.0 if target_is_real else 0.0)
        loss = F.binary_cross_entropy_with_logits(
            pred, target, weight=weight, reduction=inner)
    else:
        pred = pred.float()
        target = torch.full_like(pred, 1.0 if target_is_real else 0.0)
        if weight is None:
            loss = F.mse_loss(pred, target, reduction=inner)
        else:
            loss = (pred - target).pow(2) * weight
            loss = {
                'mean': loss.mean,
                'sum': loss.sum
            }.get(inner, lambda: loss)()
    if avg_factor is None:
        return loss
    return loss / (avg_factor + torch.finfo(torch.float32).eps)


def adversarial_loss(
        pred: Tensor,
        target_is_real: bool,
        weight: Optional[Tensor] = None,
        reduction: str = 'mean',
        avg_factor: Optional[Union[float, Tensor]] = None) -> Tensor:
    """Binary cross-entropy on logits: :func:`gan_loss` ``'vanilla'``.

    Args:
        pred (Tensor): Discriminator logits (before the sigmoid).
        target_is_real (bool): Whether the target label is "real".
        weight (Tensor, optional): Element-wise weight. Defaults to None.
        reduction (str): ``'mean'``, ``'sum'`` or ``'none'``.
            Defaults to ``'mean'``.
        avg_factor (float or Tensor, optional): Divisor of the mean.
            Defaults to None.

    Returns:
        Tensor: The loss.
    """
    return gan_loss(pred, target_is_real, 'vanilla', weight, reduction,
                    avg_factor)


def lsgan_loss(pred: Tensor, target_is_real: bool) -> Tensor:
    """Least-squares GAN loss, the mean of ``(pred - target) ** 2``:
    :func:`gan_loss` ``'lsgan'``.

    Args:
        pred (Tensor): Discriminator scores, any shape.
        target_is_real (bool): Target 1 (real) or 0 (fake).

    Returns:
        Tensor: Scalar loss.
    """
    return gan_loss(pred, target_is_real, 'lsgan')


def multiscale_lsgan_loss(outputs: Sequence[Sequence[Tensor]],
                          target_is_real: bool) -> Tensor:
    """LSGAN loss summed over discriminators.

    Args:
        outputs (Sequence[Sequence[Tensor]]): Per discriminator, its
            feature maps; the last one holds the patch scores.
        target_is_real (bool): Target 1 (real) or 0 (fake).

    Returns:
        Tensor: Scalar loss.
    """
    return sum(
        lsgan_loss(features[-1], target_is_real) for features in outputs)


def feature_matching_loss(real_outputs: Sequence[List[Tensor]],
                          fake_outputs: Sequence[List[Tensor]]) -> Tensor:
    """Discriminator feature matching, Eq. (4) of pix2pixHD.

    The L1 distance between the features of the real and of the generated
    pair, averaged over elements (``1/N_i``), summed over the layers
    (except the score map) and over the discriminators, each term scaled
    by ``1/num_D * 4/(n_layers_D + 1)``: ``num_D`` discriminators, each
    with ``n_layers_D + 1`` feature maps before its score map (the 70x70
    PatchGAN, ``n_layers_D = 3``, has 4). Real features are detached: the
    loss trains the generator only.

    Args:
        real_outputs (Sequence[list[Tensor]]): Per discriminator, its
            feature maps on (label, real image).
        fake_outputs (Sequence[list[Tensor]]): The same on
            (label, generated image).

    Returns:
        Tensor: Scalar loss.
    """
    if len(real_outputs) != len(fake_outputs):
        raise ValueError(
            f'feature_matching_loss: {len(real_outputs)} real and '
            f'{len(fake_outputs)} fake discriminator outputs.')
    loss = 0.0
    for real, fake in zip(real_outputs, fake_outputs):
        num_features = len(real) - 1  # n_layers_D + 1
        if num_features < 1 or len(fake) != len(real):
            raise ValueError(
                'feature_matching_loss: each discriminator must return the '
                f'same feature maps and a score map, got {len(real)} real '
                f'and {len(fake)} fake outputs.')
        scale = 1.0 / len(real_outputs) * 4.0 / num_features
        for real_map, fake_map in zip(real[:-1], fake[:-1]):
            loss = loss + scale * F.l1_loss(fake_map.float(),
                                            real_map.detach().float())
    return loss


@MODELS.register_module()
class AdversarialLoss(nn.Module):
    """The adversarial term of a segmentor: a weighted :func:`gan_loss`.

    Args:
        loss_weight (float): The weight, the :math:`\\lambda` of Luc et al.
            0 turns the term off. Defaults to 0.1.
        reduction (str): ``'mean'``, ``'sum'`` or ``'none'``.
            Defaults to ``'mean'``.
        loss_name (str): Name of the term in the logged losses; must start
            with ``loss_`` to be back-propagated. Defaults to ``'loss_adv'``.
        gan_type (str): ``'vanilla'`` (binary cross-entropy, Luc et al.
            and Hung et al.) or ``'lsgan'``. Defaults to ``'vanilla'``.
    """

    def __init__(self,
                 loss_weight: float = 0.1,
                 reduction: str = 'mean',
                 loss_name: str = 'loss_adv',
                 gan_type: str = 'vanilla') -> None:
        super().__init__()
        if loss_weight < 0:
            raise ValueError(f'loss_weight must be >= 0, got {loss_weight}.')
        _check(gan_type, reduction)
        self.loss_weight = loss_weight
        self.gan_type = gan_type
        self.reduction = reduction
        self._loss_name = loss_name

    def forward(self,
                pred: Tensor,
                target_is_real: bool = True,
                weight: Optional[Tensor] = None,
                avg_factor: Optional[Union[float, Tensor]] = None) -> Tensor:
        """Compute the weighted loss.

        Args:
            pred (Tensor): Discriminator outputs.
            target_is_real (bool): Whether the target is "real".
                Defaults to True (the segmentor's term).
            weight (Tensor, optional): Element-wise weight, e.g. the mask
                of valid pixels. Defaults to None.
            avg_factor (float or Tensor, optional): Divisor of the mean,
                e.g. the number of valid pixels. Defaults to None.

        Returns:
            Tensor: The weighted loss.

        Shape:
            - pred: :math:`(N, *)`.
            - output: scalar, or the shape of ``pred`` for ``'none'``.
        """
        return self.loss_weight * gan_loss(
            pred,
            target_is_real,
            self.gan_type,
            weight=weight,
            reduction=self.reduction,
            avg_factor=avg_factor)

    @property
    def loss_name(self) -> str:
        """str: Name of the term in the logged losses."""
        return self._loss_name

    def extra_repr(self) -> str:
        return (f'loss_weight={self.loss_weight}, '
                f'gan_type={self.gan_type!r}, reduction={self.reduction!r}, '
                f'loss_name={self._loss_name!r}')
