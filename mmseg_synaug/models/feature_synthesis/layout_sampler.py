"""Draws the layouts of synthetic features from mask sources by weight.

He, Schiele and Fritz, "Synthetic Convolutional Features for Improved
Semantic Segmentation" (2018) generate features from the masks of the
training set and from other label maps; the sources are in
``mask_sources.py``.
"""
import random
from typing import List, Optional, Sequence

import torch
import torch.nn as nn
from mmseg.registry import TASK_UTILS

from .mask_sources import MaskSource

__all__ = ['LayoutSampler']


@TASK_UTILS.register_module()
class LayoutSampler:
    """Draws layouts from mask sources, one source per layout by weight.

    Which source gives each of the ``num`` layouts is drawn on the host
    (Python's ``random``, no tensor work); each source then
    draws its share in one vectorised call on the batch's device.

    Args:
        sources (Sequence[dict]): Mask source configs:
            ``dict(type='BatchMaskSource')`` (the batch's masks),
            ``dict(type='DatasetMaskSource', dataset=...)`` (e.g. val
            masks), ``dict(type='FolderMaskSource', path=...)`` (label
            maps, e.g. LabelRecomposition output),
            ``dict(type='PseudoLabelMaskSource', dataset=...,
            threshold=0.9)``; each takes a ``weight``.
            Defaults to ``(dict(type='BatchMaskSource'),)``.
        seed (int, optional): Seed of the host-side source choice.
            Defaults to None.
    """

    def __init__(self,
                 sources: Sequence[dict] = (dict(type='BatchMaskSource'), ),
                 seed: Optional[int] = None) -> None:
        if not sources:
            raise ValueError('LayoutSampler needs at least one mask source.')
        self.sources: List[MaskSource] = [
            TASK_UTILS.build(cfg) if isinstance(cfg, dict) else cfg
            for cfg in sources
        ]
        self.weights = [source.weight for source in self.sources]
        self.rng = random.Random(seed)

    def prepare(self, segmentor: Optional[nn.Module] = None) -> None:
        """Load every source (datasets, folders, pseudo-labels)."""
        for source in self.sources:
            source.prepare(segmentor)

    def sample(self, num: int, batch_masks: torch.Tensor) -> torch.Tensor:
        """``num`` layouts of the batch's size, on its device.

        Args:
            num (int): How many.
            batch_masks (Tensor): Labels of the training batch, (N, H, W).

        Returns:
            Tensor: (num, H, W) int64 labels.
        """
        if len(self.sources) == 1:
            return self.sources[0].sample(num, batch_masks)
        counts = [0] * len(self.sources)
        for index in self.rng.choices(
                range(len(self.sources)), self.weights, k=num):
            counts[index] += 1
        parts = [
            source.sample(count, batch_masks)
            for source, count in zip(self.sources, counts) if count
        ]
        return torch.cat(parts)
