"""mmseg_synaug: GAN-based data augmentation for semantic segmentation.

Importing the package (``custom_imports = dict(imports=['mmseg_synaug'])``)
registers its datasets, transforms, models, hooks and metrics into mmseg's
registries, and allow-lists mmengine's checkpoint types for torch >= 2.6.
"""
from .utils import register_checkpoint_safe_globals
from .version import __version__

register_checkpoint_safe_globals()

from . import datasets, engine, evaluation, models  # noqa: E402,F401

__all__ = ['__version__']
