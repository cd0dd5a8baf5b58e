from .fc_discriminator import FCDiscriminator
from .label_map_discriminator import LabelMapDiscriminator
from .pixel_discriminator import PixelDiscriminator

__all__ = ['FCDiscriminator', 'LabelMapDiscriminator', 'PixelDiscriminator']
