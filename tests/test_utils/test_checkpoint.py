"""The checkpoint allow-list admits mmengine's types and nothing more;
strict loading refuses a checkpoint of another model, naming its keys."""
import os
import pickle

import pytest
import torch
from mmengine.logging import HistoryBuffer

from mmseg_synaug.utils import DataError
from mmseg_synaug.utils.checkpoint import (CheckpointMismatchError,
                                           history_buffer_getattr,
                                           load_model_checkpoint)


def test_history_buffer_round_trip(tmp_path):
    buffer = HistoryBuffer()
    buffer.update(1.0)
    buffer.update(3.0)
    torch.save({'hub': buffer}, tmp_path / 'ck.pth')
    loaded = torch.load(tmp_path / 'ck.pth', weights_only=True)['hub']
    assert loaded.mean() == 2.0 and loaded.max() == 3.0


def test_getattr_is_restricted():
    assert history_buffer_getattr(HistoryBuffer, 'mean') is HistoryBuffer.mean
    with pytest.raises(pickle.UnpicklingError):
        history_buffer_getattr(os, 'system')
    with pytest.raises(pickle.UnpicklingError):
        history_buffer_getattr(HistoryBuffer, '__init__')


class Exploit:
    """Pickles as getattr(HistoryBuffer, '__init__'): the first step of a
    chain (``__init__.__globals__`` ...) that reaches any code."""

    def __reduce__(self):
        return getattr, (HistoryBuffer, '__init__')


def test_malicious_getattr_is_refused(tmp_path):
    torch.save({'x': Exploit()}, tmp_path / 'bad.pth')
    with pytest.raises(pickle.UnpicklingError):
        torch.load(tmp_path / 'bad.pth', weights_only=True)


class Segmentor(torch.nn.Module):
    """Stands for a segmentor's layout: a backbone and a head."""

    def __init__(self, classes: int = 3) -> None:
        super().__init__()
        self.backbone = torch.nn.Conv2d(3, 4, 3)
        self.head = torch.nn.Conv2d(4, classes, 1)


def save(tmp_path, state, name='ck.pth', **extra) -> str:
    path = tmp_path / name
    torch.save(dict(state_dict=state, **extra), path)
    return str(path)


def test_matching_checkpoint_loads_every_weight(tmp_path):
    trained = Segmentor()
    model = Segmentor()
    checkpoint = load_model_checkpoint(
        model, save(tmp_path, trained.state_dict(), meta=dict(iter=4)))
    assert checkpoint['meta'] == dict(iter=4)
    for key, value in trained.state_dict().items():
        assert torch.equal(model.state_dict()[key], value)
    # A data-parallel model's `module.` prefix is removed, as mmengine does.
    wrapped = {f'module.{k}': v for k, v in trained.state_dict().items()}
    load_model_checkpoint(Segmentor(), save(tmp_path, wrapped, 'ddp.pth'))


def test_mismatch_names_missing_unexpected_and_reshaped_keys(tmp_path):
    state = Segmentor(classes=5).state_dict()
    state.pop('backbone.bias')
    state.update({f'neck.{i}.weight': torch.zeros(1) for i in range(7)})
    path = save(tmp_path, state, 'other.pth')
    model = Segmentor()
    before = model.head.weight.clone()
    with pytest.raises(CheckpointMismatchError) as error:
        load_model_checkpoint(model, path, non_strict_hint='pass --non-strict')
    message = str(error.value)
    assert message.startswith(f'The checkpoint `{path}` does not match the '
                              'model Segmentor of the config: ')
    assert '1 of its 4 keys are missing (backbone.bias)' in message
    assert ('7 keys of the checkpoint are unexpected (neck.0.weight, '
            'neck.1.weight, neck.2.weight, neck.3.weight, neck.4.weight and '
            '2 more)') in message
    assert ('2 keys have another shape (head.weight: checkpoint (5, 4, 1, '
            '1), model (3, 4, 1, 1), head.bias: checkpoint (5,), model '
            '(3,))') in message
    assert message.endswith('to load the matching weights anyway, pass '
                            '--non-strict.')
    assert error.value.missing == ['backbone.bias']
    assert len(error.value.unexpected) == 7
    assert isinstance(error.value, DataError)
    assert torch.equal(model.head.weight, before)  # nothing loaded
    # Non-strict: the matching weights only.
    load_model_checkpoint(model, path, strict=False)
    assert torch.equal(model.backbone.weight, state['backbone.weight'])
    assert torch.equal(model.head.weight, before)


def test_discriminator_of_a_gan_trained_segmentor_is_let_through(tmp_path):
    """An adversarial checkpoint evaluates with the plain config; any other
    extra key is still refused, and so is a discriminator the model has
    but the checkpoint lacks."""
    trained = Segmentor()
    state = dict(trained.state_dict())
    state['discriminator.conv.weight'] = torch.zeros(2, 3)
    model = Segmentor()
    load_model_checkpoint(model, save(tmp_path, state, 'adv.pth'))
    assert torch.equal(model.head.weight, trained.head.weight)

    with_disc = Segmentor()
    with_disc.discriminator = torch.nn.Linear(2, 2)
    with pytest.raises(
            CheckpointMismatchError,
            match='unexpected \\(discriminator.conv.weight\\)'):
        load_model_checkpoint(with_disc, save(tmp_path, state, 'adv2.pth'))
    with pytest.raises(
            CheckpointMismatchError,
            match='2 of its 6 keys are '
            'missing \\(discriminator.weight, discriminator.bias'):
        load_model_checkpoint(with_disc,
                              save(tmp_path, trained.state_dict(), 'p.pth'))


def test_not_a_checkpoint_is_refused(tmp_path):
    torch.save([1, 2], tmp_path / 'list.pth')
    with pytest.raises(DataError, match='holds a list, not a checkpoint'):
        load_model_checkpoint(Segmentor(), str(tmp_path / 'list.pth'))
