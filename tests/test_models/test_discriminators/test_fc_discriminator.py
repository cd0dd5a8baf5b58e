"""FCDiscriminator (Hung et al.): the paper's layers, one logit per pixel."""
import pytest
import torch
import torch.nn as nn
from mmseg.registry import MODELS

from mmseg_synaug.models import FCDiscriminator


def small(**kwargs) -> FCDiscriminator:
    cfg = dict(num_classes=5, channels=(8, 16))
    cfg.update(kwargs)
    disc = FCDiscriminator(**cfg)
    disc.init_weights()
    return disc


def test_the_papers_layers():
    """Five 4x4 convolutions of stride 2 with 64, 128, 256, 512, 1
    channels, LeakyReLU(0.2) after each but the last."""
    disc = MODELS.build(dict(type='FCDiscriminator', num_classes=19))
    convs = [m for m in disc.modules() if isinstance(m, nn.Conv2d)]
    assert [c.out_channels for c in convs] == [64, 128, 256, 512, 1]
    assert convs[0].in_channels == 19
    for conv in convs:
        assert conv.kernel_size == (4, 4) and conv.stride == (2, 2)
    acts = [m for m in disc.modules() if isinstance(m, nn.LeakyReLU)]
    assert len(acts) == 4
    assert all(act.negative_slope == 0.2 for act in acts)
    assert disc.with_image is False


@pytest.mark.parametrize('size', [(16, 16), (32, 24), (37, 41), (64, 64)])
def test_one_logit_per_pixel_at_the_input_size(size):
    disc = small()
    out = disc(torch.rand(3, 5, *size))
    assert out.shape == (3, 1, *size)
    assert torch.isfinite(out).all()


def test_output_depends_on_the_label_map_and_sends_it_gradient():
    torch.manual_seed(0)
    disc = small()
    label = torch.rand(2, 5, 32, 32, requires_grad=True)
    out = disc(label)
    assert not torch.allclose(out, disc(label.flip(1)))
    out.sum().backward()
    assert label.grad is not None and label.grad.abs().sum() > 0


def test_bad_inputs_are_clear_errors():
    disc = small()
    with pytest.raises(ValueError, match=r'\(N, 5, H, W\)'):
        disc(torch.rand(2, 4, 16, 16))
    with pytest.raises(ValueError, match='label maps only'):
        disc(torch.rand(2, 5, 16, 16), torch.rand(2, 3, 16, 16))
    with pytest.raises(ValueError, match='smaller than'):
        disc(torch.rand(2, 5, 4, 16))
    with pytest.raises(ValueError, match='num_classes'):
        FCDiscriminator(num_classes=0)
