"""Cross-entropy weighted by inverse class frequency, given or computed."""
from typing import Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.registry import MODELS
from torch import Tensor

from ...utils import DataError

__all__ = [
    'inverse_frequency_weights', 'weighted_cross_entropy',
    'InverseFrequencyCrossEntropyLoss'
]


def inverse_frequency_weights(counts: Tensor,
                              power: float = 1.0,
                              max_weight: Optional[float] = None) -> Tensor:
    """Class weights ``frequency ** -power``, normalised to mean 1 per pixel.

    Args:
        counts (Tensor): Pixel count of each class, shape (K,).
        power (float): 1 is inverse frequency, 0.5 its square root, 0 no
            weighting. Defaults to 1.
        max_weight (float, optional): Upper bound of a weight after
            normalisation. Defaults to None.

    Returns:
        Tensor: Weights of shape (K,); ``sum(freq * weight) == 1`` before
        clipping, and classes never seen get the largest weight of the seen
        ones (1 when none was seen).

    Shape:
        - counts: (K,)
        - output: (K,)
    """
    counts = counts.double()
    seen = counts > 0
    if not seen.any():
        return torch.ones_like(counts, dtype=torch.float32)
    freq = counts / counts.sum()
    weights = torch.ones_like(freq)
    weights[seen] = freq[seen].pow(-power)
    weights /= (freq * weights).sum()
    weights[~seen] = weights[seen].max()
    if max_weight is not None:
        weights = weights.clamp(max=max_weight)
    return weights.float()


def weighted_cross_entropy(pred: Tensor,
                           label: Tensor,
                           class_weight: Optional[Tensor] = None,
                           weight: Optional[Tensor] = None,
                           ignore_index: int = 255,
                           reduction: str = 'mean') -> Tensor:
    """Pixel-wise cross-entropy, averaged over the weights of valid pixels.

    The mean is ``sum(w_i * ce_i) / sum(w_i)`` over pixels whose label is
    not ``ignore_index``, with ``w_i`` the class weight of the label times
    the pixel weight, as :func:`torch.nn.functional.cross_entropy` with
    ``weight=`` does; a batch without valid pixels gives 0, not NaN.

    Args:
        pred (Tensor): Logits.
        label (Tensor): Class indices.
        class_weight (Tensor, optional): Weight of each class.
            Defaults to None.
        weight (Tensor, optional): Weight of each pixel. Defaults to None.
        ignore_index (int): Label ignored. Defaults to 255.
        reduction (str): ``'mean'``, ``'sum'`` or ``'none'``.
            Defaults to ``'mean'``.

    Returns:
        Tensor: The loss, a scalar or (N, H, W) for ``'none'``.

    Shape:
        - pred: (N, K, H, W)
        - label: (N, H, W)
        - class_weight: (K,)
        - weight: (N, H, W)
    """
    loss = F.cross_entropy(
        pred, label, reduction='none', ignore_index=ignore_index)
    valid = label != ignore_index
    pixel_weight = valid.to(pred.dtype)
    if class_weight is not None:
        pixel_weight = pixel_weight * class_weight.to(pred)[label.clamp(
            0, pred.shape[1] - 1)]
    if weight is not None:
        pixel_weight = pixel_weight * weight.to(pred)
    loss = loss * pixel_weight
    if reduction == 'none':
        return loss
    if reduction == 'sum':
        return loss.sum()
    return loss.sum() / pixel_weight.sum().clamp(min=1e-12)


