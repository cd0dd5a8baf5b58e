"""Load mmengine checkpoints under torch >= 2.6 without ``weights_only=False``.

torch >= 2.6 unpickles checkpoints with ``weights_only=True``, which refuses
every global not on an allow-list. mmengine 0.10.7 writes its message hub
into each checkpoint: ``HistoryBuffer`` objects holding numpy arrays, and
their statistics methods pickled as ``getattr(HistoryBuffer, 'mean')``. So
``tools/test.py``, ``--resume`` and ``load_from`` fail with "Unsupported
global". This module allow-lists exactly those types. ``getattr`` itself is
never allowed (it would let a checkpoint reach any attribute, hence run any
code): the pickled name ``getattr`` is bound to
:func:`history_buffer_getattr`, which only returns HistoryBuffer's
registered statistics methods.
"""
import pickle
from typing import Callable

import numpy as np
import torch
from mmengine.logging import HistoryBuffer


#: HistoryBuffer's built-in statistics (``_set_default_statistics``).
DEFAULT_STATISTICS = {'min', 'max', 'current', 'mean'}


def history_buffer_getattr(obj: type, name: str) -> Callable:
    """``getattr`` restricted to HistoryBuffer's statistics methods.

    Args:
        obj (type): Must be :class:`HistoryBuffer`.
        name (str): A registered statistics method (``'mean'``, ...).

    Returns:
        Callable: The method.
    """
    allowed = DEFAULT_STATISTICS | set(HistoryBuffer._statistics_methods)
    if obj is HistoryBuffer and name in allowed:
        return getattr(obj, name)
    raise pickle.UnpicklingError(
        f'The checkpoint asks for getattr({obj!r}, {name!r}); only '
        'HistoryBuffer statistics methods are allowed.')


#: What mmengine writes into a checkpoint besides tensors and builtins.
CHECKPOINT_SAFE_GLOBALS = [
    HistoryBuffer,
    np.core.multiarray._reconstruct,
    np.core.multiarray.scalar,
    np.ndarray,
    np.dtype,
    type(np.dtype(np.float64)),
    type(np.dtype(np.float32)),
    type(np.dtype(np.int64)),
    type(np.dtype(np.int32)),
    (history_buffer_getattr, '__builtin__.getattr'),
    (history_buffer_getattr, 'builtins.getattr'),
]


def register_checkpoint_safe_globals() -> None:
    """Allow-list :data:`CHECKPOINT_SAFE_GLOBALS` for ``torch.load``."""
    if hasattr(torch.serialization, 'add_safe_globals'):
        torch.serialization.add_safe_globals(CHECKPOINT_SAFE_GLOBALS)
