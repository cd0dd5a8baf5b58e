"""The feature generator: a label mask and a latent code to a feature map.

He, Schiele and Fritz, "Synthetic Convolutional Features for Improved
Semantic Segmentation" (2018): a layout encoder of stacked
ASPP modules (dilations 1, 2, 4, a stride of 2 after each) brings the
full-resolution one-hot mask down to the feature resolution; a U-Net fed
with the encoded layout and a latent code z (BicycleGAN, Zhu et al.,
"Toward Multimodal Image-to-Image Translation", NeurIPS 2017) synthesizes
the feature of one backbone stage.
"""
import math
from typing import Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmseg.models.decode_heads.aspp_head import ASPPModule
from mmseg.registry import MODELS

from ..utils import one_hot_with_ignore

__all__ = ['ASPPLayoutEncoder', 'FeatureUNet', 'FeatureGenerator']


def _num_stages(downsample_factor: int) -> int:
    stages = int(round(math.log2(downsample_factor))) \
        if downsample_factor >= 1 else -1
    if downsample_factor < 2 or 2**stages != downsample_factor:
        raise ValueError('downsample_factor (the output stride of the '
                         'feature) must be a power of 2 >= 2, got '
                         f'{downsample_factor}.')
    return stages


class ASPPLayoutEncoder(BaseModule):
    """Stacked ASPP modules bringing a one-hot mask to feature resolution.

    Each stage applies mmseg's :class:`ASPPModule` (parallel convolutions
    with the given dilations), concatenates the branches and halves the
    resolution with a stride-2 3x3 convolution, as a ResNet does
    (``ceil(H / 2)``), so that ``log2(downsample_factor)`` stages give the
    size of the backbone's feature for any input size.

    Args:
        num_classes (int): Number of classes K of the masks.
        downsample_factor (int): Output stride of the target feature, a
            power of 2 (16 for ResNet stage 3 without dilation, 8 with
            mmseg's ``-d8`` dilation).
        channels (int | Sequence[int]): Width of each stage (one value for
            all). Defaults to 64.
        dilations (Sequence[int]): Dilations of the ASPP branches.
            Defaults to (1, 2, 4).
        ignore_index (int): Label encoded as a zero vector. Defaults to 255.
        norm_cfg (dict, optional): Normalization layers.
            Defaults to ``dict(type='BN')``.
        act_cfg (dict): Activation layers. Defaults to ``dict(type='ReLU')``.
        init_cfg (dict, optional): Initialization. Defaults to None.

    Shape:
        - masks: (N, H, W) class indices
        - output: (N, channels[-1], ceil(H / f), ceil(W / f))
    """

    def __init__(self,
                 num_classes: int,
                 downsample_factor: int,
                 channels: Union[int, Sequence[int]] = 64,
                 dilations: Sequence[int] = (1, 2, 4),
                 ignore_index: int = 255,
                 norm_cfg: Optional[dict] = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        num_stages = _num_stages(downsample_factor)
        if isinstance(channels, int):
            channels = [channels] * num_stages
        if len(channels) != num_stages:
            raise ValueError(
                f'channels needs one width per stage: {num_stages} stages '
                f'for downsample_factor={downsample_factor}, got {channels}.')
        self.num_classes = num_classes
        self.ignore_index = ignore_index
        self.downsample_factor = downsample_factor
        self.out_channels = channels[-1]
        self.stages = nn.ModuleList()
        in_channels = num_classes
        for width in channels:
            aspp = ASPPModule(
                tuple(dilations), in_channels, width, None, norm_cfg, act_cfg)
            down = ConvModule(
                width * len(dilations),
                width,
                3,
                stride=2,
                padding=1,
                norm_cfg=norm_cfg,
                act_cfg=act_cfg)
            self.stages.append(nn.ModuleDict(dict(aspp=aspp, down=down)))
            in_channels = width

    def forward(self,
                masks: torch.Tensor,
                check_labels: bool = True) -> torch.Tensor:
        """Encode masks (class indices) to the feature resolution.

        Args:
            masks (Tensor): Class indices, ``ignore_index`` for unlabelled
                pixels.
            check_labels (bool): Raise on labels that are neither a class
                nor ``ignore_index``. The check reads a value back from the
                device (a host synchronisation): the frozen generator of
                feature synthesis skips it. Defaults to True.
        """
        x = one_hot_with_ignore(
            masks, self.num_classes, self.ignore_index, strict=check_labels)
        for stage in self.stages:
            x = stage['down'](torch.cat(stage['aspp'](x), dim=1))
        return x


class FeatureUNet(BaseModule):
    """A U-Net at feature resolution: stride-2 downs, upsample-and-concat ups.

    Args:
        in_channels (int): Input channels (encoded layout plus z).
        out_channels (int): Channels of the synthesized feature.
        channels (Sequence[int]): Width of each level (paper: 96, 192, 384).
            Defaults to (96, 192, 384).
        norm_cfg (dict, optional): Normalization layers.
            Defaults to ``dict(type='BN')``.
        act_cfg (dict): Activation layers. Defaults to ``dict(type='ReLU')``.
        out_act_cfg (dict, optional): Activation of the output; ReLU for
            ResNet stage outputs, which are non-negative.
            Defaults to ``dict(type='ReLU')``.
        init_cfg (dict, optional): Initialization. Defaults to None.

    Shape:
        - x: (N, in_channels, h, w)
        - output: (N, out_channels, h, w)
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 channels: Sequence[int] = (96, 192, 384),
                 norm_cfg: Optional[dict] = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU'),
                 out_act_cfg: Optional[dict] = dict(type='ReLU'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        if len(channels) < 1:
            raise ValueError('FeatureUNet needs at least one level width.')
        conv = dict(norm_cfg=norm_cfg, act_cfg=act_cfg)
        self.inc = nn.Sequential(
            ConvModule(in_channels, channels[0], 3, padding=1, **conv),
            ConvModule(channels[0], channels[0], 3, padding=1, **conv))
        self.downs = nn.ModuleList()
        self.ups = nn.ModuleList()
        for low, high in zip(channels[:-1], channels[1:]):
            self.downs.append(
                nn.Sequential(
                    ConvModule(low, high, 3, stride=2, padding=1, **conv),
                    ConvModule(high, high, 3, padding=1, **conv)))
            self.ups.insert(
                0,
                nn.Sequential(
                    ConvModule(high + low, low, 3, padding=1, **conv),
                    ConvModule(low, low, 3, padding=1, **conv)))
        self.out = ConvModule(
            channels[0], out_channels, 1, norm_cfg=None, act_cfg=out_act_cfg)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map the input to a feature of the same spatial size."""
        x = self.inc(x)
        skips = []
        for down in self.downs:
            skips.append(x)
            x = down(x)
        for up in self.ups:
            skip = skips.pop()
            x = F.interpolate(
                x, size=skip.shape[2:], mode='bilinear', align_corners=False)
            x = up(torch.cat([x, skip], dim=1))
        return self.out(x)


@MODELS.register_module()
class FeatureGenerator(BaseModule):
    """Label mask and latent code to a backbone feature: ASPP layout + U-Net.

    Args:
        num_classes (int): Number of classes of the masks.
        feature_channels (int): Channels of the target feature (256 for
            ResNet-18 stage 3, 1024 for ResNet-50 stage 3).
        downsample_factor (int): Output stride of the target feature.
        latent_dim (int): Size of z. Defaults to 8.
        layout_channels (int | Sequence[int]): Widths of the ASPP layout
            encoder. Defaults to 64.
        unet_channels (Sequence[int]): U-Net widths (paper: 96, 192, 384).
            Defaults to (96, 192, 384).
        ignore_index (int): Label encoded as a zero vector. Defaults to 255.
        norm_cfg (dict, optional): Normalization layers.
            Defaults to ``dict(type='BN')``.
        out_act_cfg (dict, optional): Output activation.
            Defaults to ``dict(type='ReLU')``.
        init_cfg (dict, optional): Initialization. Defaults to None.

    Shape:
        - masks: (N, H, W); z: (N, latent_dim)
        - output: (N, feature_channels, ceil(H / f), ceil(W / f))
    """

    def __init__(self,
                 num_classes: int,
                 feature_channels: int,
                 downsample_factor: int,
                 latent_dim: int = 8,
                 layout_channels: Union[int, Sequence[int]] = 64,
                 unet_channels: Sequence[int] = (96, 192, 384),
                 ignore_index: int = 255,
                 norm_cfg: Optional[dict] = dict(type='BN'),
                 out_act_cfg: Optional[dict] = dict(type='ReLU'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        self.num_classes = num_classes
        self.feature_channels = feature_channels
        self.latent_dim = latent_dim
        self.layout_encoder = ASPPLayoutEncoder(
            num_classes,
            downsample_factor,
            layout_channels,
            ignore_index=ignore_index,
            norm_cfg=norm_cfg)
        self.unet = FeatureUNet(
            self.layout_encoder.out_channels + latent_dim,
            feature_channels,
            unet_channels,
            norm_cfg=norm_cfg,
            out_act_cfg=out_act_cfg)

    def forward(self,
                masks: torch.Tensor,
                z: Optional[torch.Tensor] = None,
                check_labels: bool = True) -> torch.Tensor:
        """Synthesize features; z is drawn from N(0, I) where None.

        Args:
            masks (Tensor): Class indices, (N, H, W).
            z (Tensor, optional): Latent codes, (N, latent_dim).
                Defaults to None.
            check_labels (bool): Check the labels (a host
                synchronisation, see :class:`ASPPLayoutEncoder`).
                Defaults to True.
        """
        layout = self.layout_encoder(masks, check_labels)
        n, _, h, w = layout.shape
        if z is None:
            z = layout.new_empty(n, self.latent_dim).normal_()
        if z.shape != (n, self.latent_dim):
            raise ValueError(f'z must have shape ({n}, {self.latent_dim}), '
                             f'got {tuple(z.shape)}.')
        z_map = z.view(n, -1, 1, 1).expand(-1, -1, h, w)
        return self.unet(torch.cat([layout, z_map], dim=1))
