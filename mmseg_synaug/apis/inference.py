"""Inference helpers for demos: a segmentor that knows its classes, one
prediction from an RGB array, and the label-to-image generator interface.

The segmentor is built with :func:`mmseg.apis.init_model` and run with
:func:`mmseg.apis.inference_model`; what this module adds is what a demo
needs around them: class names and palette even when the checkpoint lacks
them, a test pipeline without label loading, and RGB in, index map out.
"""
import copy
import os.path as osp
from pathlib import Path
from typing import List, Optional, Protocol, Sequence, Union, runtime_checkable

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope
from mmengine.runner import load_checkpoint
from mmseg.apis import inference_model, init_model
from mmseg.models import BaseSegmentor
from mmseg.registry import DATASETS

__all__ = [
    'LabelToImageGenerator', 'init_segmentor', 'inference_segmentor',
    'image_only_pipeline', 'init_generator', 'as_label_to_image',
    'check_generated_image'
]


@runtime_checkable
class LabelToImageGenerator(Protocol):
    """What the demo needs from a label-to-image generator.

    Any callable that maps a label map to an image satisfies it: a trained
    generator wrapped by :func:`init_generator`, or a plain function.

    Note:
        The project has no trained label-to-image generator yet: the
        pix2pixHD generator (``type='mmagic.Pix2PixHD'``) comes with the
        pix2pixHD issue, and is to provide ``synthesize`` as
        :func:`as_label_to_image` expects. Until then the web demo runs
        without its label-map panel, and tests use a stand-in callable.

    Shape:
        - label_map: :math:`(H, W)`, ``np.uint8``, class indices in
          ``0..num_classes-1`` and ``255`` for unlabelled pixels.
        - returns: :math:`(H, W, 3)`, ``np.uint8``, RGB.
    """

    def __call__(self, label_map: np.ndarray) -> np.ndarray:
        ...


def _load_config(config: Union[str, Path, Config]) -> Config:
    if isinstance(config, Config):
        return copy.deepcopy(config)
    if not osp.isfile(config):
        raise FileNotFoundError(f'The config file `{config}` does not exist.')
    return Config.fromfile(str(config))


def image_only_pipeline(pipeline: Sequence[dict]) -> List[dict]:
    """A test pipeline that loads an image array and no label map.

    mmseg's :func:`inference_model` only drops transforms named
    ``LoadAnnotations``; this also drops ``LoadCheckedAnnotations`` and any
    other ``*Annotations`` loader, and starts with ``LoadImageFromNDArray``.

    Args:
        pipeline (Sequence[dict]): The config's ``test_pipeline``.

    Returns:
        list[dict]: A copy without label loading.
    """
    steps = [
        copy.deepcopy(dict(step)) for step in pipeline
        if not str(step.get('type', '')).endswith('Annotations')
    ]
    if not steps or 'Load' not in str(steps[0].get('type', '')):
        raise ValueError(
            'The config\'s test_pipeline must start with an image loading '
            f'transform (e.g. LoadImageFromFile); got {list(pipeline)}.')
    steps[0] = dict(type='LoadImageFromNDArray')
    return steps


def _config_dataset_meta(cfg: Config) -> dict:
    """Class names and palette of the config's test dataset class."""
    dataset = cfg.get('test_dataloader', {}).get('dataset', {})
    dataset_type = dataset.get('type')
    dataset_cls = DATASETS.get(dataset_type) if dataset_type else None
    if dataset_cls is None:
        raise ValueError(
            'The checkpoint has no `meta.dataset_meta` and the config names '
            'no test dataset class to take class names from. Save the '
            'checkpoint with mmseg\'s Runner, or set '
            '`test_dataloader.dataset.type` in the config.')
    meta = copy.deepcopy(dict(getattr(dataset_cls, 'METAINFO', {})))
    meta.update(copy.deepcopy(dict(dataset.get('metainfo') or {})))
    return meta


def _checked_dataset_meta(meta: dict, num_classes: Optional[int]) -> dict:
    classes = list(meta.get('classes') or [])
    if not classes:
        raise ValueError('The model\'s dataset_meta has no class names.')
    if num_classes is not None and num_classes != len(classes):
        raise ValueError(
            f'The model predicts {num_classes} classes but its dataset_meta '
            f'names {len(classes)}: {classes}. Use the config the '
            'checkpoint was trained with.')
    palette = meta.get('palette')
    if not palette or len(palette) < len(classes):
        state = np.random.RandomState(42)
        palette = state.randint(0, 256, size=(len(classes), 3)).tolist()
    return dict(
        meta,
        classes=tuple(classes),
        palette=[[int(c) for c in color] for color in palette[:len(classes)]])


