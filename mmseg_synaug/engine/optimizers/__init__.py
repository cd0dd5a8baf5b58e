from .adversarial_optim_wrapper_constructor import \
    AdversarialOptimWrapperConstructor
from .submodule_constructor import SubmoduleOptimWrapperConstructor

__all__ = [
    'AdversarialOptimWrapperConstructor', 'SubmoduleOptimWrapperConstructor'
]
