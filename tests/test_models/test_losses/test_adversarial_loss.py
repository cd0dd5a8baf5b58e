"""adversarial_loss / AdversarialLoss against torch.nn.functional."""
import pytest
import torch
import torch.nn.functional as F

from mmseg_synaug.models import AdversarialLoss, adversarial_loss


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
