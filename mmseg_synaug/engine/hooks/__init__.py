from .feature_synthesis_hook import FeatureSynthesisHook
from .mask_sources import (BatchMaskSource, DatasetMaskSource,
                           FolderMaskSource, MaskSource,
                           PseudoLabelMaskSource, build_mask_source, fit_mask)

__all__ = [
    'FeatureSynthesisHook', 'BatchMaskSource', 'DatasetMaskSource',
    'FolderMaskSource', 'MaskSource', 'PseudoLabelMaskSource',
    'build_mask_source', 'fit_mask'
]
