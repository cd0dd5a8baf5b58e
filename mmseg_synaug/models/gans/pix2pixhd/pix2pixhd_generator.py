"""The pix2pixHD generator: a global generator and an optional local enhancer.

Wang et al., "High-Resolution Image Synthesis and Semantic Manipulation with
Conditional GANs", CVPR 2018, section 3.2. Written from the paper.
Layer notation of the paper: ``c7s1-k`` is a 7x7 convolution with k filters
and stride 1, ``dk`` a 3x3 convolution with k filters and stride 2,
``Rk`` a residual block of two 3x3 convolutions with k filters, ``uk`` a 3x3
transposed convolution with k filters and stride 2; each is followed by
instance normalisation and ReLU, except the last ``c7s1-3`` (tanh).
"""
from typing import List, Optional

import torch
import torch.nn as nn
from mmengine.model import BaseModule

from ....utils import DataError
from .registration import register_gan_module


def _norm(channels: int) -> nn.Module:
    return nn.InstanceNorm2d(channels, affine=False)


def conv7_block(in_channels: int, out_channels: int) -> nn.Sequential:
    """``c7s1-k``: reflection pad 3, 7x7 conv, instance norm, ReLU."""
    return nn.Sequential(
        nn.ReflectionPad2d(3), nn.Conv2d(in_channels, out_channels, 7),
        _norm(out_channels), nn.ReLU(inplace=True))


