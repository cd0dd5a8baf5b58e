from .pixel_discriminator import PixelDiscriminator

__all__ = ['PixelDiscriminator']
