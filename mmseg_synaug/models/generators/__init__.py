"""Generators: feature synthesis (mmseg MODELS).

The pix2pixHD image generator lives in :mod:`mmseg_synaug.models.gans`.
"""
from .feature_generator import (ASPPLayoutEncoder, FeatureBicycleGAN,
                                FeatureDiscriminator, FeatureEncoder,
                                FeatureGenerator, FeatureUNet, mask_to_onehot)

__all__ = [
    'ASPPLayoutEncoder', 'FeatureBicycleGAN', 'FeatureDiscriminator',
    'FeatureEncoder', 'FeatureGenerator', 'FeatureUNet', 'mask_to_onehot'
]
