"""The GAN losses (vanilla and LSGAN objectives, feature matching) and
AdversarialLoss against torch.nn.functional."""
import pytest
import torch
import torch.nn.functional as F

from mmseg_synaug.models.losses import (AdversarialLoss, adversarial_loss,
                                        feature_matching_loss, gan_loss,
                                        lsgan_loss, multiscale_lsgan_loss)


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


def test_matches_binary_cross_entropy():
    pred = torch.tensor([[-2.0], [0.0], [3.0]])
    torch.testing.assert_close(
        adversarial_loss(pred, True),
        F.binary_cross_entropy_with_logits(pred, torch.ones_like(pred)))
    torch.testing.assert_close(
        adversarial_loss(pred, False),
        F.binary_cross_entropy_with_logits(pred, torch.zeros_like(pred)))
    # -log(sigmoid(x)) by hand.
    torch.testing.assert_close(
        adversarial_loss(pred, True, reduction='none'),
        -torch.log(torch.sigmoid(pred)))
    weight = torch.tensor([[1.0], [0.0], [2.0]])
    torch.testing.assert_close(
        adversarial_loss(pred, False, weight=weight, reduction='sum'),
        F.binary_cross_entropy_with_logits(
            pred, torch.zeros_like(pred), weight=weight, reduction='sum'))


def test_module_weights_the_loss():
    pred = torch.randn(4, 1)
    loss = AdversarialLoss(loss_weight=0.25)
    assert loss.loss_name == 'loss_adv'
    torch.testing.assert_close(loss(pred), 0.25 * adversarial_loss(pred, True))
    torch.testing.assert_close(
        loss(pred, target_is_real=False), 0.25 * adversarial_loss(pred, False))
    assert AdversarialLoss(loss_weight=0.0)(pred) == 0
    assert 'loss_weight=0.25' in repr(loss)


def test_bad_arguments():
    with pytest.raises(ValueError, match='loss_weight'):
        AdversarialLoss(loss_weight=-1)
    with pytest.raises(ValueError, match='reduction'):
        AdversarialLoss(reduction='max')
    with pytest.raises(ValueError, match='reduction'):
        adversarial_loss(torch.zeros(1), True, reduction='max')


def test_masked_mean_of_both_objectives():
    """A 0/1 weight and its sum as avg_factor: the mean over the kept
    elements (Hung et al.'s masking), for either objective."""
    pred = torch.randn(2, 1, 4, 4)
    mask = (torch.rand(2, 1, 4, 4) > 0.5).float()
    mask[0, 0, 0, 0] = 1
    kept = pred[mask.bool()]
    torch.testing.assert_close(
        gan_loss(pred, True, 'vanilla', weight=mask, avg_factor=mask.sum()),
        F.binary_cross_entropy_with_logits(kept, torch.ones_like(kept)))
    torch.testing.assert_close(
        gan_loss(pred, False, 'lsgan', weight=mask, avg_factor=mask.sum()),
        (kept**2).mean())
    assert gan_loss(
        pred, True, weight=torch.zeros_like(mask), avg_factor=0.0) == 0
    torch.testing.assert_close(
        AdversarialLoss(loss_weight=2.0, gan_type='lsgan')(pred, True),
        2 * lsgan_loss(pred, True))
    with pytest.raises(ValueError, match='gan_type'):
        gan_loss(pred, True, 'wgan')
    with pytest.raises(ValueError, match='gan_type'):
        AdversarialLoss(gan_type='hinge')
    with pytest.raises(ValueError, match='avg_factor'):
        gan_loss(pred, True, reduction='sum', avg_factor=2.0)
