from .feature_synthesis_hook import FeatureSynthesisHook
from .generator_grid_hook import GeneratorGridHook

__all__ = ['FeatureSynthesisHook', 'GeneratorGridHook']
