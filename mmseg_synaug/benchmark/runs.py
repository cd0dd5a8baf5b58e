"""What every benchmark shares: the training tool, config names and the
per-config ``--cfg-options-for`` overrides."""
import argparse
import os.path as osp
from typing import List, Sequence

from mmengine.config import Config, DictAction

from ..utils import DataError
from ..utils.config_options import merge_cfg_options
from ..utils.train_cli import read_config

#: The repository the package is used from (benchmarks train through its
#: ``tools/train.py``, as a user does).
REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

__all__ = [
    'REPO_ROOT', 'train_tool', 'config_name', 'options_for',
    'check_options_for', 'shown_path', 'check_run_options',
    'add_config_options', 'config_with_options', 'seeded'
]


def train_tool() -> str:
    """``tools/train.py`` of the repository, which every benchmark runs.

    Raises:
        DataError: Where the package is installed without its repository.
    """
    path = osp.join(REPO_ROOT, 'tools', 'train.py')
    if not osp.isfile(path):
        raise DataError(
            f'The benchmarks train through tools/train.py, which is not '
            f'beside this mmseg_synaug ({REPO_ROOT}).',
            fix='Run them from a clone of the repository installed with '
            '`pip install -e .` (make setup does).')
    return path


def config_name(config: str) -> str:
    """A config's file name without ``.py``: its name in tables and work
    dirs."""
    return osp.splitext(osp.basename(config))[0]


def shown_path(path: str) -> str:
    """A path as a command printed beside a table shows it: relative to the
    repository where it is inside it."""
    relative = osp.relpath(osp.abspath(path), REPO_ROOT)
    return path if relative.startswith('..') else relative


def options_for(name: str, groups: Sequence[Sequence[str]]) -> List[str]:
    """The ``--cfg-options-for`` overrides of the config called ``name``.

    Args:
        name (str): Config file name without ``.py``.
        groups: Each ``[CONFIG_NAME, KEY=VALUE, ...]`` as argparse collects
            a repeated ``--cfg-options-for``.
    """
    return [
        option for group_name, *options in groups if group_name == name
        for option in options
    ]


def seeded(options: Sequence[str], seed: int) -> List[str]:
    """``options`` with ``{seed}`` replaced by ``seed``: a run's options
    may name files of the same seed, e.g. phase 2 of a two-phase schedule
    loading phase 1's checkpoint,
    ``load_from=work_dirs/PHASE1/seed{seed}/iter_1000.pth``."""
    return [option.replace('{seed}', str(seed)) for option in options]


def check_options_for(configs: Sequence[str],
                      groups: Sequence[Sequence[str]]) -> None:
    """Refuse a ``--cfg-options-for`` that names none of ``configs``.

    Raises:
        DataError: Naming the group and the config names there are.
    """
    names = [config_name(config) for config in configs]
    for group_name, *_ in groups:
        if group_name not in names:
            raise DataError(
                f'--cfg-options-for names `{group_name}`, which is not one '
                f'of the configs ({", ".join(names)}).',
                fix='Give a config file name without .py.')


def add_config_options(parser: argparse.ArgumentParser) -> None:
    """``--cfg-options KEY=VALUE ...`` for every config and the repeatable
    ``--cfg-options-for CONFIG_NAME KEY=VALUE ...`` for one, as lists of
    strings (:func:`config_with_options` applies them)."""
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=[],
        help='key=value overrides for every config')
    parser.add_argument(
        '--cfg-options-for',
        nargs='+',
        action='append',
        default=[],
        metavar='CONFIG_NAME KEY=VALUE',
        help='overrides for one config (its file name without .py); in '
        'compare_configs.py, {seed} in a value is the run\'s seed (e.g. '
        'load_from=work_dirs/PHASE1/seed{seed}/iter_1000.pth)')


def config_with_options(config: str, cfg_options: Sequence[str],
                        groups: Sequence[Sequence[str]]) -> Config:
    """Read a config and apply ``cfg_options`` and its ``--cfg-options-for``
    options, each key checked (:func:`merge_cfg_options`).

    Raises:
        DataError: Naming the config, the option and the close keys.
    """
    cfg = read_config(config)
    for source, options in (('--cfg-options', cfg_options),
                            ('--cfg-options-for',
                             options_for(config_name(config), groups))):
        if options:
            parsed = argparse.Namespace()
            DictAction(
                option_strings=[], dest='options')(None, parsed, list(options))
            merge_cfg_options(cfg, parsed.options,
                              f'{source} ({shown_path(config)})')
    return cfg


def check_run_options(configs: Sequence[str], cfg_options: Sequence[str],
                      groups: Sequence[Sequence[str]]) -> None:
    """Read every config and apply its ``KEY=VALUE`` options, checked, before
    anything trains: a typo is one message, not a failed run.

    Args:
        configs: Config files.
        cfg_options: ``KEY=VALUE`` for every config.
        groups: ``--cfg-options-for`` groups (:func:`options_for`).

    Raises:
        DataError: Naming the config, the option and the close keys.
    """
    check_options_for(configs, groups)
    for config in configs:
        config_with_options(config, cfg_options, groups)
