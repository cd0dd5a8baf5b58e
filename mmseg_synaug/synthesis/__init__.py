"""Synthetic datasets: recomposed label maps rendered by a generator."""
from .class_distribution import class_distribution
from .manifest import MANIFEST, read_manifest
from .synthesizer import (SYNTHESIS_MODES, DatasetSynthesizer,
                          load_filter_segmentor, load_generator)

__all__ = [
    'DatasetSynthesizer', 'SYNTHESIS_MODES', 'load_generator',
    'load_filter_segmentor', 'class_distribution', 'read_manifest', 'MANIFEST'
]
