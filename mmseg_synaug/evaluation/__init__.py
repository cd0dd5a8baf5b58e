from .metrics import SegMetric, segmentation_scores

__all__ = ['SegMetric', 'segmentation_scores']
