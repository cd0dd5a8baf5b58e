"""Feature GAN of He, Schiele and Fritz: generator, encoder, discriminator."""
from .discriminator import FeatureDiscriminator, FeatureEncoder
from .feature_bicyclegan import FeatureBicycleGAN
from .generator import ASPPLayoutEncoder, FeatureGenerator, FeatureUNet

__all__ = [
    'ASPPLayoutEncoder', 'FeatureBicycleGAN', 'FeatureDiscriminator',
    'FeatureEncoder', 'FeatureGenerator', 'FeatureUNet'
]
