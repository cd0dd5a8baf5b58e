from .feature_score import FeatureScore
from .metrics import SegMetric, segmentation_scores

__all__ = ['FeatureScore', 'SegMetric', 'segmentation_scores']
