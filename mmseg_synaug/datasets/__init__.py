from .camvid import CamVidDataset
from .cityscapes_coarse_fine import CityscapesCoarseFineDataset
from .fasseg import FASSEGDataset
from .synthetic_mix_dataset import SyntheticMixDataset
from .transforms import *  # noqa: F401,F403

<<<<<<< HEAD
__all__ = ['CamVidDataset', 'FASSEGDataset', 'SyntheticMixDataset']
=======
__all__ = ['CamVidDataset', 'CityscapesCoarseFineDataset', 'FASSEGDataset']
>>>>>>> coarse-to-fine
