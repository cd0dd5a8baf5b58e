"""Multi-scale PatchGAN discriminators returning intermediate features.

Wang et al., CVPR 2018, section 3.2: identical 70x70 PatchGAN discriminators
(Isola et al., 2017) ``C64-C128-C256-C512`` (4x4 convolutions, LeakyReLU
0.2, instance norm except on the first layer) at several scales, the input
of each one downsampled by 2 from the previous one.
"""
from typing import List, Optional

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from .registration import register_gan_module


class PatchDiscriminatorWithFeatures(nn.Module):
    """One PatchGAN discriminator that also returns its layer outputs.

    Args:
        in_channels (int): Label channels plus image channels.
        base_channels (int): Width of the first layer. Defaults to 64.
        num_layers (int): Stride-2 layers (the 70x70 PatchGAN has 3).
            Defaults to 3.
        max_channels (int): Width cap. Defaults to 512.

    Shape:
        - Input: (N, in_channels, H, W).
        - Output: list of ``num_layers + 2`` tensors, the last of shape
          (N, 1, H', W'), the patch scores.
    """

    def __init__(self,
                 in_channels: int,
                 base_channels: int = 64,
                 num_layers: int = 3,
                 max_channels: int = 512) -> None:
        super().__init__()
        layers = [
            nn.Sequential(
                nn.Conv2d(in_channels, base_channels, 4, 2, padding=2),
                nn.LeakyReLU(0.2, inplace=True))
        ]
        channels = base_channels
        for i in range(1, num_layers + 1):
            out = min(base_channels * 2**i, max_channels)
            stride = 2 if i < num_layers else 1
            layers.append(
                nn.Sequential(
                    nn.Conv2d(channels, out, 4, stride, padding=2),
                    nn.InstanceNorm2d(out), nn.LeakyReLU(0.2, inplace=True)))
            channels = out
        layers.append(nn.Conv2d(channels, 1, 4, 1, padding=2))
        self.layers = nn.ModuleList(layers)

    def forward(self, x: torch.Tensor) -> List[torch.Tensor]:
        features = []
        for layer in self.layers:
            x = layer(x)
            features.append(x)
        return features


@register_gan_module
class MultiScalePatchDiscriminator(BaseModule):
    """``num_scales`` PatchGAN discriminators on an image pyramid.

    Args:
        in_channels (int): Label channels plus image channels.
        num_scales (int): Discriminators; the k-th sees the input
            downsampled k times by 2 (3x3 average pooling, stride 2).
            Defaults to 3.
        base_channels (int): Width of the first layer. Defaults to 64.
        num_layers (int): Stride-2 layers of each. Defaults to 3.
        max_channels (int): Width cap. Defaults to 512.
        init_cfg (dict, optional): Initialisation config. Defaults to
            normal init with std 0.02.

    Shape:
        - Input: (N, in_channels, H, W).
        - Output: ``num_scales`` lists of ``num_layers + 2`` feature maps;
          the last map of each list holds the patch scores.
    """

    def __init__(
        self,
        in_channels: int,
        num_scales: int = 3,
        base_channels: int = 64,
        num_layers: int = 3,
        max_channels: int = 512,
        init_cfg: Optional[dict] = dict(
            type='Normal', layer='Conv2d', std=0.02)
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_scales < 1:
            raise ValueError(
                f'MultiScalePatchDiscriminator: num_scales must be >= 1, '
                f'got {num_scales}.')
        self.discriminators = nn.ModuleList([
            PatchDiscriminatorWithFeatures(in_channels, base_channels,
                                           num_layers, max_channels)
            for _ in range(num_scales)
        ])
        self.downsample = nn.AvgPool2d(
            3, stride=2, padding=1, count_include_pad=False)

    def forward(self, x: torch.Tensor) -> List[List[torch.Tensor]]:
        outputs = []
        for i, discriminator in enumerate(self.discriminators):
            if i:
                x = self.downsample(x)
            outputs.append(discriminator(x))
        return outputs
