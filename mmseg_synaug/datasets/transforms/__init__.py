from .albu_seg import AlbuSeg
from .label_recomposition import LabelRecomposition
from .loading import (LoadCheckedAnnotations, LoadCheckedImage,
                      LoadFASSEGAnnotations)

__all__ = [
    'AlbuSeg', 'LabelRecomposition', 'LoadCheckedImage',
    'LoadCheckedAnnotations', 'LoadFASSEGAnnotations'
]
