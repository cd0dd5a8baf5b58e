from .feature_synthesis_hook import FeatureSynthesisHook
from .generator_grid_hook import GeneratorGridHook, label_to_colour
from .mask_sources import (BatchMaskSource, DatasetMaskSource,
                           FolderMaskSource, MaskSource,
                           PseudoLabelMaskSource, build_mask_source, fit_mask)

__all__ = [
    'FeatureSynthesisHook', 'GeneratorGridHook', 'label_to_colour',
    'BatchMaskSource', 'DatasetMaskSource', 'FolderMaskSource', 'MaskSource',
    'PseudoLabelMaskSource', 'build_mask_source', 'fit_mask'
]
