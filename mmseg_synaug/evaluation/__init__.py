from .feature_score import FeatureScore
from .metrics import CoarseToFineMetric, SegMetric, segmentation_scores

__all__ = [
    'CoarseToFineMetric', 'FeatureScore', 'SegMetric', 'segmentation_scores'
]
