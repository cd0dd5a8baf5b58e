"""Run a backbone up to a stage, or from a stage on.

Feature-level augmentation (He, Schiele and Fritz, "Synthetic
Convolutional Features for Improved Semantic Segmentation") cuts the
segmentor in two at one backbone stage: the *encoder* (stem and stages up
to and including ``stage_index``) and the *rest* (the later stages and the
heads). Synthetic features enter the rest only.

Two families split:

- ResNet-style backbones (mmseg ResNet, ResNetV1c/d, ResNeSt; their
  ``res_layers``), at any stage;
- Fast-SCNN (Poudel et al., BMVC 2019), at stage 0 only: the output of its
  learning-to-downsample module (64 channels at 1/8), from which the
  global feature extractor and the feature fusion compute every other
  output. Its stage 1 (the global features, 1/32) cannot be a split point,
  since the fusion also reads stage 0.
"""
from typing import List, Optional, Tuple

import torch
import torch.nn as nn
from mmseg.models.utils import resize

__all__ = [
    'check_splittable', 'forward_to_stage', 'forward_from_stage',
    'encoder_modules', 'logits_from_stage', 'stage_channels'
]


def check_splittable(backbone: nn.Module, stage_index: int) -> None:
    """Raise a clear error where the backbone cannot be split at a stage.

    Args:
        backbone (nn.Module): An mmseg ResNet-style backbone (``res_layers``
            naming its stages, a stem and ``maxpool``) or Fast-SCNN.
        stage_index (int): Index of the stage whose output is split off.

    Raises:
        TypeError: The backbone is neither ResNet-style nor Fast-SCNN.
        ValueError: ``stage_index`` is out of range.
    """
    if _is_fast_scnn(backbone):
        if stage_index != 0:
            raise ValueError(
                'Fast-SCNN splits at stage_index 0 only (the output of its '
                'learning-to-downsample module, which the feature fusion '
                f'reads too), got {stage_index}.')
        return
    if not hasattr(backbone, 'res_layers'):
        raise TypeError(
            f'{type(backbone).__name__} cannot be split at a stage: only '
            'ResNet-style backbones (mmseg ResNet, ResNetV1c, ResNetV1d, '
            'ResNeSt) with `res_layers` and Fast-SCNN are supported.')
    num_stages = len(backbone.res_layers)
    if not 0 <= stage_index < num_stages:
        raise ValueError(f'stage_index must be in [0, {num_stages - 1}] for '
                         f'a {num_stages}-stage backbone, got {stage_index}.')


def _is_fast_scnn(backbone: nn.Module) -> bool:
    return all(
        hasattr(backbone, name)
        for name in ('learning_to_downsample', 'global_feature_extractor',
                     'feature_fusion'))


def stage_channels(backbone: nn.Module, stage_index: int) -> int:
    """Channels of the output of stage ``stage_index``.

    Args:
        backbone (nn.Module): mmseg ResNet-style backbone or Fast-SCNN.
        stage_index (int): The stage.

    Returns:
        int: Output channels of its last block.
    """
    check_splittable(backbone, stage_index)
    if _is_fast_scnn(backbone):
        return backbone.global_in_channels
    block = getattr(backbone, backbone.res_layers[stage_index])[-1]
    last = block.conv3 if hasattr(block, 'conv3') else block.conv2
    return last.out_channels


def forward_to_stage(backbone: nn.Module, x: torch.Tensor,
                     stage_index: int) -> torch.Tensor:
    """Stem and stages ``0 .. stage_index``, as ``ResNet.forward`` runs them.

    Args:
        backbone (nn.Module): mmseg ResNet-style backbone or Fast-SCNN.
        x (Tensor): Normalized images.
        stage_index (int): Last stage to run.

    Returns:
        Tensor: Output of stage ``stage_index``.

    Shape:
        - x: (N, 3, H, W)
        - output: (N, C_s, H / d_s, W / d_s), d_s the stage's output stride
    """
    check_splittable(backbone, stage_index)
    if _is_fast_scnn(backbone):
        return backbone.learning_to_downsample(x)
    if backbone.deep_stem:
        x = backbone.stem(x)
    else:
        x = backbone.relu(backbone.norm1(backbone.conv1(x)))
    x = backbone.maxpool(x)
    for layer_name in backbone.res_layers[:stage_index + 1]:
        x = getattr(backbone, layer_name)(x)
    return x


