"""Cross-entropy with label smoothing on synthetic samples only.

He, Schiele and Fritz, "Synthetic Convolutional Features for Improved
Semantic Segmentation": samples synthesized from label masks are trained
against the smoothed target q_eps (1 - (K-1) eps / K for the labelled
class, eps / K for each other class); real samples keep plain
cross-entropy (eps = 0).
"""
from typing import List, Optional, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.models.losses.utils import get_class_weight, weight_reduce_loss
from mmseg.registry import MODELS


def label_smoothing_cross_entropy(
        pred: torch.Tensor,
        label: torch.Tensor,
        epsilon: Union[float, torch.Tensor],
        weight: Optional[torch.Tensor] = None,
        class_weight: Optional[List[float]] = None,
        reduction: str = 'mean',
        avg_factor: Optional[float] = None,
        ignore_index: int = 255,
        avg_non_ignore: bool = False) -> torch.Tensor:
    """Cross-entropy against q_eps, with a smoothing strength per sample.

    Per pixel: ``(1 - eps) * w_y * (-log p_y) + eps / K * sum_c w_c *
    (-log p_c)``, as ``F.cross_entropy(label_smoothing=eps)``; ignored
    pixels give 0. The ``'mean'`` reduction follows mmseg's
    ``cross_entropy``: without class weights it divides by the number of
    pixels (``avg_non_ignore=False``) or of non-ignored pixels
    (``avg_non_ignore=True``); with class weights it divides by the sum of
    the weights of the valid targets, ``sum_i w_{y_i}``, as torch's
    ``F.cross_entropy(weight=...)`` and mmseg do. (mmseg looks up the
    weight of every label, ignored ones included, and fails on them; here
    they never count.) An explicit ``avg_factor`` wins.

    Args:
        pred (Tensor): Logits, shape (N, K, H, W).
        label (Tensor): Class indices, shape (N, H, W).
        epsilon (float or Tensor): Smoothing strength, one for all or one
            per sample, shape (N,); 0 is plain cross-entropy.
        weight (Tensor, optional): Per-pixel weights, (N, H, W).
            Defaults to None.
        class_weight (list[float], optional): Per-class weights w_c.
            Defaults to None.
        reduction (str): ``'none'``, ``'mean'`` or ``'sum'``.
            Defaults to ``'mean'``.
        avg_factor (float, optional): Divisor of the mean. Defaults to None.
        ignore_index (int): Label ignored. Defaults to 255.
        avg_non_ignore (bool): Without class weights, average over
            non-ignored pixels only. Defaults to False.

    Returns:
        Tensor: The loss.

    Shape:
        - pred: (N, K, H, W); label, weight: (N, H, W); epsilon: () or (N,)
    """
    num_classes = pred.shape[1]
    log_prob = F.log_softmax(pred, dim=1)
    valid = label != ignore_index
    safe_label = torch.where(valid, label, torch.zeros_like(label))
    class_w = (
        pred.new_tensor(class_weight)
        if class_weight is not None else pred.new_ones(num_classes))
    nll = -log_prob.gather(1, safe_label.unsqueeze(1)).squeeze(1)
    nll = nll * class_w[safe_label]
    uniform = -(log_prob * class_w.view(1, -1, 1, 1)).sum(1) / num_classes
    eps = torch.as_tensor(epsilon, dtype=pred.dtype, device=pred.device)
    if eps.dim() == 1:
        eps = eps.view(-1, 1, 1)
    loss = ((1 - eps) * nll + eps * uniform) * valid

    if avg_factor is None and reduction == 'mean':
        if class_weight is not None:
            # The sum of the weights of the valid targets, as torch's
            # weighted mean and mmseg's cross_entropy.
            avg_factor = (class_w[safe_label] * valid).sum()
        elif avg_non_ignore:
            avg_factor = valid.sum().item()
    if weight is not None:
        weight = weight.float()
    return weight_reduce_loss(
        loss, weight=weight, reduction=reduction, avg_factor=avg_factor)


@MODELS.register_module()
class LabelSmoothingLoss(nn.Module):
    """mmseg loss usable in place of CrossEntropyLoss; smooths synthetic data.

    With ``is_synthetic`` given (a bool per sample), synthetic samples are
    trained against q_eps and real ones with plain cross-entropy; without
    it, every sample is smoothed.

    Args:
        epsilon (float): Smoothing strength on synthetic samples.
            Defaults to 0.1.
        reduction (str): ``'none'``, ``'mean'`` or ``'sum'``.
            Defaults to ``'mean'``.
        class_weight (list[float] or str, optional): Per-class weights, or a
            file holding them. Defaults to None.
        loss_weight (float): Multiplier of the loss. Defaults to 1.0.
        loss_name (str): Name in the logs. Defaults to
            ``'loss_label_smoothing'``.
        avg_non_ignore (bool): Average over non-ignored pixels only;
            with ``class_weight`` the mean is always over the weights of
            the non-ignored pixels. Defaults to False.
    """

    def __init__(self,
                 epsilon: float = 0.1,
                 reduction: str = 'mean',
                 class_weight: Optional[Union[List[float], str]] = None,
                 loss_weight: float = 1.0,
                 loss_name: str = 'loss_label_smoothing',
                 avg_non_ignore: bool = False) -> None:
        super().__init__()
        if not 0 <= epsilon < 1:
            raise ValueError(f'epsilon must be in [0, 1), got {epsilon}.')
        self.epsilon = epsilon
        self.reduction = reduction
        self.class_weight = get_class_weight(class_weight)
        self.loss_weight = loss_weight
        self._loss_name = loss_name
        self.avg_non_ignore = avg_non_ignore

    def forward(self,
                cls_score: torch.Tensor,
                label: torch.Tensor,
                weight: Optional[torch.Tensor] = None,
                avg_factor: Optional[float] = None,
                reduction_override: Optional[str] = None,
                ignore_index: int = 255,
                is_synthetic: Optional[torch.Tensor] = None,
                **kwargs) -> torch.Tensor:
        """Compute the loss.

        Args:
            cls_score (Tensor): Logits, (N, K, H, W).
            label (Tensor): Class indices, (N, H, W).
            weight (Tensor, optional): Per-pixel weights. Defaults to None.
            avg_factor (float, optional): Divisor of the mean.
                Defaults to None.
            reduction_override (str, optional): Overrides ``reduction``.
                Defaults to None.
            ignore_index (int): Label ignored. Defaults to 255.
            is_synthetic (Tensor, optional): Bool per sample, (N,); None
                smooths every sample. Defaults to None.

        Returns:
            Tensor: The weighted loss.
        """
        epsilon: Union[float, torch.Tensor] = self.epsilon
        if is_synthetic is not None:
            epsilon = is_synthetic.to(cls_score.dtype) * self.epsilon
        return self.loss_weight * label_smoothing_cross_entropy(
            cls_score,
            label,
            epsilon,
            weight=weight,
            class_weight=self.class_weight,
            reduction=reduction_override or self.reduction,
            avg_factor=avg_factor,
            ignore_index=ignore_index,
            avg_non_ignore=self.avg_non_ignore)

    @property
    def loss_name(self) -> str:
        return self._loss_name
