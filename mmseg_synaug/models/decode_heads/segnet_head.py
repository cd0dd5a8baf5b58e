"""SegNet's decoder (Badrinarayanan et al., TPAMI 2017)."""
from typing import Sequence

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.models.decode_heads.decode_head import BaseDecodeHead
from mmseg.registry import MODELS

from ..backbones.segnet_encoder import SegNetFeatures, make_conv_stage


@MODELS.register_module()
class SegNetHead(BaseDecodeHead):
    """Decoder that upsamples with the encoder's max-pooling indices.

    Mirrors :class:`SegNetEncoder`: from the deepest stage up, each stage
    max-unpools with the saved indices (a sparse map holding each value at
    the position it was pooled from), then densifies it with ``num_convs``
    convolutions; a stage's last convolution narrows to the next
    shallower width. The first stage's output (``channels`` wide) goes to
    ``conv_seg``.

    Args:
        stage_channels (Sequence[int]): The encoder's stage widths, shallow
            to deep; ``in_channels`` must be the last, ``channels`` the
            first.
        stage_convs (Sequence[int]): The encoder's convolutions per stage.
        conv_type (str): ``'standard'`` or ``'depthwise_separable'``.
            Defaults to ``'standard'``.
        **kwargs: Passed to :class:`BaseDecodeHead` (``in_channels``,
            ``channels``, ``num_classes``, ``loss_decode``, ...).

    Shape:
        - input: :class:`SegNetFeatures` of the encoder
        - output: (N, num_classes, H, W) at the input's resolution
    """

    def __init__(self,
                 stage_channels: Sequence[int] = (64, 128, 256, 512, 512),
                 stage_convs: Sequence[int] = (2, 2, 3, 3, 3),
                 conv_type: str = 'standard',
                 **kwargs) -> None:
        super().__init__(**kwargs)
        if (self.in_channels != stage_channels[-1]
                or self.channels != stage_channels[0]):
            raise ValueError(
                f'SegNetHead needs in_channels={stage_channels[-1]} and '
                f'channels={stage_channels[0]} for stage_channels '
                f'{tuple(stage_channels)}, got in_channels='
                f'{self.in_channels}, channels={self.channels}.')
        self.stages = nn.ModuleList()
        widths = list(stage_channels)
        for i in reversed(range(len(widths))):
            out_width = widths[max(i - 1, 0)]
            stage = make_conv_stage(widths[i], widths[i], stage_convs[i],
                                    conv_type, self.norm_cfg)
            # the stage's last block narrows to the next shallower width
            stage[-1] = make_conv_stage(widths[i], out_width, 1, conv_type,
                                        self.norm_cfg)[0]
            self.stages.append(stage)

    def forward(self, inputs: SegNetFeatures) -> torch.Tensor:
        x = inputs.features[-1]
        for stage, index, size in zip(self.stages, reversed(inputs.indices),
                                      reversed(inputs.sizes)):
            x = F.max_unpool2d(
                x, index, kernel_size=2, stride=2, output_size=size)
            x = stage(x)
        return self.cls_seg(x)
