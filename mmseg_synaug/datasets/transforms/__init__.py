from .albu_seg import AlbuSeg
from .loading import (LoadCheckedAnnotations, LoadCheckedImage,
                      LoadFASSEGAnnotations)

__all__ = [
    'AlbuSeg', 'LoadCheckedImage', 'LoadCheckedAnnotations',
    'LoadFASSEGAnnotations'
]
