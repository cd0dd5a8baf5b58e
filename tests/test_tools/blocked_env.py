"""Run a command where some modules cannot be imported (import it).

The stand-in for the GPU kit's machine (numpy 2: no ``numpy.bool8``, so
``mmagic.models`` does not import) and for an install without MMagic: see
block_imports/sitecustomize.py.
"""
import os
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
BLOCK_DIR = Path(__file__).resolve().parent / 'block_imports'


def run_blocked(args: List[str],
                log: Path,
                block: str = 'mmagic.models',
                no_bool8: bool = True,
                timeout: int = 600) -> subprocess.CompletedProcess:
    """Run ``args`` with ``block`` unimportable (and no numpy.bool8).

    Args:
        args (list[str]): Command; a first element ending in ``.py`` or
            ``-c`` runs with this Python.
        log (Path): File that records every blocked import attempt.
        block (str): Comma-separated module names to block. Defaults to
            ``'mmagic.models'``.
        no_bool8 (bool): Remove ``numpy.bool8``. Defaults to True.
        timeout (int): Seconds. Defaults to 600.

    Returns:
        subprocess.CompletedProcess: With ``stdout`` (stderr merged in);
        a non-zero exit fails the test with the output.
    """
    if args[0].endswith('.py') or args[0] == '-c':
        args = [sys.executable] + list(args)
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(
            [str(BLOCK_DIR), str(REPO_ROOT)] +
            [p for p in [os.environ.get('PYTHONPATH')] if p]),
        SYNAUG_BLOCK_IMPORTS=block,
        SYNAUG_BLOCK_LOG=str(log),
        SYNAUG_NO_BOOL8='1' if no_bool8 else '0',
        PYTHONUNBUFFERED='1',
        OMP_NUM_THREADS='2')
    result = subprocess.run(
        args,
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout)
    if result.returncode != 0:
        pytest.fail(f'{" ".join(map(str, args))} failed '
                    f'({result.returncode}):\n{result.stdout[-6000:]}')
    return result
