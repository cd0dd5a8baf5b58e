from .generator_grid_hook import GeneratorGridHook, label_to_colour

__all__ = ['GeneratorGridHook', 'label_to_colour']