def down_block(in_channels: int, out_channels: int) -> nn.Sequential:
    """``dk``: 3x3 conv with stride 2, instance norm, ReLU."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, stride=2, padding=1),
        _norm(out_channels), nn.ReLU(inplace=True))


def up_block(in_channels: int, out_channels: int) -> nn.Sequential:
    """``uk``: 3x3 transposed conv with stride 2, instance norm, ReLU."""
    return nn.Sequential(
        nn.ConvTranspose2d(
            in_channels,
            out_channels,
            3,
            stride=2,
            padding=1,
            output_padding=1), _norm(out_channels), nn.ReLU(inplace=True))


def output_block(in_channels: int, out_channels: int = 3) -> nn.Sequential:
    """``c7s1-3`` with tanh: the image in [-1, 1]."""
    return nn.Sequential(
        nn.ReflectionPad2d(3), nn.Conv2d(in_channels, out_channels, 7),
        nn.Tanh())


class ResidualBlock(nn.Module):
    """``Rk``: two reflection-padded 3x3 convolutions and a skip connection.

    Args:
        channels (int): Input and output channels.

    Shape:
        - Input: (N, C, H, W).
        - Output: (N, C, H, W).
    """

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(channels, channels, 3),
            _norm(channels), nn.ReLU(inplace=True), nn.ReflectionPad2d(1),
            nn.Conv2d(channels, channels, 3), _norm(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.body(x)


@register_gan_module
class Pix2PixHDGenerator(BaseModule):
    """Global generator G1, optionally wrapped by local enhancers G2.

    G1 is ``c7s1-C, d2C, ..., d(2^D C), R(2^D C) x B, u(2^(D-1) C), ...,
    uC, c7s1-3`` with C = ``base_channels``, D = ``num_downsamples`` and
    B = ``num_blocks`` (the paper: C=64, D=4, B=9). With
    ``num_local_enhancers`` = L > 0, G1 runs on the input downsampled L
    times by 2 (average pooling) and each enhancer, working at twice the
    resolution of the previous stage, has a front end ``c7s1-C', d2C'``
    whose output is summed with the last feature map of the previous stage
    (before its output layer), then ``R2C' x B_l, uC', c7s1-3`` (the paper:
    C'=32, B_l=3). The global generator then has C = 2 ** L * C' channels
    and no output layer of its own.

    Coarse-to-fine training (paper section 3.2): train G1 alone
    (``num_local_enhancers=0``, ``base_channels`` = 2 ** L * C'), then
    load that checkpoint into G1 + G2 (``load_from``; :class:`Pix2PixHD`
    accepts it and can keep G1 frozen for a first number of iterations).

    Args:
        in_channels (int): Input channels (classes, plus one for the
            instance-boundary map).
        out_channels (int): Image channels. Defaults to 3.
        base_channels (int): C of the global generator (``c7s1-C``).
            Defaults to 64.
        num_downsamples (int): D of the global generator. Defaults to 4.
        num_blocks (int): B of the global generator. Defaults to 9.
        max_channels (int, optional): Cap on the width of any layer.
            Defaults to None (no cap).
        num_local_enhancers (int): L. Defaults to 0.
        local_base_channels (int, optional): C' of the innermost enhancer;
            None uses ``base_channels // 2``. Defaults to None.
        num_local_blocks (int): B_l. Defaults to 3.
        init_cfg (dict, optional): Initialisation config. Defaults to
            normal init with std 0.02 (conv layers).

    Shape:
        - Input: (N, in_channels, H, W), H and W multiples of
          ``2 ** (num_downsamples + num_local_enhancers)``.
        - Output: (N, out_channels, H, W), in [-1, 1].
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int = 3,
        base_channels: int = 64,
        num_downsamples: int = 4,
        num_blocks: int = 9,
        max_channels: Optional[int] = None,
        num_local_enhancers: int = 0,
        local_base_channels: Optional[int] = None,
        num_local_blocks: int = 3,
        init_cfg: Optional[dict] = dict(
            type='Normal', layer=['Conv2d', 'ConvTranspose2d'], std=0.02)
    ) -> None:
        super().__init__(init_cfg=init_cfg)
        for name, value in (('in_channels', in_channels), ('base_channels',
                                                           base_channels),
                            ('num_downsamples', num_downsamples + 1)):
            if value < 1:
                raise DataError(f'Pix2PixHDGenerator: {name} must be >= 1 '
                                f'(num_downsamples >= 0), got {value}.')
        self.in_channels = in_channels
        self.num_downsamples = num_downsamples
        self.num_local_enhancers = num_local_enhancers

        def width(channels: int) -> int:
            return min(channels, max_channels) if max_channels else channels

        local_base = local_base_channels or max(base_channels // 2, 1)
        global_base = (
            base_channels if num_local_enhancers == 0 else local_base *
            2**num_local_enhancers)
        # Global generator G1.
        layers: List[nn.Module] = [
            conv7_block(in_channels, width(global_base))
        ]
        channels = width(global_base)
        for i in range(num_downsamples):
            out = width(global_base * 2**(i + 1))
            layers.append(down_block(channels, out))
            channels = out
        layers += [ResidualBlock(channels) for _ in range(num_blocks)]
        for i in reversed(range(num_downsamples)):
            out = width(global_base * 2**i)
            layers.append(up_block(channels, out))
            channels = out
        self.global_features = nn.Sequential(*layers)
        # G1's own output layer exists only without enhancers: with them it
        # would get no gradient (and force find_unused_parameters in DDP).
        # A G1 trained alone first is loaded without it (coarse-to-fine).
        self.global_output = (
            output_block(channels, out_channels)
            if num_local_enhancers == 0 else None)
        # Local enhancers G2 (outermost last).
        self.enhancer_front = nn.ModuleList()
        self.enhancer_back = nn.ModuleList()
        for level in reversed(range(num_local_enhancers)):
            base = width(local_base * 2**level)
            self.enhancer_front.append(
                nn.Sequential(
                    conv7_block(in_channels, base), down_block(base,
                                                               channels)))
            self.enhancer_back.append(
                nn.Sequential(
                    *[
                        ResidualBlock(channels)
                        for _ in range(num_local_blocks)
                    ], up_block(channels, base)))
            channels = base
        self.enhancer_output = (
            output_block(channels, out_channels)
            if num_local_enhancers else None)
        self.downsample = nn.AvgPool2d(
            3, stride=2, padding=1, count_include_pad=False)

    def global_parameters(self) -> List[nn.Parameter]:
        """The parameters of the global generator G1."""
        modules = [self.global_features]
        if self.global_output is not None:
            modules.append(self.global_output)
        return [p for module in modules for p in module.parameters()]

    @property
    def size_divisor(self) -> int:
        """Input sizes must be multiples of this."""
        return 2**(self.num_downsamples + self.num_local_enhancers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Generate an image from a label input.

        Args:
            x (torch.Tensor): One-hot labels (and instance boundaries) of
                shape (N, in_channels, H, W).

        Returns:
            torch.Tensor: Image of shape (N, out_channels, H, W) in [-1, 1].
        """
        if x.dim() != 4 or x.shape[1] != self.in_channels:
            raise DataError(
                f'Pix2PixHDGenerator expects (N, {self.in_channels}, H, W) '
                f'inputs, got {tuple(x.shape)}.')
        if x.shape[2] % self.size_divisor or x.shape[3] % self.size_divisor:
            raise DataError(
                f'Pix2PixHDGenerator input size {tuple(x.shape[2:])} is not '
                f'a multiple of {self.size_divisor} '
                '(2 ** (num_downsamples + num_local_enhancers)).',
                fix='Crop or pad the label maps (Pix2PixHD.synthesize pads).')
        pyramid = [x]
        for _ in range(self.num_local_enhancers):
            pyramid.append(self.downsample(pyramid[-1]))
        features = self.global_features(pyramid[-1])
        if self.num_local_enhancers == 0:
            return self.global_output(features)
        for i in range(self.num_local_enhancers):
            inputs = pyramid[self.num_local_enhancers - 1 - i]
            features = self.enhancer_back[i](
                self.enhancer_front[i](inputs) + features)
        return self.enhancer_output(features)
