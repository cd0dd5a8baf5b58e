"""The checkpoint allow-list admits mmengine's types and nothing more."""
import os
import pickle

import pytest
import torch
from mmengine.logging import HistoryBuffer

from mmseg_synaug.utils.checkpoint import history_buffer_getattr


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
