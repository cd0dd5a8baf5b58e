"""InverseFrequencyCrossEntropyLoss against torch.nn.functional."""
import pytest
import torch
import torch.nn.functional as F

from mmseg_synaug.models.losses import (InverseFrequencyCrossEntropyLoss,
                                        inverse_frequency_weights)
from mmseg_synaug.utils import DataError


def test_given_weights_match_torch_cross_entropy():
    torch.manual_seed(0)
    logits = torch.randn(2, 3, 5, 4)
    label = torch.randint(0, 3, (2, 5, 4))
    label[0, 0] = 255
    weight = [0.5, 2.0, 1.0]
    loss = InverseFrequencyCrossEntropyLoss(3, class_weight=weight)
    expected = F.cross_entropy(
        logits, label, weight=torch.tensor(weight), ignore_index=255)
    torch.testing.assert_close(loss(logits, label), expected)
    loss.train()
    loss(logits, label)  # given weights are never recomputed
    assert loss.class_weight.tolist() == weight


def test_computed_weights_are_inverse_frequencies_of_seen_labels():
    loss = InverseFrequencyCrossEntropyLoss(3, power=1.0)
    loss.train()
    label = torch.tensor([[[0, 0, 0, 1], [0, 0, 0, 255]]])  # 6x0, 1x1
    logits = torch.zeros(1, 3, 2, 4)
    loss(logits, label)
    assert loss.class_counts.tolist() == [6, 1, 0]
    w = loss.class_weight
    torch.testing.assert_close(w[1] / w[0], torch.tensor(6.0))
    # Pixel-weighted mean weight is 1; the unseen class gets the largest.
    torch.testing.assert_close((w[:2] * torch.tensor([6., 1.])).sum() / 7,
                               torch.tensor(1.0))
    assert w[2] == w[1]
    # Counts accumulate over batches and are saved with the model.
    loss(logits, torch.ones(1, 2, 4, dtype=torch.long))
    assert loss.class_counts.tolist() == [6, 9, 0]
    assert 'class_counts' in loss.state_dict()
    # In eval mode, the counts are frozen.
    loss.eval()
    loss(logits, label)
    assert loss.class_counts.tolist() == [6, 9, 0]


def test_power_and_clipping():
    counts = torch.tensor([900., 90., 10.])
    assert inverse_frequency_weights(counts, power=0).tolist() == [1, 1, 1]
    sqrt = inverse_frequency_weights(counts, power=0.5)
    torch.testing.assert_close(sqrt[2] / sqrt[0], torch.tensor(90.0**0.5))
    assert inverse_frequency_weights(counts, max_weight=5.0).max() == 5.0


def test_all_ignored_batch_gives_zero_not_nan():
    loss = InverseFrequencyCrossEntropyLoss(3)
    loss.train()
    value = loss(torch.randn(1, 3, 2, 2), torch.full((1, 2, 2), 255))
    assert value.item() == 0.0


def test_bad_arguments_raise():
    with pytest.raises(DataError, match='2 class weights for 3 classes'):
        InverseFrequencyCrossEntropyLoss(3, class_weight=[1, 2])
    with pytest.raises(DataError, match='loss_'):
        InverseFrequencyCrossEntropyLoss(3, loss_name='ce')
