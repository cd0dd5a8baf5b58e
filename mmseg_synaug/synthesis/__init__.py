"""Synthetic datasets: recomposed label maps rendered by a generator."""
from .class_distribution import class_distribution
from .filtering import SyntheticLabelFilter, kept_records, real_class_loss
from .manifest import MANIFEST, read_manifest
from .resampling import (RESAMPLING_FILE, allocate_renderings,
                         hardness_allocation, map_hardness)
from .score import format_score_table, synthesis_score
from .synthesizer import (SYNTHESIS_MODES, SyntheticDatasetWriter,
                          load_filter_segmentor, load_generator)

#: The name of :class:`SyntheticDatasetWriter` before it was renamed
#: (deprecated).
DatasetSynthesizer = SyntheticDatasetWriter

__all__ = [
    'SyntheticDatasetWriter', 'SYNTHESIS_MODES', 'load_generator',
    'load_filter_segmentor', 'class_distribution', 'read_manifest', 'MANIFEST',
    'SyntheticLabelFilter', 'kept_records', 'real_class_loss',
    'RESAMPLING_FILE', 'allocate_renderings', 'hardness_allocation',
    'map_hardness', 'synthesis_score', 'format_score_table'
]
