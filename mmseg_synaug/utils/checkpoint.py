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
tools/train.py checks ``load_from`` (and the checkpoint it resumes) the same
way before training (:func:`check_model_checkpoint` with
``starting_weights=True``), where a checkpoint without the model's
training-only modules is expected (they start from their initial weights).

Readable: :func:`read_checkpoint` turns a missing file, a truncated one or
one that is no checkpoint (a text file named ``.pth``) into one
:class:`~mmseg_synaug.utils.errors.DataError` naming the file.
"""
import logging
import os.path as osp
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

#: Prefixes of a segmentor's modules that inference never runs: mmseg's
#: ``EncoderDecoder`` predicts with the decode head only. A checkpoint
#: written without them (``tools/model_converters/half_checkpoint.py
#: --drop auxiliary_head.``, what the GPU benchmark sends back) evaluates
#: strictly; a training started from it still refuses it.
INFERENCE_UNUSED_PREFIXES = ('auxiliary_head.', )

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
        if key.rsplit('.', 1)[-1] == '_extra_state':
            continue  # a record the module checks (``set_extra_state``)
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


def sub_state_dict(state_dict: dict, prefix: str) -> dict:
    """The entries of ``state_dict`` under ``prefix``, with it removed.

    Args:
        state_dict (dict): Weights, e.g. a FeatureBicycleGAN's.
        prefix (str): e.g. ``'generator.'``.

    Returns:
        dict: e.g. the generator's own state dict (empty where no key has
        the prefix).
    """
    return {
        key[len(prefix):]: value
        for key, value in state_dict.items() if key.startswith(prefix)
    }


#: What to pass instead of a missing or unreadable checkpoint.
_FIX_CHECKPOINT = ('Pass a .pth file written by tools/train.py (e.g. '
                   'work_dirs/<config>/iter_1000.pth).')


def is_local_path(filename: str) -> bool:
    """Whether ``filename`` is a local path, not a URL or ``scheme://``."""
    return '://' not in str(filename)


def read_checkpoint(filename: str,
                    map_location: str = 'cpu',
                    what: str = 'checkpoint',
                    fix: str = _FIX_CHECKPOINT) -> dict:
    """Read a checkpoint file; anything but a checkpoint is a DataError.

    torch fails on a text file named ``.pth`` with ``KeyError: 101``, on a
    truncated one with a zip reader's ``RuntimeError``; both become one
    message naming the file.

    Args:
        filename (str): Checkpoint file (or any location mmengine's
            :class:`CheckpointLoader` reads).
        map_location (str): Where to load the tensors. Defaults to
            ``'cpu'``.
        what (str): What the file is, for the message (``'load_from'``,
            ``'generator checkpoint'``). Defaults to ``'checkpoint'``.
        fix (str): What to pass instead of a missing or unreadable file.

    Returns:
        dict: The checkpoint.
    """
    if is_local_path(filename) and not osp.isfile(filename):
        raise DataError(
            f'The {what} `{filename}` does not exist' +
            (' (it is a folder).' if osp.isdir(filename) else '.'),
            fix=fix)
    try:
        checkpoint = CheckpointLoader.load_checkpoint(
            filename, map_location=map_location)
    except DataError:
        raise
    except Exception as error:  # torch raises anything on a foreign file
        reason = (str(error).strip().splitlines() or [''])[0]
        reason = reason.split('. ')[0].rstrip('.')[:160]
        size = (f'{osp.getsize(filename)} bytes; '
                if is_local_path(filename) else '')
        raise DataError(
            f'The {what} `{filename}` is not a readable checkpoint ({size}'
            f'torch.load: {type(error).__name__}: {reason}).',
            fix=f'{fix} A file cut short (a full disk, an interrupted copy '
            'or download) must be copied or written again.') from None
    if not isinstance(checkpoint, dict):
        raise DataError(
            f'The {what} `{filename}` holds a {type(checkpoint).__name__}, '
            'not a checkpoint (a dict of weights).',
            fix=fix)
    return checkpoint


def _recorded_partial_load(model: torch.nn.Module, record: object) -> bool:
    """Check a checkpoint's architecture record with the model.

    A model that records its architecture in its checkpoints (as
    Pix2PixHD does) checks it in ``set_extra_state`` first: its message
    names the settings that differ, which a key comparison cannot. A record
    it accepts although it differs from its own is a partial checkpoint
    the model vouches for (Pix2PixHD: a G1-only checkpoint starting
    coarse-to-fine training).

    Returns:
        bool: True where the model accepted a record other than its own.
    """
    if record is None or type(model).set_extra_state \
            is torch.nn.Module.set_extra_state:
        return False
    model.set_extra_state(record)
    own = model.get_extra_state()
    if isinstance(own, torch.Tensor) and isinstance(record, torch.Tensor):
        return not torch.equal(own.cpu(), record.cpu())
    return own != record


def absent_module(key: str, state_dict: dict, prefixes: Sequence[str]) -> bool:
    """Whether ``key`` is under one of ``prefixes`` of which ``state_dict``
    has no key at all (the module was left out, not partly lost)."""
    return any(
        key.startswith(p) and not any(k.startswith(p) for k in state_dict)
        for p in prefixes)


