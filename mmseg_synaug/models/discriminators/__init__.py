from .label_map_discriminator import LabelMapDiscriminator
from .pixel_discriminator import PixelDiscriminator

__all__ = ['LabelMapDiscriminator', 'PixelDiscriminator']
