"""Binary cross-entropy on a discriminator's logits.

Luc et al., "Semantic Segmentation using Adversarial Networks" (2016), with
one logit per image; Hung et al., "Adversarial Learning for Semi-Supervised
Semantic Segmentation" (BMVC 2018), with one logit per pixel, averaged over
the pixels that are not ignored (``weight`` a 0/1 mask, ``avg_factor`` its
sum).
"""
from typing import Optional, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS
from torch import Tensor

__all__ = ['adversarial_loss', 'AdversarialLoss']


def adversarial_loss(
        pred: Tensor,
        target_is_real: bool,
        weight: Optional[Tensor] = None,
        reduction: str = 'mean',
        avg_factor: Optional[Union[float, Tensor]] = None) -> Tensor:
    """Binary cross-entropy of discriminator logits against one label.

    ``target_is_real=True`` gives ``-log(sigmoid(pred))``: the discriminator's
    loss on ground-truth pairs, and the segmentor's adversarial term on its
    own predictions (the "non-saturating" form of Luc et al., Eq. 3).
    ``target_is_real=False`` gives ``-log(1 - sigmoid(pred))``: the
    discriminator's loss on predicted pairs.

    Args:
        pred (Tensor): Discriminator logits (before the sigmoid).
        target_is_real (bool): Whether the target label is "real" (1)
            rather than "fake" (0).
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
    if reduction not in ('mean', 'sum', 'none'):
        raise ValueError(f'reduction must be "mean", "sum" or "none", '
                         f'got {reduction!r}.')
    target = torch.full_like(pred, 1.0 if target_is_real else 0.0)
    if avg_factor is None:
        return F.binary_cross_entropy_with_logits(
            pred, target, weight=weight, reduction=reduction)
    if reduction != 'mean':
        raise ValueError('avg_factor divides the mean: it cannot be used '
                         f'with reduction={reduction!r}.')
    loss = F.binary_cross_entropy_with_logits(
        pred, target, weight=weight, reduction='sum')
    return loss / (avg_factor + torch.finfo(torch.float32).eps)


@MODELS.register_module()
class AdversarialLoss(nn.Module):
    """The adversarial term: a weighted :func:`adversarial_loss`.

    Args:
        loss_weight (float): The weight, the :math:`\\lambda` of Luc et al.
            0 turns the term off. Defaults to 0.1.
        reduction (str): ``'mean'``, ``'sum'`` or ``'none'``.
            Defaults to ``'mean'``.
        loss_name (str): Name of the term in the logged losses; must start
            with ``loss_`` to be back-propagated. Defaults to ``'loss_adv'``.
    """

    def __init__(self,
                 loss_weight: float = 0.1,
                 reduction: str = 'mean',
                 loss_name: str = 'loss_adv') -> None:
        super().__init__()
        if loss_weight < 0:
            raise ValueError(f'loss_weight must be >= 0, got {loss_weight}.')
        if reduction not in ('mean', 'sum', 'none'):
            raise ValueError(f'reduction must be "mean", "sum" or "none", '
                             f'got {reduction!r}.')
        self.loss_weight = loss_weight
        self.reduction = reduction
        self._loss_name = loss_name

    def forward(self,
                pred: Tensor,
                target_is_real: bool = True,
                weight: Optional[Tensor] = None,
                avg_factor: Optional[Union[float, Tensor]] = None) -> Tensor:
        """Compute the weighted loss.

        Args:
            pred (Tensor): Discriminator logits.
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
        return self.loss_weight * adversarial_loss(
            pred,
            target_is_real,
            weight=weight,
            reduction=self.reduction,
            avg_factor=avg_factor)

    @property
    def loss_name(self) -> str:
        """str: Name of the term in the logged losses."""
        return self._loss_name

    def extra_repr(self) -> str:
        return (f'loss_weight={self.loss_weight}, '
                f'reduction={self.reduction!r}, loss_name={self._loss_name!r}')
