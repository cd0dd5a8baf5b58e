from .optimizers import AdversarialOptimWrapperConstructor

__all__ = ['AdversarialOptimWrapperConstructor']
