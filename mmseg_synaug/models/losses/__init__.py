from .gan_loss import (GAN_TYPES, AdversarialLoss, adversarial_loss,
                       feature_matching_loss, gan_loss, lsgan_loss,
                       multiscale_lsgan_loss)
from .inverse_frequency_ce_loss import (InverseFrequencyCrossEntropyLoss,
                                        inverse_frequency_weights,
                                        weighted_cross_entropy)
from .label_smoothing_loss import (LabelSmoothingLoss,
                                   label_smoothing_cross_entropy)
from .vgg_perceptual_loss import VGG19_LAYERS, VGGPerceptualLoss

__all__ = [
    'AdversarialLoss', 'GAN_TYPES', 'gan_loss', 'adversarial_loss',
    'InverseFrequencyCrossEntropyLoss', 'inverse_frequency_weights',
    'weighted_cross_entropy', 'LabelSmoothingLoss',
    'label_smoothing_cross_entropy', 'lsgan_loss', 'multiscale_lsgan_loss',
    'feature_matching_loss', 'VGGPerceptualLoss', 'VGG19_LAYERS'
]
