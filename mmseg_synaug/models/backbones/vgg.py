"""VGG backbones (Simonyan & Zisserman, 2015) for FCN/DeepLab-style segmentors.

mmseg 1.x has no VGG backbone (mmpretrain's would pull in a new dependency).
The layers are numbered as torchvision's ``vgg{11,13,16,19}`` ``features``,
so its ImageNet weights load unchanged from a local file.
"""
import os.path as osp
from typing import List, Sequence, Tuple

import torch.nn as nn
from mmcv.cnn import build_norm_layer
from mmengine.model import BaseModule
from mmseg.registry import MODELS
from mmseg.utils import OptConfigType, OptMultiConfig
from torch import Tensor

__all__ = ['VGG']


@MODELS.register_module()
class VGG(BaseModule):
    """A VGG network without its classifier, with stage-wise stride/dilation.

    Each of the five stages is ``n`` 3x3 convolutions (each followed by
    ReLU, after a norm layer when ``norm_cfg`` is set) and a max pooling.
    A stage with stride 1 pools with a 3x3 window, stride 1 and padding 1,
    and a dilation > 1 dilates its convolutions: ``strides=(2, 2, 2, 1, 1)``
    with ``dilations=(1, 1, 1, 1, 2)`` is DeepLab-LargeFOV's output stride 8.

    Pretrained weights come only from a local file, e.g. torchvision's
    ``vgg16-397923af.pth`` (keys ``features.N.*``; the classifier's keys
    are ignored), via ``init_cfg=dict(type='Pretrained',
    checkpoint='checkpoints/vgg16-397923af.pth')``; nothing is downloaded.

    Args:
        depth (int): 11, 13, 16 or 19. Defaults to 16.
        in_channels (int): Input channels. Defaults to 3.
        strides (Sequence[int]): Stride (1 or 2) of each stage's pooling.
            Defaults to (2, 2, 2, 2, 2).
        dilations (Sequence[int]): Dilation of each stage's convolutions.
            Defaults to (1, 1, 1, 1, 1).
        out_indices (Sequence[int]): Stages whose outputs are returned.
            Defaults to (4, ).
        norm_cfg (dict, optional): Norm layer after each convolution (the
            ``vgg*_bn`` layout). Defaults to None.
        init_cfg (dict or list[dict], optional): Initialisation config.
            Defaults to None.

    Shape:
        - input: :math:`(N, C_{in}, H, W)`.
        - output: a tuple, per index ``i`` in ``out_indices``, of
          :math:`(N, 64 \\cdot 2^{\\min(i, 3)}, H / s_i, W / s_i)` with
          :math:`s_i` the product of ``strides[:i + 1]``.
    """

    arch_settings = {
        11: (1, 1, 2, 2, 2),
        13: (2, 2, 2, 2, 2),
        16: (2, 2, 3, 3, 3),
        19: (2, 2, 4, 4, 4)
    }
    stage_channels = (64, 128, 256, 512, 512)

    def __init__(self,
                 depth: int = 16,
                 in_channels: int = 3,
                 strides: Sequence[int] = (2, 2, 2, 2, 2),
                 dilations: Sequence[int] = (1, 1, 1, 1, 1),
                 out_indices: Sequence[int] = (4, ),
                 norm_cfg: OptConfigType = None,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if depth not in self.arch_settings:
            raise KeyError(f'Invalid depth {depth} for VGG: choose one of '
                           f'{sorted(self.arch_settings)}.')
        if len(strides) != 5 or len(dilations) != 5:
            raise ValueError('strides and dilations need one value per '
                             f'stage (5), got {strides} and {dilations}.')
        if any(s not in (1, 2) for s in strides):
            raise ValueError(f'strides must be 1 or 2, got {strides}.')
        if not out_indices or any(i not in range(5) for i in out_indices):
            raise ValueError(f'out_indices must be stage indices in 0..4, got '
                             f'{out_indices}.')
        self.depth = depth
        self.out_indices = tuple(out_indices)

        layers: List[nn.Module] = []
        self._stage_ends: List[int] = []
        prev = in_channels
        for num_convs, channels, stride, dilation in zip(
                self.arch_settings[depth], self.stage_channels, strides,
                dilations):
            for _ in range(num_convs):
                layers.append(
                    nn.Conv2d(
                        prev, channels, 3, padding=dilation,
                        dilation=dilation))
                if norm_cfg is not None:
                    layers.append(build_norm_layer(norm_cfg, channels)[1])
                layers.append(nn.ReLU(inplace=True))
                prev = channels
            if stride == 2:
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers.append(nn.MaxPool2d(3, 1, padding=1))
            self._stage_ends.append(len(layers) - 1)
        self.features = nn.Sequential(*layers)

    def init_weights(self) -> None:
        """Initialise, loading pretrained weights from a local file only."""
        cfg = self.init_cfg
        if isinstance(cfg, dict) and cfg.get('type') == 'Pretrained':
            checkpoint = str(cfg.get('checkpoint', ''))
            fix = ('download torchvision\'s VGG weights (e.g. '
                   'vgg16-397923af.pth) on a machine with network access, '
                   'put the file on this machine and set '
                   'model.backbone.init_cfg.checkpoint to its path, or set '
                   'model.backbone.init_cfg=None to train from scratch.')
            if '://' in checkpoint:
                raise ValueError(
                    f'VGG loads pretrained weights from a local file only, '
                    f'got `{checkpoint}`: {fix}')
            if not osp.isfile(checkpoint):
                raise FileNotFoundError(
                    f'The VGG pretrained weights `{checkpoint}` do not '
                    f'exist: {fix}')
        super().init_weights()

    def forward(self, x: Tensor) -> Tuple[Tensor, ...]:
        """Return the outputs of the stages in ``out_indices``.

        Args:
            x (Tensor): Input images.

        Returns:
            tuple[Tensor]: Stage outputs (after each stage's pooling).
        """
        outs = []
        stage = 0
        for index, layer in enumerate(self.features):
            x = layer(x)
            if index == self._stage_ends[stage]:
                if stage in self.out_indices:
                    outs.append(x)
                stage += 1
                if stage > max(self.out_indices):
                    break
        return tuple(outs)
