"""A per-pixel discriminator of (image, label map) pairs."""
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModule
from mmseg.registry import MODELS
from torch import Tensor

__all__ = ['PixelDiscriminator']


@MODELS.register_module()
class PixelDiscriminator(BaseModule):
    """Judge, at every pixel, whether a label map is a fine annotation.

    A small fully convolutional net: the image and the label map's class
    probabilities (one-hot for an annotation, softmax for a prediction) are
    concatenated, encoded by ``num_convs`` 3x3 convolutions, the middle ones
    with stride 2 to widen the receptive field, and a 1x1 convolution gives
    one logit per position, upsampled bilinearly to the input size: one
    real/fake logit per pixel, not per image, so that the judgement (and the
    gradient it sends the refiner) is local.

    Args:
        in_channels (int): Image channels plus number of classes.
        base_channels (int): Width of the first convolution, doubled at each
            stride-2 convolution. Defaults to 32.
        num_downsamples (int): Number of stride-2 convolutions.
            Defaults to 2.
        init_cfg (dict, optional): Initialisation config.
            Defaults to None.

    Shape:
        - image: (N, C_img, H, W)
        - probs: (N, K, H, W), with ``C_img + K == in_channels``
        - output: (N, 1, H, W)
    """

    def __init__(self,
                 in_channels: int,
                 base_channels: int = 32,
                 num_downsamples: int = 2,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        layers = [
            nn.Conv2d(in_channels, base_channels, 3, padding=1),
            nn.LeakyReLU(0.2, inplace=True)
        ]
        channels = base_channels
        for _ in range(num_downsamples):
            layers += [
                nn.Conv2d(channels, channels * 2, 3, stride=2, padding=1),
                nn.LeakyReLU(0.2, inplace=True)
            ]
            channels *= 2
        layers += [
            nn.Conv2d(channels, channels, 3, padding=2, dilation=2),
            nn.LeakyReLU(0.2, inplace=True),
            nn.Conv2d(channels, 1, 1)
        ]
        self.layers = nn.Sequential(*layers)
        self.in_channels = in_channels

    def forward(self, image: Tensor, probs: Tensor) -> Tensor:
        """Per-pixel logits that ``probs`` is a fine annotation of ``image``.

        Args:
            image (Tensor): Normalised image.
            probs (Tensor): Class probabilities.

        Returns:
            Tensor: Logits, one per pixel.
        """
        x = torch.cat([image, probs], dim=1)
        logits = self.layers(x)
        return F.interpolate(
            logits, size=image.shape[2:], mode='bilinear', align_corners=False)
