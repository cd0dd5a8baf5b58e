"""LabelSmoothingLoss against torch.nn.functional.cross_entropy."""
import pytest
import torch
import torch.nn.functional as F
from mmseg.models.losses import cross_entropy
from mmseg.registry import MODELS

from mmseg_synaug.models.losses import LabelSmoothingLoss


@pytest.fixture
def batch():
    torch.manual_seed(0)
    logits = torch.randn(3, 5, 4, 6)
    label = torch.randint(0, 5, (3, 4, 6))
    label[0, 0, :3] = 255
    label[2, 1, 2] = 255
    return logits, label


def test_matches_torch_label_smoothing(batch):
    logits, label = batch
    loss = LabelSmoothingLoss(epsilon=0.2, avg_non_ignore=True)
    expected = F.cross_entropy(
        logits, label, ignore_index=255, label_smoothing=0.2)
    torch.testing.assert_close(loss(logits, label), expected)


def test_class_weights_match_torch_per_pixel(batch):
    logits, label = batch
    weights = [1.0, 2.0, 0.5, 1.5, 3.0]
    loss = LabelSmoothingLoss(
        epsilon=0.3, class_weight=weights, reduction='none')
    expected = F.cross_entropy(
        logits,
        label,
        weight=torch.tensor(weights),
        ignore_index=255,
        label_smoothing=0.3,
        reduction='none')
    torch.testing.assert_close(loss(logits, label), expected)


@pytest.mark.parametrize('avg_non_ignore', [True, False])
def test_class_weighted_mean_divides_by_the_weights_of_valid_targets(
        batch, avg_non_ignore):
    """torch divides the weighted sum by sum_i w_{y_i} over valid pixels,
    not by their count (the old code was off by ~2.5e-2 here)."""
    logits, label = batch
    weights = [1.0, 2.0, 0.5, 1.5, 3.0]
    loss = LabelSmoothingLoss(
        epsilon=0.3, class_weight=weights, avg_non_ignore=avg_non_ignore)
    expected = F.cross_entropy(
        logits,
        label,
        weight=torch.tensor(weights),
        ignore_index=255,
        label_smoothing=0.3)
    torch.testing.assert_close(loss(logits, label), expected)
    valid = label != 255
    by_count = F.cross_entropy(
        logits,
        label,
        weight=torch.tensor(weights),
        ignore_index=255,
        label_smoothing=0.3,
        reduction='sum') / valid.sum()
    assert (by_count - expected).abs() > 1e-2


def test_class_weighted_mean_matches_mmseg_cross_entropy(batch):
    """With epsilon 0 the loss is mmseg's cross_entropy with class weights,
    for both averaging modes. (mmseg looks up the weight of every label,
    ignored ones included, and raises on them; torch is the reference with
    ignored pixels, above.)"""
    logits, label = batch
    weights = [1.0, 2.0, 0.5, 1.5, 3.0]
    full = label.clone()
    full[full == 255] = 1
    for avg_non_ignore in (True, False):
        loss = LabelSmoothingLoss(
            epsilon=0.0, class_weight=weights, avg_non_ignore=avg_non_ignore)
        expected = cross_entropy(
            logits,
            full,
            class_weight=torch.tensor(weights),
            ignore_index=255,
            avg_non_ignore=avg_non_ignore)
        torch.testing.assert_close(loss(logits, full), expected)
        # ... and the smoothed loss is torch's.
        loss = LabelSmoothingLoss(
            epsilon=0.3, class_weight=weights, avg_non_ignore=avg_non_ignore)
        expected = F.cross_entropy(
            logits, full, weight=torch.tensor(weights), label_smoothing=0.3)
        torch.testing.assert_close(loss(logits, full), expected)


def test_class_weighted_mean_with_real_and_synthetic_samples(batch):
    """Per-sample epsilon: the mean is still the per-pixel losses over the
    weights of the valid targets."""
    logits, label = batch
    weights = torch.tensor([1.0, 2.0, 0.5, 1.5, 3.0])
    is_synthetic = torch.tensor([True, False, True])
    kwargs = dict(epsilon=0.2, class_weight=weights.tolist())
    mean = LabelSmoothingLoss(**kwargs)(
        logits, label, is_synthetic=is_synthetic)
    per_pixel = LabelSmoothingLoss(
        reduction='none', **kwargs)(
            logits, label, is_synthetic=is_synthetic)
    valid = label != 255
    denominator = weights[label.clamp(max=4)][valid].sum()
    torch.testing.assert_close(mean, per_pixel.sum() / denominator)
    # An explicit avg_factor still wins.
    torch.testing.assert_close(
        LabelSmoothingLoss(**kwargs)(
            logits, label, avg_factor=10.0, is_synthetic=is_synthetic),
        per_pixel.sum() / 10.0)


def test_real_samples_get_plain_cross_entropy(batch):
    logits, label = batch
    loss = LabelSmoothingLoss(epsilon=0.4, reduction='none')
    is_synthetic = torch.tensor([True, False, True])
    per_pixel = loss(logits, label, is_synthetic=is_synthetic)
    plain = F.cross_entropy(logits, label, ignore_index=255, reduction='none')
    smoothed = F.cross_entropy(
        logits, label, ignore_index=255, label_smoothing=0.4, reduction='none')
    torch.testing.assert_close(per_pixel[1], plain[1])
    torch.testing.assert_close(per_pixel[0], smoothed[0])
    torch.testing.assert_close(per_pixel[2], smoothed[2])
    assert not torch.allclose(per_pixel[0], plain[0])


def test_ignored_pixels_and_averaging(batch):
    logits, label = batch
    mean_all = LabelSmoothingLoss(epsilon=0.1)(logits, label)
    mean_valid = LabelSmoothingLoss(
        epsilon=0.1, avg_non_ignore=True)(logits, label)
    valid = (label != 255).sum()
    torch.testing.assert_close(mean_all * label.numel(), mean_valid * valid)


def test_built_from_config_with_name():
    loss = MODELS.build(
        dict(type='LabelSmoothingLoss', epsilon=0.1, loss_weight=0.4))
    assert loss.loss_name.startswith('loss_') and loss.loss_weight == 0.4
    with pytest.raises(ValueError, match='epsilon'):
        LabelSmoothingLoss(epsilon=1.5)
