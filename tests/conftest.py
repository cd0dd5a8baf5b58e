"""Shared fixtures: the real datasets, the repository, and a tool runner."""
import os
import socket
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


@pytest.fixture(scope='session')
def segmentor_checkpoint(tmp_path_factory) -> str:
    """An untrained CPU PSPNet for CamVid, saved as a Runner would save it.

    Built from the baseline config with its initial weights (seconds, no
    training) and ``meta.dataset_meta`` holding CamVid's classes and
    palette. Good enough for tests of the plumbing around a model.
    """
    from mmengine.runner.checkpoint import save_checkpoint
    from mmseg.apis import init_model

    from mmseg_synaug.datasets import CamVidDataset
    config = REPO_ROOT / 'configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py'
    model = init_model(str(config), None, device='cpu')
    path = tmp_path_factory.mktemp('segmentor') / 'pspnet_r18_camvid_init.pth'
    save_checkpoint(
        dict(
            state_dict=model.state_dict(),
            meta=dict(dataset_meta=dict(CamVidDataset.METAINFO))), str(path))
    return str(path)


def free_port() -> int:
    """A TCP port free on this machine now (for a process group)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def run_tool(args: List[str],
             cwd: Path = REPO_ROOT,
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


BASELINE = REPO_ROOT / 'configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py'


def tiny_config(tmp_path: Path, iters: int, base: Path = BASELINE) -> str:
    """Inherit a real config; shrink batch, iterations and validation."""
    path = tmp_path / f'tiny_{iters}.py'
    path.write_text(f"""
_base_ = ['{base}']
train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False)
val_dataloader = dict(
    num_workers=0, persistent_workers=False, dataset=dict(indices=3))
test_dataloader = val_dataloader
train_cfg = dict(max_iters={iters}, val_interval={iters})
default_hooks = dict(
    checkpoint=dict(interval={iters}), logger=dict(interval=1))
randomness = dict(seed=0)
""")
    return str(path)


@pytest.fixture(scope='session')
def trained(camvid_root, tmp_path_factory):
    """Train 2 iterations, then resume the same work dir to 4."""
    tmp_path = tmp_path_factory.mktemp('train')
    work_dir = tmp_path / 'work'
    first = run_tool([
        'tools/train.py',
        tiny_config(tmp_path, 2), '--work-dir',
        str(work_dir)
    ])
    resumed = run_tool([
        'tools/train.py',
        tiny_config(tmp_path, 4), '--work-dir',
        str(work_dir), '--resume'
    ])
    return tmp_path, work_dir, first.stdout, resumed.stdout
