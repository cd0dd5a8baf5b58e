"""The fully-convolutional discriminator of Hung et al.

Hung, Tsai, Liou, Lin and Yang, "Adversarial Learning for Semi-Supervised
Semantic Segmentation", BMVC 2018: the discriminator sees a class
probability map alone (a one-hot ground truth or a softmax prediction, no
image) and gives a confidence map, one real/fake logit per pixel: five
4x4 convolutions of stride 2 with {64, 128, 256, 512, 1} channels, each but
the last followed by a LeakyReLU of slope 0.2, and the output upsampled to
the size of the input map.
"""
from typing import Optional, Sequence

import torch.nn as nn
from mmcv.cnn import ConvModule
from mmengine.model import BaseModule
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from mmseg.utils import ConfigType, OptMultiConfig
from torch import Tensor

__all__ = ['FCDiscriminator']


@MODELS.register_module()
class FCDiscriminator(BaseModule):
    """Per-pixel real/fake logits of a class probability map (Hung et al.).

    ``len(channels)`` 4x4 convolutions of stride 2 (padding 1), each
    followed by the activation, then a last 4x4 convolution of stride 2 to
    one channel; its output is resized bilinearly to the input's size, so
    that the adversarial loss can be masked at ignored pixels. The paper's
    discriminator is ``channels=(64, 128, 256, 512)``.

    The discriminator sees the label map only; ``with_image`` is False so
    that :class:`AdversarialEncoderDecoder` does not pass the image.

    Args:
        num_classes (int): Channels of the label map, the segmentor's
            number of classes.
        channels (Sequence[int]): Output channels of the convolutions
            before the last. Defaults to (64, 128, 256, 512).
        act_cfg (dict): Activation after each convolution but the last.
            Defaults to ``dict(type='LeakyReLU', negative_slope=0.2)``.
        align_corners (bool): ``align_corners`` of the upsampling.
            Defaults to False.
        init_cfg (dict or list[dict], optional): Initialisation config.
            Defaults to None (mmcv's Kaiming initialisation of ConvModule).

    Shape:
        - label_map: :math:`(N, K, H, W)`, K = ``num_classes``, with
          ``H, W >= 2 ** (len(channels) + 1)``.
        - output: :math:`(N, 1, H, W)`.
    """

    with_image = False

    def __init__(self,
                 num_classes: int,
                 channels: Sequence[int] = (64, 128, 256, 512),
                 act_cfg: ConfigType = dict(
                     type='LeakyReLU', negative_slope=0.2),
                 align_corners: bool = False,
                 init_cfg: OptMultiConfig = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_classes < 1:
            raise ValueError(f'num_classes must be >= 1, got {num_classes}.')
        if len(channels) < 1:
            raise ValueError('channels must name at least one convolution.')
        self.num_classes = num_classes
        self.channels = tuple(channels)
        self.align_corners = align_corners
        convs = []
        prev = num_classes
        for out in self.channels:
            convs.append(
                ConvModule(prev, out, 4, stride=2, padding=1, act_cfg=act_cfg))
            prev = out
        self.convs = nn.Sequential(*convs)
        self.conv_out = nn.Conv2d(prev, 1, 4, stride=2, padding=1)

    @property
    def downsample_ratio(self) -> int:
        """int: Stride of the last convolution's output."""
        return 2**(len(self.channels) + 1)

    def forward(self,
                label_map: Tensor,
                image: Optional[Tensor] = None) -> Tensor:
        """The confidence map: one logit per pixel, positive for "real".

        Args:
            label_map (Tensor): One-hot ground truth or softmax prediction,
                zero vectors at ignored pixels.
            image (Tensor, optional): Refused: this discriminator sees the
                label map only. Defaults to None.

        Returns:
            Tensor: Logits at the input's size.
        """
        if label_map.dim() != 4 or label_map.size(1) != self.num_classes:
            raise ValueError(
                f'label_map must have shape (N, {self.num_classes}, H, W), '
                f'got {tuple(label_map.shape)}.')
        if image is not None:
            raise ValueError(
                'FCDiscriminator sees label maps only (Hung et al.) but got '
                'an image.')
        size = label_map.shape[2:]
        if min(size) < self.downsample_ratio:
            raise ValueError(
                f'The label map ({tuple(size)}) is smaller than the '
                f"discriminator's downsampling ({self.downsample_ratio}); "
                'use fewer convolutions (channels) or larger crops.')
        logits = self.conv_out(self.convs(label_map))
        return resize(
            logits,
            size=tuple(size),
            mode='bilinear',
            align_corners=self.align_corners)
