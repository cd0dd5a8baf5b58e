"""Shared fixtures: the real datasets, the repository, and a tool runner."""
import os
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest
from mmseg.utils import register_all_modules

from mmseg_synaug.utils import DataError, resolve_data_root

REPO_ROOT = Path(__file__).resolve().parents[1]

# Build datasets and transforms in mmseg's scope, as its configs do.
register_all_modules(init_default_scope=True)


def _dataset_root(name: str, required: tuple) -> str:
    try:
        return resolve_data_root(name, required=required)
    except DataError as error:
        pytest.skip(f'real {name} data not found: {error}')


@pytest.fixture(scope='session')
def camvid_root() -> str:
    """Root of the real CamVid data (skips the test where it is missing)."""
    return _dataset_root('camvid', ('train', 'trainannot', 'val', 'valannot'))


@pytest.fixture(scope='session')
def fasseg_root() -> str:
    """Root of the real FASSEG frontal data (skips where it is missing)."""
    return _dataset_root('fasseg_frontal',
                         ('images/train', 'coarse/train', 'fine/train'))


def run_tool(args: List[str], cwd: Path = REPO_ROOT,
             timeout: int = 600) -> subprocess.CompletedProcess:
    """Run a command with this Python; fail the test with its output.

    Args:
        args (list[str]): Command, e.g. ``['tools/train.py', cfg]``; a first
            element ending in ``.py`` runs with ``sys.executable``.
        cwd (Path): Working directory. Defaults to the repository.
        timeout (int): Seconds. Defaults to 600.

    Returns:
        subprocess.CompletedProcess: With ``stdout`` (stderr merged in).
    """
    if args[0].endswith('.py'):
        args = [sys.executable] + args
    env = dict(os.environ, PYTHONUNBUFFERED='1', OMP_NUM_THREADS='2')
    result = subprocess.run(
        args,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout)
    if result.returncode != 0:
        pytest.fail(f'{" ".join(map(str, args))} failed '
                    f'({result.returncode}):\n{result.stdout[-6000:]}')
    return result
