"""SegNet's encoder (Badrinarayanan et al., TPAMI 2017)."""
from typing import List, NamedTuple, Optional, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule, DepthwiseSeparableConvModule
from mmengine.model import BaseModule
from mmseg.registry import MODELS


class SegNetFeatures(NamedTuple):
    """What the SegNet encoder hands its decoder.

    Attributes:
        features (tuple[Tensor]): Output of each stage after pooling,
            shallow to deep; the last is the decoder's input.
        indices (tuple[Tensor]): Max-pooling indices of each stage.
        sizes (tuple[torch.Size]): Spatial size of each stage before
            pooling, for exact unpooling of odd sizes.
    """
    features: Tuple[torch.Tensor, ...]
    indices: Tuple[torch.Tensor, ...]
    sizes: Tuple[torch.Size, ...]


@MODELS.register_module()
class SegNetEncoder(BaseModule):
    """VGG16-style encoder that keeps its max-pooling indices.

    Each stage is ``num_convs`` 3x3 convolutions (conv-norm-ReLU) followed by
    2x2 max pooling with ``return_indices``; the decoder
    (:class:`SegNetHead`) unpools with those indices instead of learning
    upsampling. ``conv_type='depthwise_separable'`` builds the MobileNet
    variant (each 3x3 convolution a depthwise 3x3 plus a pointwise 1x1).

    Args:
        in_channels (int): Input channels. Defaults to 3.
        stage_channels (Sequence[int]): Width of each stage.
            Defaults to VGG16's (64, 128, 256, 512, 512).
        stage_convs (Sequence[int]): Convolutions per stage.
            Defaults to VGG16's (2, 2, 3, 3, 3).
        conv_type (str): ``'standard'`` (VGG) or ``'depthwise_separable'``
            (MobileNet). Defaults to ``'standard'``.
        norm_cfg (dict): Normalization layers. Defaults to BN.
        init_cfg (dict or list[dict], optional): Initialization.
            Defaults to Kaiming for convolutions.

    Shape:
        - input: (N, in_channels, H, W)
        - output: :class:`SegNetFeatures`; the deepest feature is
          (N, stage_channels[-1], H / 2^S, W / 2^S) for S stages.
    """

    def __init__(
        self,
        in_channels: int = 3,
        stage_channels: Sequence[int] = (64, 128, 256, 512, 512),
        stage_convs: Sequence[int] = (2, 2, 3, 3, 3),
        conv_type: str = 'standard',
        norm_cfg: dict = dict(type='BN', requires_grad=True),
        init_cfg: Optional[dict] = dict(type='Kaiming', layer='Conv2d')
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        if len(stage_channels) != len(stage_convs):
            raise ValueError(
                f'stage_channels {tuple(stage_channels)} and stage_convs '
                f'{tuple(stage_convs)} must have one entry per stage.')
        if conv_type not in ('standard', 'depthwise_separable'):
            raise ValueError(f"conv_type '{conv_type}' is unknown: use "
                             "'standard' or 'depthwise_separable'.")
        self.stages = nn.ModuleList()
        for width, num_convs in zip(stage_channels, stage_convs):
            self.stages.append(
                make_conv_stage(in_channels, width, num_convs, conv_type,
                                norm_cfg))
            in_channels = width

    def forward(self, x: torch.Tensor) -> SegNetFeatures:
        features: List[torch.Tensor] = []
        indices: List[torch.Tensor] = []
        sizes: List[torch.Size] = []
        for stage in self.stages:
            x = stage(x)
            sizes.append(x.shape[-2:])
            x, index = F.max_pool2d(
                x, kernel_size=2, stride=2, return_indices=True)
            features.append(x)
            indices.append(index)
        return SegNetFeatures(tuple(features), tuple(indices), tuple(sizes))


def make_conv_stage(in_channels: int, out_channels: int, num_convs: int,
                    conv_type: str, norm_cfg: dict) -> nn.Sequential:
    """``num_convs`` 3x3 conv-norm-ReLU blocks, the first changing width.

    Args:
        in_channels (int): Input channels.
        out_channels (int): Output channels.
        num_convs (int): Number of blocks.
        conv_type (str): ``'standard'`` or ``'depthwise_separable'``.
        norm_cfg (dict): Normalization layers.

    Returns:
        nn.Sequential: The blocks.
    """
    conv = (
        ConvModule
        if conv_type == 'standard' else DepthwiseSeparableConvModule)
    return nn.Sequential(*[
        conv(
            in_channels if i == 0 else out_channels,
            out_channels,
            3,
            padding=1,
            norm_cfg=norm_cfg,
            act_cfg=dict(type='ReLU')) for i in range(num_convs)
    ])
