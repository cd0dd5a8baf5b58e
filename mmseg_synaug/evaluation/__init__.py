from .metrics import CoarseToFineMetric, SegMetric, segmentation_scores

__all__ = ['CoarseToFineMetric', 'SegMetric', 'segmentation_scores']
