<<<<<<< HEAD
from .feature_score import FeatureScore
from .metrics import SegMetric, segmentation_scores

__all__ = ['FeatureScore', 'SegMetric', 'segmentation_scores']
=======
from .metrics import CoarseToFineMetric, SegMetric, segmentation_scores

__all__ = ['CoarseToFineMetric', 'SegMetric', 'segmentation_scores']
>>>>>>> coarse-to-fine
