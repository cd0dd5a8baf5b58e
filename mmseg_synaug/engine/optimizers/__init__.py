from .multi_optim_wrapper_constructor import (MultiOptimWrapperConstructor,
                                              select_modules)

__all__ = ['MultiOptimWrapperConstructor', 'select_modules']
