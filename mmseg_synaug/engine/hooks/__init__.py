from .feature_synthesis_hook import FeatureSynthesisHook
from .generator_grid_hook import GeneratorGridHook
from .mask_sources import (BatchMaskSource, DatasetMaskSource,
                           FolderMaskSource, MaskSource,
                           PseudoLabelMaskSource, build_mask_source, fit_mask)

__all__ = [
    'FeatureSynthesisHook', 'GeneratorGridHook',
    'BatchMaskSource', 'DatasetMaskSource', 'FolderMaskSource', 'MaskSource',
    'PseudoLabelMaskSource', 'build_mask_source', 'fit_mask'
]
