"""A tiny Pix2PixHD and a CamVid batch for the generator tests (import it)."""
from mmengine.dataset import pseudo_collate

from mmseg_synaug.datasets import CamVidDataset
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


def camvid_batch(camvid_root: str, num: int = 2, size: int = 64) -> dict:
    """``num`` CamVid training samples, ``size`` crops, collated."""
    dataset = CamVidDataset(
        data_root=camvid_root,
        indices=num,
        pipeline=[
            dict(type='LoadCheckedImage'),
            dict(type='LoadCheckedAnnotations', num_classes=NUM_CLASSES),
            dict(type='RandomCrop', crop_size=(size, size)),
            dict(type='PackSegInputs')
        ])
    return pseudo_collate([dataset[i] for i in range(num)])
