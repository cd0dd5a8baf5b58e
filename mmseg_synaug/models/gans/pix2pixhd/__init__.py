"""pix2pixHD (Wang et al., CVPR 2018): model, generator, discriminators.

Registered in mmseg's ``MODELS`` (``type='Pix2PixHD'``) and, where MMagic
is installed, in MMagic's (``type='mmagic.Pix2PixHD'``); see
:mod:`.registration`.
"""
from .label_input import instance_boundaries, label_to_input
from .multiscale_discriminator import (MultiScalePatchDiscriminator,
                                       PatchDiscriminatorWithFeatures)
from .pix2pixhd import Pix2PixHD
from .pix2pixhd_generator import Pix2PixHDGenerator, ResidualBlock

__all__ = [
    'Pix2PixHD', 'Pix2PixHDGenerator', 'MultiScalePatchDiscriminator',
    'PatchDiscriminatorWithFeatures', 'ResidualBlock', 'instance_boundaries',
    'label_to_input'
]
