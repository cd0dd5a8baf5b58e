"""Where the datasets are found: one documented order for every tool.

The root chosen for each dataset is logged once per process (the first
time it is resolved), naming where it came from.
"""
import os
import os.path as osp
from pathlib import Path
from typing import List, Optional, Sequence, Set, Tuple

from mmengine.logging import print_log

from .errors import DataError

#: Environment variable naming the folder that holds the dataset folders.
DATA_ROOT_ENV = 'SYNAUG_DATA_ROOT'

#: The repository checkout this package was imported from.
REPO_ROOT = Path(__file__).resolve().parents[2]

#: (dataset, root) pairs already logged by this process.
_LOGGED: Set[Tuple[str, str]] = set()


def _log_choice(dataset_dir: str, path: str, origin: str) -> str:
    """Log the chosen root once per process; return it."""
    if (dataset_dir, path) not in _LOGGED:
        _LOGGED.add((dataset_dir, path))
        print_log(f'{dataset_dir} data root: {osp.abspath(path)} ({origin})',
                  'current')
    return path


def data_root_candidates(dataset_dir: str) -> List[Tuple[str, str]]:
    """List the places a dataset is looked for, in order, with their origin.

    Args:
        dataset_dir (str): Folder name of the dataset, e.g. ``'camvid'``.

    Returns:
        list[tuple[str, str]]: ``(path, origin)`` pairs, in the order of
        ``$SYNAUG_DATA_ROOT/<dataset_dir>``, ``<repo>/data/<dataset_dir>``
        and ``<repo>/../shared/data/<dataset_dir>``.
    """
    candidates = []
    env_root = os.environ.get(DATA_ROOT_ENV)
    if env_root:
        candidates.append((osp.join(env_root,
                                    dataset_dir), f'${DATA_ROOT_ENV}'))
    candidates.append((str(REPO_ROOT / 'data' / dataset_dir), 'data/'))
    candidates.append((str(REPO_ROOT.parent / 'shared' / 'data' / dataset_dir),
                       '../shared/data/'))
    return candidates


def resolve_data_root(dataset_dir: str,
                      data_root: Optional[str] = None,
                      required: Sequence[str] = (),
                      converter: str = '') -> str:
    """Find the root folder of a dataset.

    The order is: ``data_root`` when given (the config or
    ``--cfg-options``), then ``$SYNAUG_DATA_ROOT/<dataset_dir>``, then
    ``data/<dataset_dir>`` in the repository, then
    ``../shared/data/<dataset_dir>`` beside the repository. An explicit
    ``data_root`` or ``$SYNAUG_DATA_ROOT`` that does not hold the dataset is
    an error, not a reason to look elsewhere.

    Args:
        dataset_dir (str): Folder name of the dataset, e.g. ``'camvid'``.
        data_root (str, optional): Explicit root from the config.
            Defaults to None.
        required (Sequence[str]): Sub-folders a valid root contains.
            Defaults to ().
        converter (str): The converter script that prepares the dataset,
            named in the error message. Defaults to ''.

    Returns:
        str: The dataset root.
    """
    fix = (f'Set `data_root` in the config (or --cfg-options '
           f'train_dataloader.dataset.data_root=...), or set '
           f'${DATA_ROOT_ENV} to the folder that holds `{dataset_dir}/`')
    if converter:
        fix += f', or prepare the dataset with `python {converter}`'

    def missing(path: str) -> List[str]:
        return [sub for sub in required if not osp.isdir(osp.join(path, sub))]

    if data_root is not None:
        lacking = missing(data_root) if osp.isdir(data_root) else ['(all)']
        if lacking:
            raise DataError(
                f'The {dataset_dir} data root `{data_root}` given in the '
                f'config lacks the folders {lacking} (expected '
                f'{list(required)}).',
                fix=fix + '.')
        return _log_choice(dataset_dir, data_root, 'from the config')
    candidates = data_root_candidates(dataset_dir)
    for path, origin in candidates:
        if osp.isdir(path) and not missing(path):
            return _log_choice(dataset_dir, path, origin)
        if origin.startswith('$'):
            raise DataError(
                f'{origin} points at `{path}`, which does not hold the '
                f'{dataset_dir} dataset (expected the folders '
                f'{list(required)}).',
                fix=fix + '.')
    tried = ', '.join(f'{path} ({origin})' for path, origin in candidates)
    raise DataError(
        f'The {dataset_dir} dataset was not found. Looked in: {tried}.',
        fix=fix + '.')
