"""The "PSPNet-score" of features: how well the rest of a segmentor reads them.

He, Schiele and Fritz judge synthetic features by passing them through the
frozen layers of the segmentor after the stage they imitate and measuring
the mIoU of the prediction against the masks they were generated from;
real features of the same patches give the reference.
"""
from typing import Dict, Optional

import numpy as np
import torch
import torch.nn as nn
from mmseg.evaluation import IoUMetric

from ..models.feature_synthesis import logits_from_stage
from .metrics.seg_metric import segmentation_scores

__all__ = ['FeatureScore']


class FeatureScore:
    """Accumulates the pixel counts of features' predictions against masks.

    Args:
        segmentor (nn.Module): The frozen segmentor (eval mode is set).
        stage_index (int): Stage the features stand for.
        num_classes (int, optional): Number of classes. Defaults to None
            (the decode head's).
        ignore_index (int): Label left out. Defaults to 255.

    Example:
        >>> score = FeatureScore(segmentor, stage_index=2)
        >>> score.update(features, masks)
        >>> score.compute()['mIoU']
    """

    def __init__(self,
                 segmentor: nn.Module,
                 stage_index: int,
                 num_classes: Optional[int] = None,
                 ignore_index: int = 255) -> None:
        self.segmentor = segmentor
        segmentor.eval()
        self.stage_index = stage_index
        self.num_classes = num_classes or segmentor.decode_head.num_classes
        self.ignore_index = ignore_index
        self.counts = [np.zeros(self.num_classes) for _ in range(4)]

    @torch.no_grad()
    def update(self, features: torch.Tensor,
               masks: torch.Tensor) -> torch.Tensor:
        """Add a batch; return its predicted labels.

        Args:
            features (Tensor): Stage features, (N, C_s, h, w).
            masks (Tensor): Labels, (N, H, W).

        Returns:
            Tensor: Predicted labels, (N, H, W).
        """
        logits = logits_from_stage(self.segmentor, features, self.stage_index,
                                   tuple(masks.shape[-2:]))
        preds = logits.argmax(dim=1)
        for pred, mask in zip(preds, masks):
            batch = IoUMetric.intersect_and_union(pred, mask, self.num_classes,
                                                  self.ignore_index)
            for total, count in zip(self.counts, batch):
                total += count.cpu().numpy().astype(np.float64)
        return preds

    def compute(self) -> Dict[str, np.ndarray]:
        """Scores of :func:`segmentation_scores` (fractions, not percent)."""
        return segmentation_scores(*self.counts)
