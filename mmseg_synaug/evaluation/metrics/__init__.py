from .coarse_to_fine_metric import CoarseToFineMetric
from .seg_metric import SegMetric, segmentation_scores

__all__ = ['CoarseToFineMetric', 'SegMetric', 'segmentation_scores']
