from .gan_loss import (feature_matching_loss, lsgan_loss,
                       multiscale_lsgan_loss)
from .label_smoothing_loss import (LabelSmoothingLoss,
                                   label_smoothing_cross_entropy)
from .vgg_perceptual_loss import VGG19_LAYERS, VGGPerceptualLoss

__all__ = [
    'LabelSmoothingLoss', 'label_smoothing_cross_entropy', 'lsgan_loss',
    'multiscale_lsgan_loss', 'feature_matching_loss', 'VGGPerceptualLoss',
    'VGG19_LAYERS'
]