def init_segmentor(config: Union[str, Path, Config],
                   checkpoint: str,
                   device: str = 'cpu',
                   cfg_options: Optional[dict] = None) -> BaseSegmentor:
    """Build a segmentor for inference on images without labels.

    Wraps :func:`mmseg.apis.init_model`. The class names and palette come
    from the checkpoint's ``meta.dataset_meta`` (written by mmseg's Runner)
    or, where it has none, from the config's test dataset class (mmseg
    would otherwise guess a dataset from the number of classes).

    Args:
        config (str | Path | Config): Config file or object.
        checkpoint (str): Checkpoint file.
        device (str): Device, e.g. ``'cpu'`` or ``'cuda:0'``.
            Defaults to ``'cpu'``.
        cfg_options (dict, optional): Overrides of config settings.
            Defaults to None.

    Returns:
        BaseSegmentor: In eval mode, with ``dataset_meta`` (``classes``,
        ``palette``) and ``cfg.test_pipeline`` reading image arrays.
    """
    cfg = _load_config(config)
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(
            f'The checkpoint file `{checkpoint}` does not exist.')
    model = init_model(cfg, None, device=device, cfg_options=cfg_options)
    loaded = load_checkpoint(model, checkpoint, map_location='cpu')
    meta = (loaded.get('meta') or {}).get('dataset_meta')
    if not meta:
        meta = _config_dataset_meta(model.cfg)
    num_classes = getattr(
        getattr(model, 'decode_head', None), 'num_classes', None)
    model.dataset_meta = _checked_dataset_meta(meta, num_classes)
    model.cfg.test_pipeline = image_only_pipeline(model.cfg.test_pipeline)
    model.eval()
    return model


def inference_segmentor(model: BaseSegmentor, image: np.ndarray) -> np.ndarray:
    """Predict the class of every pixel of one RGB image.

    Args:
        model (BaseSegmentor): From :func:`init_segmentor`.
        image (np.ndarray): RGB image.

    Shape:
        - image: :math:`(H, W, 3)`, ``np.uint8``.
        - returns: :math:`(H, W)`, ``np.int64`` class indices.

    Returns:
        np.ndarray: The predicted index map, at the image's size.
    """
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError('Expected an RGB uint8 image of shape (H, W, 3); '
                         f'got {image.dtype} {image.shape}.')
    # mmseg's pipelines and data preprocessors expect BGR, as cv2 reads.
    bgr = np.ascontiguousarray(image[..., ::-1])
    # The pipeline is built from the registry of the current default scope:
    # make it the segmentor's, whatever else ran in this process.
    with DefaultScope.overwrite_default_scope(
            model.cfg.get('default_scope', 'mmseg')):
        result = inference_model(model, bgr)
    return result.pred_sem_seg.data[0].cpu().numpy().astype(np.int64)


def as_label_to_image(model: object) -> LabelToImageGenerator:
    """Adapt a trained generator model to :class:`LabelToImageGenerator`.

    The model must have ``synthesize(label_map) -> image`` with the shapes
    of :class:`LabelToImageGenerator`; it runs without gradients.

    Args:
        model (object): A built generator model.

    Returns:
        LabelToImageGenerator: Calls ``model.synthesize``.
    """
    synthesize = getattr(model, 'synthesize', None)
    if not callable(synthesize):
        raise TypeError(
            f'{type(model).__name__} cannot serve as a label-to-image '
            'generator: it has no `synthesize(label_map) -> image` method '
            '(label map (H, W) uint8 class indices in, RGB (H, W, 3) uint8 '
            'out). Use a generator model that provides it, such as the '
            'pix2pixHD generator (type=\'mmagic.Pix2PixHD\').')

    def generate(label_map: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return synthesize(label_map)

    return generate


def init_generator(config: Union[str, Path, Config],
                   checkpoint: str,
                   device: str = 'cpu') -> LabelToImageGenerator:
    """Build a trained label-to-image generator from its config.

    The config's ``model`` is built from mmagic's registry in mmagic's
    scope (``type='Xxx'`` or ``type='mmagic.Xxx'``; the config's
    ``custom_imports`` register the model first), its weights are loaded,
    and it is adapted with :func:`as_label_to_image`. The process-wide
    default scope is left as it was.

    Args:
        config (str | Path | Config): Generator config file or object.
        checkpoint (str): Generator checkpoint file.
        device (str): Device. Defaults to ``'cpu'``.

    Returns:
        LabelToImageGenerator: The generator, in eval mode.
    """
    cfg = _load_config(config)
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(
            f'The generator checkpoint `{checkpoint}` does not exist.')
    if 'model' not in cfg:
        raise ValueError(f'The generator config `{config}` has no `model`.')
    from mmagic.registry import MODELS

    # Build in mmagic's scope (its modules build their layers from the
    # current scope's registry) without changing the process-wide scope
    # that the segmentor's pipeline is built in.
    with DefaultScope.overwrite_default_scope('mmagic'):
        model = MODELS.build(cfg.model)
    load_checkpoint(model, checkpoint, map_location='cpu')
    model.to(device)
    model.eval()
    return as_label_to_image(model)


def check_generated_image(image: object, label_shape: Sequence[int]) -> None:
    """Check a generator's output against :class:`LabelToImageGenerator`.

    Args:
        image (object): What the generator returned.
        label_shape (Sequence[int]): ``(H, W)`` of the label map it got.
    """
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or \
            image.shape != (*label_shape, 3):
        got = (f'{image.dtype} {image.shape}'
               if isinstance(image, np.ndarray) else type(image).__name__)
        raise TypeError(
            'The label-to-image generator must return an RGB uint8 array '
            f'of shape {(*label_shape, 3)}; it returned {got}.')
