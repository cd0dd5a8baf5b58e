"""Helpers of the tests: the repository, a tool runner, tiny configs.

Test modules import them with ``from helpers import ...`` (pytest puts
``tests/`` on the path through its ``conftest.py``); fixtures stay in
``conftest.py``.
"""
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import List

import cv2
import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]


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


def jpeg_copy(camvid_root, root, names):
    """CamVid samples with JPEG images and PNG labels, as the GPU kit's."""
    for sub in ('train', 'trainannot'):
        (root / sub).mkdir(parents=True)
    for name in names:
        image = cv2.imread(f'{camvid_root}/train/{name}')
        cv2.imwrite(
            str(root / 'train' / name.replace('.png', '.jpg')), image,
            [cv2.IMWRITE_JPEG_QUALITY, 90])
        shutil.copy(f'{camvid_root}/trainannot/{name}',
                    root / 'trainannot' / name)
    return root
