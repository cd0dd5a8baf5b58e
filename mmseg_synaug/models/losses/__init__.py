from .adversarial_loss import AdversarialLoss, adversarial_loss
from .gan_loss import feature_matching_loss, lsgan_loss, multiscale_lsgan_loss
from .inverse_frequency_ce_loss import (InverseFrequencyCrossEntropyLoss,
                                        inverse_frequency_weights,
                                        weighted_cross_entropy)
from .label_smoothing_loss import (LabelSmoothingLoss,
                                   label_smoothing_cross_entropy)
from .vgg_perceptual_loss import VGG19_LAYERS, VGGPerceptualLoss

__all__ = [
    'AdversarialLoss', 'adversarial_loss', 'InverseFrequencyCrossEntropyLoss',
    'inverse_frequency_weights', 'weighted_cross_entropy',
    'LabelSmoothingLoss', 'label_smoothing_cross_entropy', 'lsgan_loss',
    'multiscale_lsgan_loss', 'feature_matching_loss', 'VGGPerceptualLoss',
    'VGG19_LAYERS'
]
