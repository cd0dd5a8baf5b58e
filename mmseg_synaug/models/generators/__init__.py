from .feature_generator import (ASPPLayoutEncoder, FeatureBicycleGAN,
                                FeatureDiscriminator, FeatureEncoder,
                                FeatureGenerator, FeatureUNet, mask_to_onehot)

__all__ = [
    'ASPPLayoutEncoder', 'FeatureBicycleGAN', 'FeatureDiscriminator',
    'FeatureEncoder', 'FeatureGenerator', 'FeatureUNet', 'mask_to_onehot'
]
