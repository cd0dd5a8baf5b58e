"""Segmentor inference: a model from config + checkpoint, run on arrays.

The segmentor is built with :func:`mmseg.apis.init_model` and run as
:func:`mmseg.apis.inference_model` runs it; what this module adds is what
the tools and the demo need around them: weights loaded strictly
(:func:`mmseg_synaug.utils.checkpoint.load_model_checkpoint`), class names
and palette even when the checkpoint lacks them, a test pipeline without
any label loader (mmseg drops only its own ``LoadAnnotations``), RGB in and
an index map out, and the coarse-to-fine refiner's image + coarse map in.
"""
import copy
import os.path as osp
from pathlib import Path
from typing import List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.registry import DefaultScope
from mmseg.apis import inference_model, init_model
from mmseg.models import BaseSegmentor
from mmseg.registry import DATASETS

from mmseg_synaug.utils.checkpoint import load_model_checkpoint
from mmseg_synaug.utils.config_options import merge_cfg_options

__all__ = [
    'load_config', 'strip_annotation_loaders', 'image_only_pipeline',
    'init_segmentor', 'inference_segmentor', 'inference_refiner'
]


def load_config(config: Union[str, Path, Config],
                what: str = 'config') -> Config:
    """A copy of a config object, or the config read from its file.

    Args:
        config (str | Path | Config): Config file or object.
        what (str): What the config is, for the message.
            Defaults to ``'config'``.

    Returns:
        Config: Its ``custom_imports`` imported.
    """
    if isinstance(config, Config):
        return copy.deepcopy(config)
    if not osp.isfile(config):
        raise FileNotFoundError(f'The {what} file `{config}` does not exist.')
    return Config.fromfile(str(config))


def _step_type(step: dict) -> str:
    """The transform's name without a scope (``mmseg.LoadAnnotations``)."""
    return str(step.get('type', '')).split('.')[-1]


def strip_annotation_loaders(pipeline: Sequence[dict]) -> List[dict]:
    """A copy of a pipeline without its label loading transforms.

    Drops every ``*Annotations`` loader: mmseg's ``LoadAnnotations`` and
    this project's ``LoadCheckedAnnotations``, ``LoadFASSEGAnnotations``,
    ``LoadCoarseAnnotations``, with or without a scope prefix.

    Args:
        pipeline (Sequence[dict]): A config's test pipeline.

    Returns:
        list[dict]: Deep copies of the other steps, in order.
    """
    return [
        copy.deepcopy(dict(step)) for step in pipeline
        if not _step_type(step).endswith('Annotations')
    ]


def image_only_pipeline(pipeline: Sequence[dict]) -> List[dict]:
    """A test pipeline that takes an image array and loads no label map.

    :func:`strip_annotation_loaders`, and the image loader replaced by
    ``LoadImageFromNDArray`` (the image comes as ``results['img']``).

    Args:
        pipeline (Sequence[dict]): The config's ``test_pipeline``.

    Returns:
        list[dict]: A copy without label loading.
    """
    steps = strip_annotation_loaders(pipeline)
    if not steps or not _step_type(steps[0]).startswith('Load'):
        raise ValueError(
            'The config\'s test_pipeline must start with an image loading '
            f'transform (e.g. LoadImageFromFile); got {list(pipeline)}.')
    steps[0] = dict(type='LoadImageFromNDArray')
    return steps


def _config_dataset_class(cfg: Config) -> Optional[type]:
    dataset_type = cfg.get('test_dataloader', {}).get('dataset',
                                                      {}).get('type')
    return DATASETS.get(dataset_type) if dataset_type else None


