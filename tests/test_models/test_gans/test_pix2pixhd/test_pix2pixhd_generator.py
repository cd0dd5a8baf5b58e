"""Pix2PixHDGenerator: shapes with and without local enhancers."""
import pytest
import torch

from mmseg_synaug.models import Pix2PixHDGenerator
from mmseg_synaug.utils import DataError


@pytest.mark.parametrize('enhancers', [0, 1, 2])
def test_output_shape_and_range(enhancers):
    generator = Pix2PixHDGenerator(
        in_channels=12,
        base_channels=8,
        num_downsamples=2,
        num_blocks=1,
        num_local_enhancers=enhancers,
        local_base_channels=4,
        num_local_blocks=1)
    size = 8 * generator.size_divisor
    out = generator(torch.rand(2, 12, size, size + generator.size_divisor))
    assert out.shape == (2, 3, size, size + generator.size_divisor)
    assert out.abs().max() <= 1
    assert generator.size_divisor == 2**(2 + enhancers)


def test_paper_layout_widths():
    # c7s1-64, d128, d256, d512, d1024, R1024 x 9, u512 ... u64, c7s1-3
    generator = Pix2PixHDGenerator(in_channels=11, num_blocks=9)
    convs = [
        m for m in generator.global_features.modules()
        if isinstance(m, torch.nn.Conv2d)
    ]
    assert [c.out_channels for c in convs[:5]] == [64, 128, 256, 512, 1024]
    assert convs[0].kernel_size == (7, 7)
    ups = [
        m for m in generator.global_features.modules()
        if isinstance(m, torch.nn.ConvTranspose2d)
    ]
    assert [u.out_channels for u in ups] == [512, 256, 128, 64]
    assert len(generator.global_features) == 1 + 4 + 9 + 4


def test_local_enhancer_uses_global_features():
    generator = Pix2PixHDGenerator(
        in_channels=3,
        base_channels=8,
        num_downsamples=1,
        num_blocks=1,
        num_local_enhancers=1,
        local_base_channels=4)
    x = torch.rand(1, 3, 16, 16)
    out = generator(x)
    out.mean().backward()
    # the global generator's features reach the output
    assert generator.global_features[0][1].weight.grad.abs().sum() > 0
    # the global generator's own output layer is not built: every
    # parameter is on the path (no find_unused_parameters under DDP)
    assert generator.global_output is None
    assert all(p.grad is not None for p in generator.parameters())


def test_bad_input_is_clear_error():
    generator = Pix2PixHDGenerator(
        in_channels=5, base_channels=4, num_downsamples=2, num_blocks=1)
    with pytest.raises(DataError, match='multiple of 4'):
        generator(torch.rand(1, 5, 18, 16))
    with pytest.raises(DataError, match=r'\(N, 5, H, W\)'):
        generator(torch.rand(1, 4, 16, 16))
