"""The architecture record of a pix2pixHD checkpoint, and what may load it.

Wang et al., CVPR 2018, section 3.2 trains coarse to fine: the global
generator G1 alone first, then G1 with the local enhancer G2 initialised
from it. A checkpoint therefore loads into a model of its own architecture,
or, as that first stage, into a model whose G1 it is.
"""
import copy
from typing import Any, List, Optional

__all__ = ['plain', 'global_generator_arch', 'architecture_difference']

#: Generator settings that only the local enhancers use.
_ENHANCER_KEYS = ('num_local_enhancers', 'local_base_channels',
                  'num_local_blocks')


def plain(value: Any) -> Any:
    """Config values as plain, pickle-safe builtins (tuples become lists).

    Registry scopes are dropped from ``type`` names: ``mmagic.X`` and ``X``
    are the same module (registered in both registries).
    """
    if isinstance(value, dict):
        return {
            str(k): (v.split('.')[-1]
                     if k == 'type' and isinstance(v, str) else plain(v))
            for k, v in sorted(value.items())
        }
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def global_generator_arch(generator: dict) -> dict:
    """The settings that fix the shapes of G1's feature layers.

    With L local enhancers of innermost width C', G1 has width
    ``2 ** L * C'`` (:class:`Pix2PixHDGenerator`); without, its
    ``base_channels``.

    Args:
        generator (dict): Generator config (with ``in_channels``).

    Returns:
        dict: The widths and depths of G1, without its output layer.
    """
    arch = copy.deepcopy(dict(generator))
    enhancers = arch.get('num_local_enhancers', 0)
    base = arch.pop('base_channels', 64)
    local = arch.get('local_base_channels') or max(base // 2, 1)
    arch['global_channels'] = base if enhancers == 0 else local * 2**enhancers
    for key in _ENHANCER_KEYS + ('init_cfg', ):
        arch.pop(key, None)
    return plain(arch)


def architecture_difference(saved: dict, current: dict) -> Optional[List]:
    """Keys in which a checkpoint's architecture makes it unloadable.

    Args:
        saved (dict): The checkpoint's record (``num_classes``,
            ``use_instance_map``, ``generator``, ``discriminator``).
        current (dict): The model's record.

    Returns:
        list | None: None where the checkpoint loads: the same
        architecture, or a G1-only checkpoint whose G1 equals the current
        model's G1 while the current model has local enhancers (the
        discriminators must match too). Else the differing keys.
    """
    saved, current = plain(saved), plain(current)
    if saved == current:
        return None
    differing = sorted(
        key for key in set(saved) | set(current)
        if saved.get(key) != current.get(key))
    saved_gen = saved.get('generator') or {}
    current_gen = current.get('generator') or {}
    coarse_to_fine = (
        differing == ['generator']
        and saved_gen.get('num_local_enhancers', 0) == 0
        and current_gen.get('num_local_enhancers', 0) > 0 and
        global_generator_arch(saved_gen) == global_generator_arch(current_gen))
    return None if coarse_to_fine else differing
