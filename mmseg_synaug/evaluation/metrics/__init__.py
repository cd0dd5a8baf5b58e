from .seg_metric import SegMetric, segmentation_scores

__all__ = ['SegMetric', 'segmentation_scores']
