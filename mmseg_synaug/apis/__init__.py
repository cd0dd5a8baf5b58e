"""Inference for tools and demos: segmentors, refiners and generators
built from a config and a checkpoint (loaded strictly), run on arrays.

Not imported by ``import mmseg_synaug`` (configs do not need it); import
``mmseg_synaug.apis`` where you run inference. The web demo built on it is
:mod:`mmseg_synaug.webapp`.
"""
from .generation import (LabelToImage, LabelToImageGenerator,
                         as_label_to_image, check_generated_image,
                         check_label_values, inference_generator,
                         init_generator)
from .inference import (image_only_pipeline, inference_refiner,
                        inference_segmentor, init_segmentor, load_config,
                        strip_annotation_loaders)

__all__ = [
    'LabelToImage', 'LabelToImageGenerator', 'as_label_to_image',
    'check_generated_image', 'check_label_values', 'inference_generator',
    'init_generator', 'image_only_pipeline', 'inference_refiner',
    'inference_segmentor', 'init_segmentor', 'load_config',
    'strip_annotation_loaders'
]
