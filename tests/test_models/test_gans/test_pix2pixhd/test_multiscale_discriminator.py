"""MultiScalePatchDiscriminator: scales, features and the pyramid."""
import torch

from mmseg_synaug.models import MultiScalePatchDiscriminator


def test_features_per_scale():
    disc = MultiScalePatchDiscriminator(
        in_channels=14, num_scales=3, base_channels=8, num_layers=3)
    outputs = disc(torch.rand(2, 14, 64, 64))
    assert len(outputs) == 3
    for scale, features in enumerate(outputs):
        # C8, C16, C32, C64 and the 1-channel patch scores
        assert [f.shape[1] for f in features] == [8, 16, 32, 64, 1]
        assert features[0].shape[-1] == 64 // 2**scale // 2 + 1
        assert all(f.shape[0] == 2 for f in features)


def test_scales_see_downsampled_input():
    disc = MultiScalePatchDiscriminator(
        in_channels=3, num_scales=2, base_channels=4, num_layers=1)
    x = torch.rand(1, 3, 32, 32)
    second = disc.discriminators[1](disc.downsample(x))
    torch.testing.assert_close(disc(x)[1][-1], second[-1])


def test_num_scales_configurable():
    disc = MultiScalePatchDiscriminator(
        in_channels=3, num_scales=1, base_channels=4)
    assert len(disc(torch.rand(1, 3, 32, 32))) == 1
