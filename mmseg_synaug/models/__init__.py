from .backbones import VGG
from .discriminators import LabelMapDiscriminator
from .losses import AdversarialLoss, adversarial_loss
from .segmentors import AdversarialEncoderDecoder

__all__ = [
    'VGG', 'LabelMapDiscriminator', 'AdversarialLoss', 'adversarial_loss',
    'AdversarialEncoderDecoder'
]
