"""A real tiny Pix2PixHD trained a few iterations, shared by the tests of
the inference layer and the web demo (import it; trained once a session).
"""
from pathlib import Path
from typing import Tuple

from helpers import run_tool
from helpers.pix2pixhd_tiny_config import tiny_generator_config

#: Iterations the tiny generator is trained.
ITERS = 3


def trained_tiny_generator(tmp_path_factory) -> Tuple[str, str]:
    """Train the tiny generator with tools/train.py, once per session.

    Args:
        tmp_path_factory: pytest's session-scoped factory.

    Returns:
        tuple[str, str]: Its config and its checkpoint after ``ITERS``
        iterations.
    """
    root = tmp_path_factory.getbasetemp() / 'tiny_generator'
    checkpoint = root / 'work' / f'iter_{ITERS}.pth'
    config = root / 'tiny_gen_4.py'
    if not checkpoint.is_file():
        root.mkdir(exist_ok=True)
        config = Path(tiny_generator_config(root, iters=ITERS))
        run_tool(
            ['tools/train.py',
             str(config), '--work-dir',
             str(root / 'work')])
    return str(config), str(checkpoint)