@MODELS.register_module()
class InverseFrequencyCrossEntropyLoss(nn.Module):
    """Cross-entropy weighted by inverse class frequency.

    The weights are either given (``class_weight``) or computed from the
    pixel counts of the labels seen in training so far (a running count kept
    in a buffer, so it is saved with the checkpoint and converges to the
    training set's class frequencies): ``freq ** -power``, normalised so that
    the weighted mean over pixels is 1, optionally clipped at
    ``max_weight``.

    Args:
        num_classes (int): Number of classes K.
        class_weight (Sequence[float], optional): Fixed weights; None
            computes them. Defaults to None.
        power (float): Exponent of the inverse frequency (1: inverse
            frequency, 0.5: its square root, 0: unweighted).
            Defaults to 1.
        max_weight (float, optional): Clip computed weights at this value.
            Defaults to None.
        loss_weight (float): Multiplier of the loss. Defaults to 1.
        loss_name (str): Name in the loss dict; starts with ``loss_``.
            Defaults to ``'loss_ce'``.
    """

    def __init__(self,
                 num_classes: int,
                 class_weight: Optional[Sequence[float]] = None,
                 power: float = 1.0,
                 max_weight: Optional[float] = None,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_ce') -> None:
        super().__init__()
        if class_weight is not None and len(class_weight) != num_classes:
            raise DataError(
                f'InverseFrequencyCrossEntropyLoss: {len(class_weight)} '
                f'class weights for {num_classes} classes.',
                fix='Give one weight per class, or class_weight=None to '
                'compute them.')
        if not loss_name.startswith('loss_'):
            raise DataError(
                f'Loss name `{loss_name}` does not start with `loss_`, so '
                'mmengine would not back-propagate it.',
                fix="Name it e.g. 'loss_ce'.")
        self.num_classes = num_classes
        self.power = power
        self.max_weight = max_weight
        self.loss_weight = loss_weight
        self._loss_name = loss_name
        self.fixed_weight = class_weight is not None
        self.register_buffer(
            'class_weight',
            torch.tensor(class_weight, dtype=torch.float32)
            if class_weight is not None else torch.ones(num_classes))
        self.register_buffer('class_counts',
                             torch.zeros(num_classes, dtype=torch.float64))

    @torch.no_grad()
    def update_weights(self, label: Tensor, ignore_index: int) -> None:
        """Add the valid pixels of ``label`` to the counts, renew weights.

        Args:
            label (Tensor): Class indices, any shape.
            ignore_index (int): Label not counted.
        """
        valid = label[(label != ignore_index) & (label >= 0) &
                      (label < self.num_classes)]
        self.class_counts += torch.bincount(
            valid.flatten(), minlength=self.num_classes).to(self.class_counts)
        self.class_weight.copy_(
            inverse_frequency_weights(self.class_counts, self.power,
                                      self.max_weight))

    def forward(self,
                cls_score: Tensor,
                label: Tensor,
                weight: Optional[Tensor] = None,
                avg_factor: Optional[int] = None,
                reduction_override: Optional[str] = None,
                ignore_index: int = 255,
                **kwargs) -> Tensor:
        """Compute the loss.

        Args:
            cls_score (Tensor): Logits, (N, K, H, W).
            label (Tensor): Class indices, (N, H, W).
            weight (Tensor, optional): Pixel weights, (N, H, W).
                Defaults to None.
            avg_factor (int, optional): Divide the summed loss by this
                instead of the summed weights. Defaults to None.
            reduction_override (str, optional): ``'none'``, ``'mean'`` or
                ``'sum'``. Defaults to None (``'mean'``).
            ignore_index (int): Label ignored. Defaults to 255.

        Returns:
            Tensor: The weighted loss.
        """
        if self.training and not self.fixed_weight:
            self.update_weights(label, ignore_index)
        reduction = reduction_override or 'mean'
        if avg_factor is not None and reduction == 'mean':
            loss = weighted_cross_entropy(cls_score, label, self.class_weight,
                                          weight, ignore_index,
                                          'sum') / avg_factor
        else:
            loss = weighted_cross_entropy(cls_score, label, self.class_weight,
                                          weight, ignore_index, reduction)
        return self.loss_weight * loss

    @property
    def loss_name(self) -> str:
        """The name of the loss in the loss dict."""
        return self._loss_name
