"""PixelDiscriminator gives one logit per pixel."""
import torch

from mmseg_synaug.models.discriminators import PixelDiscriminator


def test_one_logit_per_pixel_for_any_size():
    disc = PixelDiscriminator(in_channels=3 + 6, base_channels=8)
    for size in ((32, 32), (37, 50)):
        image = torch.randn(2, 3, *size)
        probs = torch.rand(2, 6, *size).softmax(1)
        assert disc(image, probs).shape == (2, 1, *size)


def test_judgement_is_local():
    torch.manual_seed(0)
    disc = PixelDiscriminator(in_channels=3 + 2, base_channels=8).eval()
    image = torch.randn(1, 3, 64, 64)
    probs = torch.zeros(1, 2, 64, 64)
    probs[:, 0] = 1
    changed = probs.clone()
    changed[:, :, :4, :4] = changed[:, [1, 0], :4, :4]
    diff = (disc(image, probs) - disc(image, changed)).abs()[0, 0]
    assert diff[:8, :8].max() > 0
    assert diff[40:, 40:].max() == 0  # far pixels are judged the same
