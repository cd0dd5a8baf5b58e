"""Generators: feature synthesis (mmseg MODELS) and label-to-image (mmagic).

Name the image generator ``type='mmagic.Pix2PixHD'`` from mmseg-scoped
configs.
"""
from .feature_generator import (ASPPLayoutEncoder, FeatureBicycleGAN,
                                FeatureDiscriminator, FeatureEncoder,
                                FeatureGenerator, FeatureUNet, mask_to_onehot)
from .multiscale_discriminator import (MultiScalePatchDiscriminator,
                                       PatchDiscriminatorWithFeatures)
from .pix2pixhd import Pix2PixHD, instance_boundaries
from .pix2pixhd_generator import Pix2PixHDGenerator, ResidualBlock

__all__ = [
    'ASPPLayoutEncoder', 'FeatureBicycleGAN', 'FeatureDiscriminator',
    'FeatureEncoder', 'FeatureGenerator', 'FeatureUNet', 'mask_to_onehot',
    'Pix2PixHD', 'Pix2PixHDGenerator', 'MultiScalePatchDiscriminator',
    'PatchDiscriminatorWithFeatures', 'ResidualBlock', 'instance_boundaries'
]
