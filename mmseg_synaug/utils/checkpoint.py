"""Load mmengine checkpoints under torch >= 2.6 without ``weights_only=False``.

torch >= 2.6 unpickles checkpoints with ``weights_only=True``, which refuses
every type not on an allow-list. mmengine 0.10.7 writes its message hub
(``HistoryBuffer`` objects holding numpy arrays) into each checkpoint, so
``tools/test.py``, ``--resume`` and ``load_from`` fail with "Unsupported
global". Allow-listing those few types keeps the safe loader; loading with
``weights_only=False`` would run arbitrary code from the file.
"""
import numpy as np
import torch
from mmengine.logging import HistoryBuffer

#: The types mmengine writes into a checkpoint besides tensors and builtins.
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
]


def register_checkpoint_safe_globals() -> None:
    """Allow-list :data:`CHECKPOINT_SAFE_GLOBALS` for ``torch.load``."""
    if hasattr(torch.serialization, 'add_safe_globals'):
        torch.serialization.add_safe_globals(CHECKPOINT_SAFE_GLOBALS)
