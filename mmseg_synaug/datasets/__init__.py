from .camvid import CamVidDataset
from .cityscapes_coarse_fine import CityscapesCoarseFineDataset
from .fasseg import FASSEGDataset
from .synthetic_mix_dataset import SyntheticMixDataset
from .transforms import *  # noqa: F401,F403

__all__ = [
    'CamVidDataset', 'CityscapesCoarseFineDataset', 'FASSEGDataset',
    'SyntheticMixDataset'
]
