"""Label-map-to-image generators, registered in ``mmagic.registry.MODELS``.

Name them ``type='mmagic.Pix2PixHD'`` from mmseg-scoped configs.
"""
from .multiscale_discriminator import (MultiScalePatchDiscriminator,
                                       PatchDiscriminatorWithFeatures)
from .pix2pixhd import Pix2PixHD, instance_boundaries
from .pix2pixhd_generator import Pix2PixHDGenerator, ResidualBlock

__all__ = [
    'Pix2PixHD', 'Pix2PixHDGenerator', 'MultiScalePatchDiscriminator',
    'PatchDiscriminatorWithFeatures', 'ResidualBlock', 'instance_boundaries'
]
