from .segnet_encoder import SegNetEncoder, SegNetFeatures
from .vgg import VGG

__all__ = ['SegNetEncoder', 'SegNetFeatures', 'VGG']
