"""Label-to-image generators (mmagic), named ``type='mmagic.Pix2PixHD'``
from mmseg-scoped configs. The feature GAN lives in ``models/gans/``.
"""
from .multiscale_discriminator import (MultiScalePatchDiscriminator,
                                       PatchDiscriminatorWithFeatures)
from .pix2pixhd import Pix2PixHD, instance_boundaries
from .pix2pixhd_generator import Pix2PixHDGenerator, ResidualBlock

__all__ = [
    'Pix2PixHD', 'Pix2PixHDGenerator', 'MultiScalePatchDiscriminator',
    'PatchDiscriminatorWithFeatures', 'ResidualBlock', 'instance_boundaries'
]
