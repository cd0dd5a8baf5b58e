"""The discriminator of adversarial segmentation training.

It tells ground-truth label maps from a segmentor's predictions, each paired
with its image (Luc et al., "Semantic Segmentation using Adversarial
Networks", 2016), with one logit per image. The per-pixel discriminator of
Hung et al. (BMVC 2018) is :class:`FCDiscriminator`.
"""
from typing import Optional, Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmseg.registry import MODELS
from mmseg.utils import ConfigType, OptConfigType, OptMultiConfig
from torch import Tensor

__all__ = ['LabelMapDiscriminator']


@MODELS.register_module()
class LabelMapDiscriminator(BaseModule):
    """A small CNN that scores (image, label map) pairs as real or predicted.

    The label map (a one-hot ground truth or a softmax prediction, C
    channels) and the image each pass through one 3x3 convolution of
    ``branch_channels``; the two feature maps are concatenated (Luc et al.'s
    "basic" input). Then each stage is a 2x2 average pooling followed by a
    3x3 convolution of ``channels[i]`` with a LeakyReLU; a last 3x3
    convolution gives a one-channel map of patch scores, averaged into one
    logit per image. With ``with_image=False`` the image branch is absent
    and the discriminator sees the label map only (an image-level ablation;
    Hung et al.'s per-pixel discriminator is :class:`FCDiscriminator`).

    ``downsample > 1`` average-pools the label map and the image by that
    factor before the first convolutions: a cheaper discriminator that sees
    coarser label maps (ground truth and prediction alike), for CPU-scale
    runs. The total downsampling is ``downsample * 2 ** len(channels)``;
    inputs must be at least that large.

    Args:
        num_classes (int): Channels of the label map, the segmentor's
            number of classes.
        in_channels (int): Channels of the image. Defaults to 3.
        with_image (bool): Whether the image is an input. False gives the
            probability-only discriminator. Defaults to True.
        branch_channels (int): Output channels of the first convolution of
            the label map and of the image. Defaults to 32.
        channels (Sequence[int]): Output channels of the stages, each
            halving the resolution. Defaults to (64, 128, 256, 512).
        downsample (int): Factor by which both inputs are average-pooled
            first. Defaults to 1 (none).
        norm_cfg (dict, optional): Normalisation of the stage convolutions.
            Defaults to None (none, as in Luc et al.).
        act_cfg (dict): Activation. Defaults to
            ``dict(type='LeakyReLU', negative_slope=0.2)``.
        init_cfg (dict or list[dict], optional): Initialisation config.
            Defaults to None (mmcv's Kaiming initialisation of ConvModule).
    """

    def __init__(self,
                 num_classes: int,
                 in_channels: int = 3,
                 with_image: bool = True,
                 branch_channels: int = 32,
                 channels: Sequence[int] = (64, 128, 256, 512),
                 downsample: int = 1,
                 norm_cfg: OptConfigType = None,
                 act_cfg: ConfigType = dict(
                     type='LeakyReLU', negative_slope=0.2),
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_classes < 1:
            raise ValueError(f'num_classes must be >= 1, got {num_classes}.')
        if len(channels) < 1:
            raise ValueError('channels must name at least one stage.')
        if downsample < 1:
            raise ValueError(f'downsample must be >= 1, got {downsample}.')
        self.downsample = downsample
        self.num_classes = num_classes
        self.in_channels = in_channels
        self.with_image = with_image
        self.channels = tuple(channels)

        self.label_branch = ConvModule(
            num_classes, branch_channels, 3, padding=1, act_cfg=act_cfg)
        if with_image:
            self.image_branch = ConvModule(
                in_channels, branch_channels, 3, padding=1, act_cfg=act_cfg)
        stages = []
        prev = branch_channels * (2 if with_image else 1)
        for out in self.channels:
            stages.append(
                nn.Sequential(
                    nn.AvgPool2d(2),
                    ConvModule(
                        prev,
                        out,
                        3,
                        padding=1,
                        norm_cfg=norm_cfg,
                        act_cfg=act_cfg)))
            prev = out
        self.stages = nn.Sequential(*stages)
        self.conv_out = nn.Conv2d(prev, 1, 3, padding=1)

    @property
    def downsample_ratio(self) -> int:
        """int: Ratio of the input size to the patch-score map's size."""
        return self.downsample * 2**len(self.channels)

    def forward(self,
                label_map: Tensor,
                image: Optional[Tensor] = None) -> Tensor:
        """Score each (image, label map) pair.

        Args:
            label_map (Tensor): One-hot ground truth or softmax prediction,
                zero at ignored pixels.
            image (Tensor, optional): The images, required when
                ``with_image`` is True and refused otherwise.

        Returns:
            Tensor: One logit per image; positive means "ground truth".

        Shape:
            - label_map: :math:`(N, C, H, W)`, C = ``num_classes``.
            - image: :math:`(N, C_{in}, H, W)`.
            - output: :math:`(N, 1)`.
        """
        if label_map.dim() != 4 or label_map.size(1) != self.num_classes:
            raise ValueError(
                f'label_map must have shape (N, {self.num_classes}, H, W), '
                f'got {tuple(label_map.shape)}.')
        if min(label_map.shape[2:]) < self.downsample_ratio:
            raise ValueError(
                f'The label map ({tuple(label_map.shape[2:])}) is smaller '
                f'than the discriminator\'s downsampling '
                f'({self.downsample_ratio}); use fewer stages (channels).')
        shape = label_map.shape
        if self.downsample > 1:
            label_map = F.avg_pool2d(label_map, self.downsample)
        x = self.label_branch(label_map)
        if self.with_image:
            if image is None:
                raise ValueError(
                    'This discriminator pairs label maps with images '
                    '(with_image=True) but got no image.')
            if (image.shape[0] != shape[0]
                    or image.shape[1] != self.in_channels
                    or image.shape[2:] != shape[2:]):
                raise ValueError(f'image must have shape ({shape[0]}, '
                                 f'{self.in_channels}, {shape[2]}, '
                                 f'{shape[3]}) to match the label map, got '
                                 f'{tuple(image.shape)}.')
            if self.downsample > 1:
                image = F.avg_pool2d(image, self.downsample)
            x = torch.cat([x, self.image_branch(image)], dim=1)
        elif image is not None:
            raise ValueError(
                'This discriminator sees label maps only (with_image=False) '
                'but got an image.')
        x = self.conv_out(self.stages(x))
        return x.mean(dim=(2, 3))
