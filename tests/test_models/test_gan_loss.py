"""LSGAN and feature-matching losses against torch.nn.functional."""
import pytest
import torch
import torch.nn.functional as F

from mmseg_synaug.models.losses import (feature_matching_loss, lsgan_loss,
                                        multiscale_lsgan_loss)


def test_lsgan_matches_mse():
    pred = torch.randn(2, 1, 5, 5)
    torch.testing.assert_close(
        lsgan_loss(pred, True), F.mse_loss(pred, torch.ones_like(pred)))
    torch.testing.assert_close(lsgan_loss(pred, False), (pred**2).mean())


def test_multiscale_sums_scores_only():
    outputs = [[torch.randn(1, 4, 8, 8),
                torch.randn(1, 1, 6, 6)],
               [torch.randn(1, 4, 4, 4),
                torch.randn(1, 1, 3, 3)]]
    expected = sum(((o[-1] - 1)**2).mean() for o in outputs)
    torch.testing.assert_close(multiscale_lsgan_loss(outputs, True), expected)


def test_feature_matching_is_mean_l1_over_layers_and_scales():
    real = [[
        torch.randn(1, 4, 8, 8),
        torch.randn(1, 8, 4, 4),
        torch.randn(1, 1, 3, 3)
    ],
            [
                torch.randn(1, 4, 4, 4),
                torch.randn(1, 8, 2, 2),
                torch.randn(1, 1, 2, 2)
            ]]
    fake = [[t.clone().requires_grad_() for t in scale] for scale in real]
    assert feature_matching_loss(real, fake) == 0
    shifted = [[t + 0.5 for t in scale] for scale in fake]
    loss = feature_matching_loss(real, shifted)
    # 2 scales x 2 feature layers (score maps excluded), each mean |0.5|
    torch.testing.assert_close(loss, torch.tensor(2.0))
    loss.backward()
    assert fake[0][0].grad is not None and fake[0][-1].grad is None
    assert torch.isfinite(loss)


def _features(num_d, num_layers, shift=0.0):
    """Per discriminator: num_layers + 1 feature maps and a score map."""
    torch.manual_seed(num_d * 10 + num_layers)
    return [[torch.randn(1, 2, 4, 4) + shift
             for _ in range(num_layers + 1)] + [torch.randn(1, 1, 3, 3)]
            for _ in range(num_d)]


@pytest.mark.parametrize('num_d,num_layers', [(1, 3), (2, 3), (3, 3), (3, 2),
                                              (2, 4)])
def test_feature_matching_scaled_as_reference(num_d, num_layers):
    """Each term weighs 1/num_D * 4/(n_layers_D + 1) (pix2pixHD's code)."""
    real = _features(num_d, num_layers)
    fake = [[t + 0.5 for t in scale[:-1]] + [scale[-1] * 3] for scale in real]
    # num_D * (n_layers + 1) terms, each |0.5|, each weighed
    expected = (
        num_d * (num_layers + 1) * 0.5 * (1 / num_d) * (4 / (num_layers + 1)))
    torch.testing.assert_close(
        feature_matching_loss(real, fake), torch.tensor(expected))
    # so the loss is 2.0 whatever the number of discriminators and layers
    torch.testing.assert_close(
        feature_matching_loss(real, fake), torch.tensor(2.0))


def test_feature_matching_refuses_mismatched_outputs():
    real = _features(2, 3)
    with pytest.raises(ValueError, match='2 real and 1 fake'):
        feature_matching_loss(real, real[:1])
