"""Label-to-image inference: a trained generator from config + checkpoint.

The project's generator is pix2pixHD (Wang et al., "High-Resolution Image
Synthesis and Semantic Manipulation with Conditional GANs", CVPR 2018),
``type='Pix2PixHD'``; its ``synthesize`` maps a batch of class
index maps, an ``(N, H, W)`` integer tensor, to an ``(N, 3, H, W)`` float
RGB tensor in [0, 1]. This module turns that into what a tool or a demo
holds: a numpy label map in, a ``uint8`` RGB image out.
"""
from pathlib import Path
from typing import Optional, Protocol, Sequence, Union, runtime_checkable

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmseg_synaug.utils.checkpoint import load_model_checkpoint
from .inference import load_config

__all__ = [
    'LabelToImageGenerator', 'LabelToImage', 'as_label_to_image',
    'init_generator', 'inference_generator', 'check_label_values',
    'check_generated_image'
]


@runtime_checkable
class LabelToImageGenerator(Protocol):
    """What the web demo needs from a label-to-image generator.

    Any callable that maps a label map to an image satisfies it: a trained
    generator from :func:`init_generator`, or a plain function.

    Shape:
        - label_map: :math:`(H, W)`, ``np.uint8``, class indices in
          ``0..num_classes-1`` and ``255`` for unlabelled pixels.
        - returns: :math:`(H, W, 3)`, ``np.uint8``, RGB.
    """

    def __call__(self, label_map: np.ndarray) -> np.ndarray:
        ...


def check_label_values(label_map: np.ndarray,
                       num_classes: Optional[int],
                       ignore_index: int = 255) -> None:
    """Refuse a label map that is not ``(H, W)`` class indices.

    Args:
        label_map (np.ndarray): The label map.
        num_classes (int, optional): Valid indices are
            ``0..num_classes-1`` and ``ignore_index``; None checks the
            shape only.
        ignore_index (int): The value of unlabelled pixels.
            Defaults to 255.
    """
    if not isinstance(label_map, np.ndarray) or label_map.ndim != 2 or \
            not np.issubdtype(label_map.dtype, np.integer):
        got = (f'{label_map.dtype} {label_map.shape}' if isinstance(
            label_map, np.ndarray) else type(label_map).__name__)
        raise ValueError('Expected a label map of class indices, an integer '
                         f'array of shape (H, W); got {got}.')
    if num_classes is None:
        return
    values = np.unique(label_map)
    bad = values[((values < 0) | (values >= num_classes))
                 & (values != ignore_index)]
    if bad.size:
        raise ValueError(
            f'The label map holds the values {bad.tolist()[:8]}, outside '
            f'the generator\'s {num_classes} classes (0-{num_classes - 1}) '
            f'and the ignore value {ignore_index}; map them to a class or '
            f'to {ignore_index} (e.g. CamVid\'s void 11 to 255).')


def inference_generator(model: torch.nn.Module,
                        label_map: np.ndarray) -> np.ndarray:
    """Synthesize the RGB image of one label map.

    Args:
        model (torch.nn.Module): A generator model with ``synthesize``
            (e.g. ``Pix2PixHD``), in eval mode.
        label_map (np.ndarray): Class indices, 255 (the model's
            ``ignore_index``) for unlabelled pixels.

    Shape:
        - label_map: :math:`(H, W)`, integer.
        - returns: :math:`(H, W, 3)`, ``np.uint8``, RGB.

    Returns:
        np.ndarray: The synthesized image, at the label map's size.
    """
    check_label_values(label_map, getattr(model, 'num_classes', None),
                       getattr(model, 'ignore_index', 255))
    label = torch.from_numpy(label_map.astype(np.int64))[None]
    with torch.no_grad():
        fake = model.synthesize(label)
    height, width = label_map.shape
    if not isinstance(fake, torch.Tensor) or tuple(
            fake.shape) != (1, 3, height, width) or \
            not fake.is_floating_point():
        got = (f'{fake.dtype} {tuple(fake.shape)}' if isinstance(
            fake, torch.Tensor) else type(fake).__name__)
        raise TypeError(
            f'{type(model).__name__}.synthesize must return a float tensor '
            f'of shape (1, 3, {height}, {width}) in [0, 1] for a '
            f'(1, {height}, {width}) label batch; it returned {got}.')
    rgb = (fake[0].clamp(0, 1) * 255).round().to(torch.uint8)
    return rgb.permute(1, 2, 0).cpu().numpy()


