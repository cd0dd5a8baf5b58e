"""Where the pix2pixHD modules are registered: mmseg always, mmagic if usable.

Wang et al., "High-Resolution Image Synthesis and Semantic Manipulation with
Conditional GANs", CVPR 2018, is trained and served by this project without
MMagic's models: :class:`Pix2PixHD`, its generator and its discriminator go
into mmseg's ``MODELS`` (``type='Pix2PixHD'`` in the project's mmseg-scoped
configs), whose modules import on numpy 1.x and 2.x alike. Where MMagic is
installed they go into ``mmagic.registry.MODELS`` as well, so that
``type='mmagic.Pix2PixHD'`` keeps working in MMagic configs (building a
``mmagic.`` type makes mmengine import all of ``mmagic.models``, which needs
numpy < 2 and MMagic's own dependencies).

Where MMagic is not installed (it is the optional extra
``mmseg_synaug[synthesis]``), a ``mmagic.Pix2PixHD`` (or generator,
discriminator) type raises a :class:`ModuleNotFoundError` that says to
install it or to use the mmseg type.
"""
from typing import Callable, Optional, Type

from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import Registry
from mmseg.registry import MODELS

__all__ = ['MMAGIC_MODELS', 'MMAGIC_IMPORT_ERROR', 'register_gan_module']

#: Names this project registers; ``mmagic.<name>`` gets a clear error
#: where MMagic is missing.
GAN_MODULE_NAMES = ('Pix2PixHD', 'Pix2PixHDGenerator',
                    'MultiScalePatchDiscriminator')

MMAGIC_MODELS: Optional[Registry]
MMAGIC_IMPORT_ERROR: Optional[str]
try:
    # Only mmagic/__init__.py (mmcv, mmengine) and mmagic/registry.py
    # (mmengine) are imported here, never mmagic.models.
    from mmagic.registry import MODELS as MMAGIC_MODELS
    MMAGIC_IMPORT_ERROR = None
except (ImportError, AssertionError) as error:  # AssertionError: its mmcv
    MMAGIC_MODELS = None  # version check
    MMAGIC_IMPORT_ERROR = f'{type(error).__name__}: {error}'


def missing_mmagic_message(name: str) -> str:
    """What a user of ``type='mmagic.<name>'`` reads without MMagic."""
    return (f"type='mmagic.{name}' needs MMagic, which cannot be imported "
            f'here ({MMAGIC_IMPORT_ERROR}). Install the image-synthesis '
            "extra (pip install 'mmseg_synaug[synthesis]'), or name the "
            f"project's own registration type='{name}' (mmseg's registry, "
            'default_scope mmseg), which needs no MMagic.')


def _missing_mmagic(name: str) -> Callable:

    def build(*args, **kwargs):
        raise ModuleNotFoundError(missing_mmagic_message(name))

    build.__name__ = name
    return build


def _register_missing_mmagic_scope() -> None:
    """A ``mmagic`` scope whose GAN types explain how to get MMagic.

    mmengine resolves ``mmagic.X`` through the root registry's child of
    scope ``mmagic``; without MMagic there is none and the user would read
    a bare ``KeyError``. This child holds only the names above.
    """
    if 'mmagic' in MMENGINE_MODELS.children:
        return
    # Its location is this module (imported already): mmengine then does
    # not try `mmagic.utils` when the stub is first searched.
    stub = Registry(
        'model', parent=MMENGINE_MODELS, scope='mmagic', locations=[__name__])
    for name in GAN_MODULE_NAMES:
        stub.register_module(name=name, module=_missing_mmagic(name))


if MMAGIC_MODELS is None:
    _register_missing_mmagic_scope()


def register_gan_module(cls: Type) -> Type:
    """Register a class into mmseg's MODELS and, if usable, mmagic's.

    Args:
        cls (type): The module class.

    Returns:
        type: ``cls``, so that this works as a decorator.
    """
    MODELS.register_module(module=cls)
    if MMAGIC_MODELS is not None:
        MMAGIC_MODELS.register_module(module=cls)
    return cls