def _config_dataset_meta(cfg: Config) -> dict:
    """Class names and palette of the config's test dataset class."""
    dataset_cls = _config_dataset_class(cfg)
    if dataset_cls is None:
        raise ValueError(
            'The checkpoint has no `meta.dataset_meta` and the config names '
            'no test dataset class to take class names from. Save the '
            'checkpoint with mmseg\'s Runner, or set '
            '`test_dataloader.dataset.type` in the config.')
    meta = copy.deepcopy(dict(getattr(dataset_cls, 'METAINFO', {})))
    meta.update(
        copy.deepcopy(dict(cfg.test_dataloader.dataset.get('metainfo') or {})))
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
                   cfg_options: Optional[dict] = None,
                   strict: bool = True) -> BaseSegmentor:
    """Build a segmentor (or refiner) for inference on arrays.

    Wraps :func:`mmseg.apis.init_model`; the weights are loaded with
    :func:`~mmseg_synaug.utils.checkpoint.load_model_checkpoint`, which
    refuses a checkpoint of another model. The class names and palette
    come from the checkpoint's ``meta.dataset_meta`` (written by mmseg's
    Runner) or, where it has none, from the config's test dataset class
    (mmseg would otherwise guess a dataset from the number of classes);
    that class's ``VOID_LABEL``, if any, is kept as ``void_label``.

    Args:
        config (str | Path | Config): Config file or object.
        checkpoint (str): Checkpoint file.
        device (str): Device, e.g. ``'cpu'`` or ``'cuda:0'``.
            Defaults to ``'cpu'``.
        cfg_options (dict, optional): Overrides of config settings.
            Defaults to None.
        strict (bool): Refuse a checkpoint whose keys or shapes differ
            from the model's. Defaults to True.

    Returns:
        BaseSegmentor: In eval mode, with ``dataset_meta`` (``classes``,
        ``palette``) and ``cfg.test_pipeline`` reading image arrays.
    """
    cfg = load_config(config)
    if not osp.isfile(checkpoint):
        raise FileNotFoundError(
            f'The checkpoint file `{checkpoint}` does not exist.')
    if cfg_options is not None:
        merge_cfg_options(cfg, cfg_options)
    model = init_model(cfg, None, device='cpu')
    loaded = load_model_checkpoint(
        model,
        checkpoint,
        strict=strict,
        non_strict_hint='pass --non-strict'
        ' (strict=False)')
    meta = (loaded.get('meta') or {}).get('dataset_meta')
    if not meta:
        meta = _config_dataset_meta(model.cfg)
    num_classes = getattr(
        getattr(model, 'decode_head', None), 'num_classes', None)
    meta = _checked_dataset_meta(meta, num_classes)
    void_label = getattr(_config_dataset_class(model.cfg), 'VOID_LABEL', None)
    if void_label is not None:
        meta['void_label'] = int(void_label)
    model.dataset_meta = meta
    pipeline = model.cfg.get('test_pipeline') or \
        model.cfg.test_dataloader.dataset.pipeline
    model.cfg.test_pipeline = image_only_pipeline(pipeline)
    model.to(device)
    model.eval()
    return model


def _check_rgb(image: np.ndarray) -> np.ndarray:
    """BGR copy of an RGB image: mmseg's pipelines expect cv2's order."""
    if not isinstance(image, np.ndarray) or image.ndim != 3 or \
            image.shape[2] != 3 or image.dtype != np.uint8:
        got = (f'{image.dtype} {image.shape}'
               if isinstance(image, np.ndarray) else type(image).__name__)
        raise ValueError('Expected an RGB uint8 image of shape (H, W, 3); '
                         f'got {got}.')
    return np.ascontiguousarray(image[..., ::-1])


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
    bgr = _check_rgb(image)
    # The pipeline is built from the registry of the current default scope:
    # make it the segmentor's, whatever else ran in this process.
    with DefaultScope.overwrite_default_scope(
            model.cfg.get('default_scope', 'mmseg')):
        result = inference_model(model, bgr)
    return result.pred_sem_seg.data[0].cpu().numpy().astype(np.int64)


def inference_refiner(model: BaseSegmentor, image: np.ndarray,
                      coarse: np.ndarray) -> np.ndarray:
    """Refine a coarse label map of an RGB image (coarse-to-fine model).

    The config's test pipeline runs on the image (resized as in testing);
    the coarse map goes in at the image's original size as
    ``gt_coarse_seg_map``, as the test dataset loads it, so the result
    equals ``tools/test.py --out`` for the same pair.

    Args:
        model (BaseSegmentor): A ``CoarseToFineSegmentor`` from
            :func:`init_segmentor`.
        image (np.ndarray): RGB image.
        coarse (np.ndarray): Coarse class indices (255 = unlabelled).

    Shape:
        - image: :math:`(H, W, 3)`, ``np.uint8``.
        - coarse: :math:`(H, W)`, integer.
        - returns: :math:`(H, W)`, ``np.int64`` class indices.

    Returns:
        np.ndarray: The refined index map.
    """
    bgr = _check_rgb(image)
    if coarse.shape != image.shape[:2]:
        raise ValueError(f'The coarse map is {coarse.shape} but the image '
                         f'is {image.shape[:2]} (H, W).')
    pipeline = model.cfg.test_pipeline
    if not _step_type(pipeline[-1]) == 'PackCoarseFineInputs':
        raise ValueError(
            'The test pipeline of the config does not end with '
            'PackCoarseFineInputs, so it is not a coarse-to-fine refiner; '
            'pass a config from configs/coarse_to_fine/.')
    with DefaultScope.overwrite_default_scope(
            model.cfg.get('default_scope', 'mmseg')):
        packed = Compose(pipeline)(
            dict(
                img=bgr,
                gt_coarse_seg_map=coarse.astype(np.uint8),
                seg_fields=[]))
    with torch.no_grad():
        result = model.test_step(
            dict(
                inputs=[packed['inputs']],
                data_samples=[packed['data_samples']]))[0]
    return result.pred_sem_seg.data[0].cpu().numpy().astype(np.int64)
