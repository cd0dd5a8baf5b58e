"""Load checkpoints safely and strictly.

Safe: torch >= 2.6 unpickles checkpoints with ``weights_only=True``, which
refuses every global not on an allow-list. mmengine 0.10.7 writes its
message hub into each checkpoint: ``HistoryBuffer`` objects holding numpy
arrays, and their statistics methods pickled as
``getattr(HistoryBuffer, 'mean')``. So ``tools/test.py``, ``--resume`` and
``load_from`` fail with "Unsupported global". This module allow-lists
exactly those types. ``getattr`` itself is never allowed (it would let a
checkpoint reach any attribute, hence run any code): the pickled name
``getattr`` is bound to :func:`history_buffer_getattr`, which only returns
HistoryBuffer's registered statistics methods.

Strict: mmengine loads weights non-strictly by default (``load_from``,
``tools/test.py``, :func:`mmseg.apis.init_model`) and only logs the keys it
skipped, so a checkpoint of another model is evaluated as if it were the
right one. :func:`load_model_checkpoint` is the one loader for evaluation,
refinement, synthesis and serving: it refuses a checkpoint whose keys or
shapes differ from the model's with a :class:`CheckpointMismatchError`
naming the missing, unexpected and reshaped keys, unless asked not to.
"""
import logging
import pickle
import re
from collections import OrderedDict
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.logging import HistoryBuffer, print_log
from mmengine.runner.checkpoint import CheckpointLoader, load_state_dict

from .errors import DataError

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


#: Prefixes of modules that only training uses: a checkpoint of a GAN-trained
#: segmentor (``AdversarialEncoderDecoder``) holds its discriminator, and
#: evaluating it with the plain segmentor config is documented use. Such
#: keys are let through (and logged) when the model has none of them; every
#: key the model has must still be in the checkpoint, with its shape.
TRAINING_ONLY_PREFIXES = ('discriminator.', )

#: How many key names an error lists of each kind.
LISTED_KEYS = 5


class CheckpointMismatchError(DataError):
    """A checkpoint whose keys or shapes differ from the model's.

    Args:
        message (str): What differs, naming the checkpoint.
        fix (str, optional): How to fix it. Defaults to None.
        missing (list[str]): Model keys absent from the checkpoint.
        unexpected (list[str]): Checkpoint keys the model does not have.
        reshaped (list[str]): Keys with another shape in the checkpoint.
    """

    def __init__(
        self,
        message: str,
        fix: Optional[str] = None,
        missing: Sequence[str] = (),
        unexpected: Sequence[str] = (),
        reshaped: Sequence[str] = ()
    ) -> None:
        super().__init__(message, fix)
        self.missing = list(missing)
        self.unexpected = list(unexpected)
        self.reshaped = list(reshaped)


def _listed(keys: Sequence[str]) -> str:
    shown = ', '.join(keys[:LISTED_KEYS])
    more = len(keys) - LISTED_KEYS
    return f'{shown} and {more} more' if more > 0 else shown


def compare_state_dicts(
    model_state: Dict[str, object],
    checkpoint_state: Dict[str, object],
    skip_prefixes: Sequence[str] = TRAINING_ONLY_PREFIXES
) -> Tuple[List[str], List[str], List[str], List[str]]:
    """Keys and shapes of a checkpoint against those of a model.

    Args:
        model_state (dict): ``model.state_dict()``.
        checkpoint_state (dict): The checkpoint's state dict.
        skip_prefixes (Sequence[str]): Unexpected keys under these
            prefixes are skipped, not reported, where the model has no key
            under the prefix. Defaults to :data:`TRAINING_ONLY_PREFIXES`.

    Returns:
        tuple[list[str], list[str], list[str], list[str]]: ``missing``
        (model keys not in the checkpoint, BatchNorm's
        ``num_batches_tracked`` aside), ``unexpected`` (checkpoint keys
        not in the model), ``reshaped`` (``'key: checkpoint (a, b), model
        (c, d)'``) and ``skipped`` (unexpected keys under
        ``skip_prefixes``).
    """
    # mmengine ignores BatchNorm's counters (older checkpoints lack them).
    missing = [
        key for key in model_state if key not in checkpoint_state
        and not key.endswith('num_batches_tracked')
    ]
    unexpected, skipped = [], []
    for key in checkpoint_state:
        if key in model_state:
            continue
        prefix = next((p for p in skip_prefixes if key.startswith(p)), None)
        if prefix is not None and not any(
                k.startswith(prefix) for k in model_state):
            skipped.append(key)
        else:
            unexpected.append(key)
    reshaped = []
    for key, value in checkpoint_state.items():
        ours = model_state.get(key)
        if isinstance(value, torch.Tensor) and isinstance(
                ours, torch.Tensor) and value.shape != ours.shape:
            reshaped.append(f'{key}: checkpoint {tuple(value.shape)}, '
                            f'model {tuple(ours.shape)}')
    return missing, unexpected, reshaped, skipped


