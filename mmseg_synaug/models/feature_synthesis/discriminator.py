"""BicycleGAN's encoder and discriminator on (layout, feature) pairs.

He, Schiele and Fritz, "Synthetic Convolutional Features for Improved
Semantic Segmentation" (2018): the discriminator encodes the
layout with its own ASPP layout encoder, concatenates it with a (real or
synthetic) feature and judges the pair patch by patch; the encoder E of
BicycleGAN (Zhu et al., "Toward Multimodal Image-to-Image Translation",
NeurIPS 2017) maps a feature to the posterior over the latent code z.
"""
from typing import Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmseg.registry import MODELS

from .generator import ASPPLayoutEncoder

__all__ = ['FeatureEncoder', 'FeatureDiscriminator']


@MODELS.register_module()
class FeatureEncoder(BaseModule):
    """BicycleGAN's encoder E: a feature to the mean and log-variance of z.

    Args:
        in_channels (int): Channels of the feature.
        latent_dim (int): Size of z. Defaults to 8.
        channels (Sequence[int]): Widths of its stride-2 convolutions.
            Defaults to (96, 192, 384).
        norm_cfg (dict, optional): Normalization layers. Defaults to None.
        act_cfg (dict): Activation layers.
            Defaults to ``dict(type='LeakyReLU', negative_slope=0.2)``.
        init_cfg (dict, optional): Initialization. Defaults to None.

    Shape:
        - feature: (N, in_channels, h, w)
        - mu, logvar: (N, latent_dim)
    """

    def __init__(self,
                 in_channels: int,
                 latent_dim: int = 8,
                 channels: Sequence[int] = (96, 192, 384),
                 norm_cfg: Optional[dict] = None,
                 act_cfg: dict = dict(type='LeakyReLU', negative_slope=0.2),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        layers = []
        for width in channels:
            layers.append(
                ConvModule(
                    in_channels,
                    width,
                    3,
                    stride=2,
                    padding=1,
                    norm_cfg=norm_cfg,
                    act_cfg=act_cfg))
            in_channels = width
        self.convs = nn.Sequential(*layers)
        self.fc_mu = nn.Linear(in_channels, latent_dim)
        self.fc_logvar = nn.Linear(in_channels, latent_dim)

    def forward(self,
                feature: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Return ``(mu, logvar)`` of the posterior over z."""
        x = self.convs(feature).mean(dim=(2, 3))
        return self.fc_mu(x), self.fc_logvar(x)


@MODELS.register_module()
class FeatureDiscriminator(BaseModule):
    """Judges (layout, feature) pairs patch by patch.

    The mask is encoded by its own ASPP layout encoder to the feature
    resolution, concatenated with the feature and passed through 3x3
    convolutions (stride 1: features are small) to one score per position.

    Args:
        num_classes (int): Number of classes of the masks.
        feature_channels (int): Channels of the feature.
        downsample_factor (int): Output stride of the feature.
        layout_channels (int | Sequence[int]): Widths of the layout encoder.
            Defaults to 64.
        channels (Sequence[int]): Widths of the judging convolutions.
            Defaults to (96, 192, 384).
        ignore_index (int): Label encoded as a zero vector. Defaults to 255.
        norm_cfg (dict, optional): Normalization of the layout encoder.
            Defaults to ``dict(type='BN')``.
        init_cfg (dict, optional): Initialization. Defaults to None.

    Shape:
        - masks: (N, H, W); feature: (N, feature_channels, h, w)
        - output: (N, 1, h, w)
    """

    def __init__(self,
                 num_classes: int,
                 feature_channels: int,
                 downsample_factor: int,
                 layout_channels: Union[int, Sequence[int]] = 64,
                 channels: Sequence[int] = (96, 192, 384),
                 ignore_index: int = 255,
                 norm_cfg: Optional[dict] = dict(type='BN'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        self.layout_encoder = ASPPLayoutEncoder(
            num_classes,
            downsample_factor,
            layout_channels,
            ignore_index=ignore_index,
            norm_cfg=norm_cfg)
        act = dict(type='LeakyReLU', negative_slope=0.2)
        in_channels = self.layout_encoder.out_channels + feature_channels
        layers = []
        for width in channels:
            layers.append(
                ConvModule(in_channels, width, 3, padding=1, act_cfg=act))
            in_channels = width
        layers.append(nn.Conv2d(in_channels, 1, 3, padding=1))
        self.judge = nn.Sequential(*layers)

    def forward(self, masks: torch.Tensor,
                feature: torch.Tensor) -> torch.Tensor:
        """Score each position of the pair; high means real."""
        return self.judge_layout(self.layout_encoder(masks), feature)

    def judge_layout(self, layout: torch.Tensor,
                     feature: torch.Tensor) -> torch.Tensor:
        """Score a feature against an already encoded layout."""
        return self.judge(torch.cat([layout, feature], dim=1))