class LabelToImage:
    """A generator model as a :class:`LabelToImageGenerator`.

    Args:
        model (torch.nn.Module): A built generator with
            ``synthesize(label (N, H, W)) -> image (N, 3, H, W) in [0, 1]``.
        void_label (int, optional): The training dataset's own value of
            unlabelled pixels (CamVid's 11), mapped to the model's
            ``ignore_index`` as the dataset's label loader maps it.
            Defaults to None.

    Attributes:
        model (torch.nn.Module): The generator.
        num_classes (int | None): Its number of classes, where it says.
        ignore_index (int): Its value of unlabelled pixels (default 255).
        void_label (int | None): See above.
    """

    def __init__(self,
                 model: torch.nn.Module,
                 void_label: Optional[int] = None) -> None:
        if not callable(getattr(model, 'synthesize', None)):
            raise TypeError(
                f'{type(model).__name__} cannot serve as a label-to-image '
                'generator: it has no `synthesize(label) -> image` method '
                '(class indices (N, H, W) in, RGB (N, 3, H, W) in [0, 1] '
                'out). Use a generator model that provides it, such as the '
                'pix2pixHD generator (type=\'Pix2PixHD\').')
        self.model = model
        self.num_classes: Optional[int] = getattr(model, 'num_classes', None)
        self.ignore_index: int = int(getattr(model, 'ignore_index', 255))
        self.void_label = void_label

    def __call__(self, label_map: np.ndarray) -> np.ndarray:
        """See :func:`inference_generator`; void is mapped to ignore."""
        if self.void_label is not None and isinstance(label_map, np.ndarray):
            void = label_map == self.void_label
            if void.any():
                label_map = np.where(void, self.ignore_index, label_map)
        return inference_generator(self.model, label_map)


def as_label_to_image(model: torch.nn.Module,
                      void_label: Optional[int] = None) -> LabelToImage:
    """Adapt a trained generator model to :class:`LabelToImageGenerator`.

    Args:
        model (torch.nn.Module): A built generator model.
        void_label (int, optional): See :class:`LabelToImage`.
            Defaults to None.

    Returns:
        LabelToImage: Calls :func:`inference_generator`.
    """
    return LabelToImage(model, void_label)


def _config_void_label(cfg: Config) -> Optional[int]:
    """``VOID_LABEL`` of the config's training dataset class, if any."""
    from mmseg.registry import DATASETS
    dataset = cfg.get('train_dataloader', {}).get('dataset', {})
    while isinstance(dataset, dict):
        dataset_type = dataset.get('type')
        dataset_cls = DATASETS.get(dataset_type) if dataset_type else None
        if getattr(dataset_cls, 'VOID_LABEL', None) is not None:
            return int(dataset_cls.VOID_LABEL)
        dataset = dataset.get('dataset', dataset.get('real'))
    return None


def init_generator(config: Union[str, Path, Config],
                   checkpoint: str,
                   device: str = 'cpu',
                   strict: bool = True) -> LabelToImage:
    """Build a trained label-to-image generator from its config.

    The config's ``model`` (``type='Pix2PixHD'``) is built from mmseg's
    registry in the config's default scope (mmseg's if it names none), so
    ``mmagic.models`` is never imported (a ``type='mmagic.Pix2PixHD'``
    config still builds where MMagic imports), and the process-wide scope
    is restored afterwards; its weights are loaded with
    :func:`~mmseg_synaug.utils.checkpoint.load_model_checkpoint`, which
    refuses a checkpoint of another model.

    Args:
        config (str | Path | Config): Generator config file or object.
        checkpoint (str): Generator checkpoint file (a training checkpoint,
            discriminators included).
        device (str): Device. Defaults to ``'cpu'``.
        strict (bool): Refuse a checkpoint whose keys or shapes differ from
            the model's. Defaults to True.

    Returns:
        LabelToImage: ``generator(label_map) -> RGB``, taking the training
        dataset's void label (CamVid's 11) as unlabelled; the model, in
        eval mode, is ``generator.model``.
    """
    cfg = load_config(config, 'generator config')
    if not Path(checkpoint).is_file():
        raise FileNotFoundError(
            f'The generator checkpoint `{checkpoint}` does not exist.')
    if 'model' not in cfg:
        raise ValueError(f'The generator config `{config}` has no `model`.')
    from mmseg.registry import MODELS

    # Build in the config's scope (mmagic's for a `mmagic.` type: mmagic's
    # modules build their layers from the current scope's registry)
    # without changing the process-wide scope that a segmentor's pipeline
    # is built in.
    model_type = str(cfg.model.get('type', ''))
    scope = cfg.get('default_scope') or (
        'mmagic' if model_type.startswith('mmagic.') else 'mmseg')
    with DefaultScope.overwrite_default_scope(scope):
        model = MODELS.build(cfg.model)
        void_label = _config_void_label(cfg)
    generator = LabelToImage(model, void_label)
    load_model_checkpoint(
        model,
        checkpoint,
        strict=strict,
        non_strict_hint='pass --non-strict'
        ' (strict=False)')
    model.to(device)
    model.eval()
    return generator


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