def checkpoint_state_dict(checkpoint: dict) -> 'OrderedDict[str, object]':
    """The state dict of a checkpoint, as mmengine's loader reads it.

    Args:
        checkpoint (dict): A checkpoint written by mmengine (with
            ``state_dict``) or a bare state dict.

    Returns:
        OrderedDict: The weights, with a ``module.`` prefix of a
        data-parallel model removed.
    """
    state_dict = checkpoint.get('state_dict', checkpoint)
    metadata = getattr(state_dict, '_metadata', OrderedDict())
    state_dict = OrderedDict((re.sub(r'^module\.', '', key), value)
                             for key, value in state_dict.items())
    state_dict._metadata = metadata
    return state_dict


def load_model_checkpoint(model: torch.nn.Module,
                          filename: str,
                          strict: bool = True,
                          map_location: str = 'cpu',
                          non_strict_hint: str = 'pass strict=False') -> dict:
    """Load a checkpoint into a model, refusing one that does not match.

    The loader for evaluation, refinement, synthesis and serving. In
    strict mode a missing, unexpected or reshaped key raises (keys of
    :data:`TRAINING_ONLY_PREFIXES` the model lacks are skipped and logged);
    otherwise the matching weights are loaded and mmengine logs the rest.

    Args:
        model (torch.nn.Module): The model built from its config.
        filename (str): Checkpoint file (or any location mmengine's
            :class:`CheckpointLoader` reads).
        strict (bool): Refuse a mismatching checkpoint. Defaults to True.
        map_location (str): Where to load the tensors. Defaults to
            ``'cpu'``.
        non_strict_hint (str): How the user turns strict loading off, for
            the message (e.g. ``'pass --non-strict'``).
            Defaults to ``'pass strict=False'``.

    Returns:
        dict: The checkpoint (with ``meta`` where mmengine wrote one).
    """
    checkpoint = CheckpointLoader.load_checkpoint(
        filename, map_location=map_location)
    if not isinstance(checkpoint, dict):
        raise DataError(
            f'`{filename}` holds a {type(checkpoint).__name__}, not a '
            'checkpoint (a dict of weights).',
            fix='Pass the .pth file written by training.')
    state_dict = checkpoint_state_dict(checkpoint)
    record = state_dict.get('_extra_state')
    if strict and record is not None and type(model).set_extra_state \
            is not torch.nn.Module.set_extra_state:
        # A model that records its architecture in its checkpoints (as
        # Pix2PixHD does) checks it first: its message names the settings
        # that differ, which the key comparison below cannot.
        model.set_extra_state(record)
    missing, unexpected, reshaped, skipped = compare_state_dicts(
        model.state_dict(), state_dict)
    if strict and (missing or unexpected or reshaped):
        parts = []
        if missing:
            parts.append(f'{len(missing)} of its {len(model.state_dict())} '
                         f'keys are missing ({_listed(missing)})')
        if unexpected:
            parts.append(f'{len(unexpected)} keys of the checkpoint are '
                         f'unexpected ({_listed(unexpected)})')
        if reshaped:
            parts.append(f'{len(reshaped)} keys have another shape '
                         f'({_listed(reshaped)})')
        raise CheckpointMismatchError(
            f'The checkpoint `{filename}` does not match the model '
            f'{type(model).__name__} of the config: ' + '; '.join(parts) + '.',
            fix='Pass the checkpoint trained with this config (or the '
            f'config it was trained with); to load the matching weights '
            f'anyway, {non_strict_hint}.',
            missing=missing,
            unexpected=unexpected,
            reshaped=reshaped)
    if skipped:
        print_log(
            f'Skipped {len(skipped)} keys of training-only modules in '
            f'`{filename}` ({_listed(skipped)}): the model has no such '
            'module.', 'current', logging.INFO)
    load_state_dict(model, state_dict, strict=False, logger='current')
    return checkpoint