def check_model_checkpoint(
        model: torch.nn.Module,
        checkpoint: dict,
        filename: str,
        non_strict_hint: Optional[str] = 'pass strict=False',
        starting_weights: bool = False,
        what: str = 'checkpoint') -> List[str]:
    """Refuse a checkpoint whose keys or shapes differ from the model's.

    Keys of :data:`TRAINING_ONLY_PREFIXES` that the model lacks are
    skipped. Without ``starting_weights``, so are the model's keys under
    :data:`INFERENCE_UNUSED_PREFIXES` where the checkpoint has none under
    that prefix (it was written without the module). With
    ``starting_weights`` (``load_from`` of a training), also
    a model's training-only module that the checkpoint has none of (a
    discriminator starts from its initial weights), and a partial
    checkpoint the model's architecture record accepts (see
    :func:`_recorded_partial_load`).

    Args:
        model (torch.nn.Module): The model built from its config.
        checkpoint (dict): From :func:`read_checkpoint`.
        filename (str): Its file, for the message.
        non_strict_hint (str, optional): How the user turns the check off
            (e.g. ``'pass --non-strict'``); None where they cannot.
            Defaults to ``'pass strict=False'``.
        starting_weights (bool): The checkpoint starts a training (see
            above). Defaults to False.
        what (str): What the file is, for the message. Defaults to
            ``'checkpoint'``.

    Returns:
        list[str]: The keys let through, to be logged.
    """
    state_dict = checkpoint_state_dict(checkpoint)
    model_state = model.state_dict()
    vouched = _recorded_partial_load(model, state_dict.get('_extra_state'))
    missing, unexpected, reshaped, skipped = compare_state_dicts(
        model_state, state_dict)
    if not starting_weights:
        unused = [
            key for key in missing
            if absent_module(key, state_dict, INFERENCE_UNUSED_PREFIXES)
        ]
        missing = [key for key in missing if key not in unused]
        skipped += unused
    if starting_weights:
        untrained = [
            key for key in missing
            if absent_module(key, state_dict, TRAINING_ONLY_PREFIXES)
        ]
        missing = [key for key in missing if key not in untrained]
        skipped += untrained
        if vouched:
            skipped += missing + unexpected
            missing, unexpected = [], []
    if missing or unexpected or reshaped:
        parts = []
        if missing:
            parts.append(f'{len(missing)} of its {len(model_state)} '
                         f'keys are missing ({_listed(missing)})')
        if unexpected:
            parts.append(f'{len(unexpected)} keys of the checkpoint are '
                         f'unexpected ({_listed(unexpected)})')
        if reshaped:
            parts.append(f'{len(reshaped)} keys have another shape '
                         f'({_listed(reshaped)})')
        anyway = (f'; to load the matching weights anyway, '
                  f'{non_strict_hint}' if non_strict_hint else '')
        raise CheckpointMismatchError(
            f'The {what} `{filename}` does not match the model '
            f'{type(model).__name__} of the config: ' + '; '.join(parts) + '.',
            fix='Pass the checkpoint trained with this config (or the '
            f'config it was trained with){anyway}.',
            missing=missing,
            unexpected=unexpected,
            reshaped=reshaped)
    return skipped


def load_model_checkpoint(model: torch.nn.Module,
                          filename: str,
                          strict: bool = True,
                          map_location: str = 'cpu',
                          non_strict_hint: Optional[str] = 'pass strict=False',
                          checkpoint: Optional[dict] = None,
                          what: str = 'checkpoint') -> dict:
    """Load a checkpoint into a model, refusing one that does not match.

    The loader for evaluation, refinement, synthesis and serving. A file
    that is missing or no checkpoint is a :class:`DataError`
    (:func:`read_checkpoint`). In strict mode a missing, unexpected or
    reshaped key raises (:func:`check_model_checkpoint`; keys of
    :data:`TRAINING_ONLY_PREFIXES` the model lacks are skipped and logged);
    otherwise the matching weights are loaded and mmengine logs the rest.

    Args:
        model (torch.nn.Module): The model built from its config.
        filename (str): Checkpoint file (or any location mmengine's
            :class:`CheckpointLoader` reads).
        strict (bool): Refuse a mismatching checkpoint. Defaults to True.
        map_location (str): Where to load the tensors. Defaults to
            ``'cpu'``.
        non_strict_hint (str, optional): How the user turns strict
            loading off, for the message (e.g. ``'pass --non-strict'``);
            None where they cannot. Defaults to ``'pass strict=False'``.
        checkpoint (dict, optional): ``filename`` already read with
            :func:`read_checkpoint` (a tool reads it before building the
            model, to fail early). Defaults to None: read here.
        what (str): What the file is, for the messages (e.g. the option
            that names it). Defaults to ``'checkpoint'``.

    Returns:
        dict: The checkpoint (with ``meta`` where mmengine wrote one).
    """
    if checkpoint is None:
        checkpoint = read_checkpoint(filename, map_location, what)
    skipped = []
    if strict:
        skipped = check_model_checkpoint(
            model, checkpoint, filename, non_strict_hint, what=what)
    if skipped:
        print_log(
            f'Skipped {len(skipped)} keys of `{filename}` against the '
            f'model ({_listed(skipped)}): modules that only training uses '
            'and that one of the two lacks.', 'current', logging.INFO)
    load_state_dict(
        model,
        checkpoint_state_dict(checkpoint),
        strict=False,
        logger='current')
    return checkpoint
