"""Helpers for benchmark reports: the machine, and marked markdown sections."""
import os
import os.path as osp
import platform
import re

import torch


def describe_machine() -> str:
    """One line naming the processor, cores, torch and the GPU if any."""
    device = (f'GPU {torch.cuda.get_device_name()}'
              if torch.cuda.is_available() else 'no GPU')
    return (f'{platform.processor() or platform.machine()}, '
            f'{os.cpu_count()} cores, torch {torch.__version__} '
            f'({torch.get_num_threads()} threads), {device}')


def write_section(path: str, section: str, marker: str) -> None:
    """Replace the text between two ``marker`` lines of a file, atomically.

    The section must start and end with ``marker``; where the file has no
    such section, it is appended (and a missing file is created).

    Args:
        path (str): Markdown file, e.g. ``BENCHMARKS.md``.
        section (str): New text, starting and ending with ``marker``.
        marker (str): e.g. ``'<!-- train-throughput -->'``.
    """
    text = open(path).read() if osp.isfile(path) else '# Benchmarks\n'
    pattern = re.compile(f'{re.escape(marker)}.*?{re.escape(marker)}', re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: section, text)
    else:
        text = text.rstrip('\n') + '\n\n' + section + '\n'
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        f.write(text)
    os.replace(tmp, path)