def forward_from_stage(backbone: nn.Module, feature: torch.Tensor,
                       stage_index: int) -> Tuple[Optional[torch.Tensor], ...]:
    """The stages after ``stage_index``, fed with a stage-``stage_index`` map.

    Returns the backbone's outputs at its ``out_indices`` like
    ``ResNet.forward``; outputs of stages before ``stage_index`` cannot be
    computed from the feature and are None, so heads must read stage
    ``stage_index`` or later (``in_index``).

    Args:
        backbone (nn.Module): mmseg ResNet-style backbone or Fast-SCNN.
        feature (Tensor): Output (real or synthetic) of stage
            ``stage_index``.
        stage_index (int): Stage the feature comes from.

    Returns:
        tuple[Tensor | None]: One entry per index in ``out_indices``.

    Shape:
        - feature: (N, C_s, h, w)
    """
    check_splittable(backbone, stage_index)
    if _is_fast_scnn(backbone):
        lower = backbone.global_feature_extractor(feature)
        outs = (feature, lower, backbone.feature_fusion(feature, lower))
        return tuple(outs[i] for i in backbone.out_indices)
    outs: List[Optional[torch.Tensor]] = []
    x = feature
    for i, layer_name in enumerate(backbone.res_layers):
        if i > stage_index:
            x = getattr(backbone, layer_name)(x)
        if i in backbone.out_indices:
            outs.append(x if i >= stage_index else None)
    return tuple(outs)


def encoder_modules(backbone: nn.Module, stage_index: int) -> List[nn.Module]:
    """The modules that compute stage ``stage_index`` (stem included).

    Args:
        backbone (nn.Module): mmseg ResNet-style backbone or Fast-SCNN.
        stage_index (int): Last stage of the encoder.

    Returns:
        list[nn.Module]: Stem (or conv1 and norm1) and stages
        ``0 .. stage_index``.
    """
    check_splittable(backbone, stage_index)
    if _is_fast_scnn(backbone):
        return [backbone.learning_to_downsample]
    stem = [backbone.stem
            ] if backbone.deep_stem else [backbone.conv1, backbone.norm1]
    return stem + [
        getattr(backbone, name)
        for name in backbone.res_layers[:stage_index + 1]
    ]


def logits_from_stage(segmentor: nn.Module,
                      features: torch.Tensor,
                      stage_index: int,
                      size: Optional[Tuple[int, int]] = None) -> torch.Tensor:
    """Decode-head logits of stage features, resized to ``size``.

    Runs the backbone stages after ``stage_index`` and the decode head
    (not the auxiliary head), as ``EncoderDecoder.encode_decode`` does.

    Args:
        segmentor (nn.Module): An mmseg EncoderDecoder with a ResNet-style
            backbone.
        features (Tensor): Real or synthetic stage features.
        stage_index (int): Stage the features stand for.
        size (tuple[int, int], optional): Output size (the masks').
            Defaults to None (the head's resolution).

    Returns:
        Tensor: Logits.

    Shape:
        - features: (N, C_s, h, w)
        - output: (N, K, *size)
    """
    outs = forward_from_stage(segmentor.backbone, features, stage_index)
    if getattr(segmentor, 'with_neck', False):
        outs = segmentor.neck(outs)
    logits = segmentor.decode_head(outs)
    if size is not None:
        logits = resize(
            logits,
            size=size,
            mode='bilinear',
            align_corners=segmentor.decode_head.align_corners)
    return logits
