"""Inference for users: a segmentor for images without labels, the
label-to-image generator interface, and the web demo.

Not imported by ``import mmseg_synaug`` (configs do not need it); import
``mmseg_synaug.apis`` where you run inference.
"""
from .inference import (LabelToImageGenerator, as_label_to_image,
                        check_generated_image, image_only_pipeline,
                        inference_segmentor, init_generator, init_segmentor)
from .web_demo import (Response, Upload, UploadError, WebDemo, WebDemoServer,
                       make_server)

__all__ = [
    'LabelToImageGenerator', 'as_label_to_image', 'check_generated_image',
    'image_only_pipeline', 'inference_segmentor', 'init_generator',
    'init_segmentor', 'Response', 'Upload', 'UploadError', 'WebDemo',
    'WebDemoServer', 'make_server'
]
