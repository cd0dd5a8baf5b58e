"""A tiny Pix2PixHD shared by the generator tests (import it)."""
from mmseg_synaug.models import Pix2PixHD

NUM_CLASSES = 11


def tiny_pix2pixhd(**kwargs) -> Pix2PixHD:
    """Pix2PixHD with widths of 4-16 channels, for CPU tests."""
    cfg = dict(
        num_classes=NUM_CLASSES,
        generator=dict(base_channels=4, num_downsamples=2, num_blocks=1),
        discriminator=dict(num_scales=2, base_channels=4))
    cfg.update(kwargs)
    return Pix2PixHD(**cfg)
