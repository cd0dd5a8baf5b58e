from .camvid import CamVidDataset
from .fasseg import FASSEGDataset
from .transforms import *  # noqa: F401,F403

__all__ = ['CamVidDataset', 'FASSEGDataset']
