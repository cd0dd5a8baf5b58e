from .label_map_discriminator import LabelMapDiscriminator

__all__ = ['LabelMapDiscriminator']
