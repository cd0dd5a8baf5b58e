"""LabelMapDiscriminator: shapes, the image switch, and input checks."""
import pytest
import torch

from mmseg_synaug.models import LabelMapDiscriminator


def small(**kwargs) -> LabelMapDiscriminator:
    cfg = dict(num_classes=5, branch_channels=4, channels=(8, 16))
    cfg.update(kwargs)
    disc = LabelMapDiscriminator(**cfg)
    disc.init_weights()
    return disc


@pytest.mark.parametrize('size', [(16, 16), (32, 24), (37, 41)])
def test_one_logit_per_pair(size):
    disc = small()
    out = disc(torch.rand(3, 5, *size), torch.randn(3, 3, *size))
    assert out.shape == (3, 1)
    assert torch.isfinite(out).all()


def test_output_depends_on_label_map_and_image():
    torch.manual_seed(0)
    disc = small()
    label, image = torch.rand(2, 5, 16, 16), torch.randn(2, 3, 16, 16)
    out = disc(label, image)
    assert not torch.allclose(out, disc(label, image + 1))
    assert not torch.allclose(out, disc(label.flip(1), image))


def test_gradient_reaches_the_label_map():
    disc = small()
    label = torch.rand(2, 5, 16, 16, requires_grad=True)
    disc(label, torch.randn(2, 3, 16, 16)).sum().backward()
    assert label.grad is not None and label.grad.abs().sum() > 0


def test_probability_only_has_no_image_branch():
    disc = small(with_image=False)
    assert not hasattr(disc, 'image_branch')
    assert disc(torch.rand(2, 5, 16, 16)).shape == (2, 1)
    with pytest.raises(ValueError, match='with_image=False'):
        disc(torch.rand(2, 5, 16, 16), torch.randn(2, 3, 16, 16))
    n_prob = sum(p.numel() for p in disc.parameters())
    n_img = sum(p.numel() for p in small().parameters())
    assert n_prob < n_img


def test_downsample_pools_inputs_first():
    disc = small(downsample=2)
    assert disc.downsample_ratio == 8
    assert disc(torch.rand(1, 5, 8, 8), torch.randn(1, 3, 8, 8)).shape == \
        (1, 1)
    with pytest.raises(ValueError, match='smaller'):
        disc(torch.rand(1, 5, 4, 4), torch.randn(1, 3, 4, 4))


@pytest.mark.parametrize('kwargs, match', [
    (dict(num_classes=0), 'num_classes'),
    (dict(channels=()), 'at least one stage'),
    (dict(downsample=0), 'downsample'),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        small(**kwargs)


def test_bad_inputs():
    disc = small()
    with pytest.raises(ValueError, match=r'\(N, 5, H, W\)'):
        disc(torch.rand(1, 4, 16, 16), torch.randn(1, 3, 16, 16))
    with pytest.raises(ValueError, match='got no image'):
        disc(torch.rand(1, 5, 16, 16))
    with pytest.raises(ValueError, match='to match the label map'):
        disc(torch.rand(1, 5, 16, 16), torch.randn(1, 3, 8, 8))
    with pytest.raises(ValueError, match='smaller'):
        disc(torch.rand(1, 5, 2, 2), torch.randn(1, 3, 2, 2))


def test_registered_in_mmseg():
    from mmseg.registry import MODELS
    disc = MODELS.build(dict(type='LabelMapDiscriminator', num_classes=3))
    assert isinstance(disc, LabelMapDiscriminator)
