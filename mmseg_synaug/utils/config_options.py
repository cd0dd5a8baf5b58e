"""``--cfg-options`` that refuse a key matching nothing in the config.

mmengine's ``Config.merge_from_dict`` creates every key it is given, so a
typo (``trian_cfg.max_iters=4``) adds an unused setting and the run goes
on with the config's value. :func:`merge_cfg_options` accepts a key when

- its path exists in the config; or
- its first part is an argument of mmengine's ``Runner`` that the config
  leaves unset (``randomness``, ``load_from``, ...): the Runner reads it;
- or only its last part is new and no existing key beside it is one edit
  away (a typo such as ``train_cfg.max_iter``): a new argument of the
  object its dict builds, e.g.
  ``model.decode_head.loss_decode.avg_non_ignore=True`` (the object's class
  rejects an argument it does not know).

Anything else is a :class:`DataError` naming the key and the close
matches. To add a new setting deliberately, write it into a config file
(a small one inheriting the config does). So is a value that is no number
for a setting the config holds as a number (``train_cfg.max_iters=abc``,
which mmengine's command-line parser keeps as the text ``'abc'``).
"""
import difflib
from typing import Any, List, Optional

from mmengine.config import Config

from .errors import DataError

#: Top-level keys that mmengine's ``Runner.from_cfg`` reads.
RUNNER_KEYS = frozenset({
    'model', 'work_dir', 'train_dataloader', 'val_dataloader',
    'test_dataloader', 'train_cfg', 'val_cfg', 'test_cfg', 'auto_scale_lr',
    'optim_wrapper', 'param_scheduler', 'val_evaluator', 'test_evaluator',
    'default_hooks', 'custom_hooks', 'data_preprocessor', 'load_from',
    'resume', 'launcher', 'env_cfg', 'log_processor', 'log_level',
    'visualizer', 'default_scope', 'randomness', 'experiment_name',
    'model_wrapper_cfg'
})


def _children(node: Any) -> List[str]:
    if isinstance(node, dict):
        return [str(key) for key in node.keys()]
    if isinstance(node, (list, tuple)):
        return [str(i) for i in range(len(node))]
    return []


def _child(node: Any, part: str) -> Any:
    """The child ``part`` of a dict or list node, or a sentinel."""
    if isinstance(node, dict):
        return node[part] if part in node else _MISSING
    if isinstance(node, (list, tuple)) and part.isdigit():
        return node[int(part)] if int(part) < len(node) else _MISSING
    return _MISSING


_MISSING = object()


def edit_distance(a: str, b: str) -> int:
    """Edits (insert, delete, substitute, swap neighbours) from a to b."""
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            row[j] = min(rows[-1][j] + 1, row[j - 1] + 1,
                         rows[-1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and \
                    a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def check_cfg_option(cfg: Config,
                     key: str,
                     source: str = '--cfg-options') -> None:
    """Refuse a dotted key that matches nothing in ``cfg`` (see module).

    Args:
        cfg (Config): The config the option is merged into.
        key (str): Dotted key, e.g. ``'train_cfg.max_iters'``.
        source (str): Where the key came from, for the message.
            Defaults to ``'--cfg-options'``.
    """
    parts = key.split('.')
    node: Any = cfg._cfg_dict if isinstance(cfg, Config) else cfg
    for depth, part in enumerate(parts):
        child = _child(node, part)
        if child is not _MISSING:
            node = child
            continue
        if depth == 0 and part in RUNNER_KEYS:
            return
        siblings = _children(node)
        typo = [name for name in siblings if edit_distance(part, name) <= 1]
        if depth == len(parts) - 1 and depth > 0 and not typo and \
                isinstance(node, dict):
            return  # a new argument of the object this dict builds
        close = typo or difflib.get_close_matches(part, siblings, n=3)
        where = '.'.join(parts[:depth]) or 'the top level'
        suggestion = (', '.join('.'.join(parts[:depth] + [match])
                                for match in close) if close else None)
        raise DataError(
            f'{source} `{key}`: the config has no `{part}` at {where}' +
            (f' (did you mean {suggestion}?)' if suggestion else '') +
            '; mmengine would add it unused and run with the config\'s '
            'value.',
            fix='Correct the key' +
            (f' (e.g. {suggestion})' if suggestion else '') +
            ', or, to add a new setting, write it into a config file that '
            'inherits this one.')


def check_cfg_value(cfg: Config,
                    key: str,
                    value: Any,
                    source: str = '--cfg-options') -> None:
    """Refuse text for a setting the config holds as a number or a bool.

    Args:
        cfg (Config): The config the option is merged into.
        key (str): Dotted key, checked by :func:`check_cfg_option`.
        value (Any): The new value, as mmengine's ``DictAction`` parsed it.
        source (str): Where the option came from, for the message.
            Defaults to ``'--cfg-options'``.
    """
    node: Any = cfg._cfg_dict if isinstance(cfg, Config) else cfg
    for part in key.split('.'):
        node = _child(node, part)
        if node is _MISSING:
            return
    if not isinstance(value, str) or node is None:
        return
    kind = ('true/false' if isinstance(
        node, bool) else 'an integer' if isinstance(node, int) else
            'a number' if isinstance(node, float) else None)
    if kind is None:
        return
    raise DataError(
        f'{source} `{key}={value}`: the config holds {kind} there '
        f'({node!r}), and `{value}` is not one.',
        fix=f'Give {kind}, e.g. {key}={node!r}.')


def merge_cfg_options(cfg: Config,
                      options: Optional[dict],
                      source: str = '--cfg-options') -> None:
    """Check every key of ``options`` (:func:`check_cfg_option`), then merge.

    Args:
        cfg (Config): Changed in place.
        options (dict, optional): From mmengine's ``DictAction``; None or
            empty does nothing.
        source (str): Where the options came from, for the message.
            Defaults to ``'--cfg-options'``.
    """
    if not options:
        return
    for key, value in options.items():
        check_cfg_option(cfg, key, source)
        check_cfg_value(cfg, key, value, source)
    cfg.merge_from_dict(options)
