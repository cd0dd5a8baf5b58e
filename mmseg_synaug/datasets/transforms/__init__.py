from .albu_seg import AlbuSeg
from .label_recomposition import LabelRecomposition
from .load_coarse_annotations import LoadCoarseAnnotations
from .loading import (LoadCheckedAnnotations, LoadCheckedImage,
                      LoadFASSEGAnnotations)
from .pack_coarse_fine_inputs import PackCoarseFineInputs
from .simulate_coarse_labels import SimulateCoarseLabels

__all__ = [
    'AlbuSeg', 'LabelRecomposition', 'LoadCheckedImage',
    'LoadCheckedAnnotations', 'LoadFASSEGAnnotations', 'LoadCoarseAnnotations',
    'PackCoarseFineInputs', 'SimulateCoarseLabels'
]
