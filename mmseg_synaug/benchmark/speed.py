"""Training speed of configs on this machine, as ratios to the first.

Each config trains ``iters`` iterations through ``tools/train.py`` with no
validation loop and no checkpoint; the first ``warmup`` iterations are
dropped and the time per iteration is the median of the logged ones
(robust on a shared machine). ``tools/analysis_tools/benchmark_train.py``
is the command line.
"""
import glob
import json
import os.path as osp
import subprocess
import sys
import tempfile
import time
from datetime import date
from typing import Dict, List, Sequence

import numpy as np
from mmengine.config import Config

from ..datasets.checks import detect_image_suffix
from ..datasets.transforms import LoadCheckedImage
from ..utils import DataError
from ..utils.report import describe_machine
from .runs import shown_path, train_tool

__all__ = [
    'measure_speed', 'measure_concurrent', 'concurrency_rows',
    'concurrency_table', 'speed_row', 'speed_table'
]


def _speed_command(config: str, work_dir: str, iters: int, seed: int,
                   amp: bool, cfg_options: Sequence[str]) -> List[str]:
    """tools/train.py for ``iters`` iterations: no validation loop, no
    checkpoint, every iteration logged."""
    return [
        sys.executable,
        train_tool(),
        config,
        '--work-dir',
        work_dir,
        *(['--amp'] if amp else []),
        '--cfg-options',
        f'train_cfg.max_iters={iters}',
        f'train_cfg.val_interval={iters + 1}',
        # (mmengine validates after the last iteration whatever the
        # interval: no validation loop at all.)
        'val_cfg=None',
        'val_dataloader=None',
        'val_evaluator=None',
        'default_hooks.checkpoint.save_last=False',
        f'default_hooks.checkpoint.interval={iters + 1}',
        'default_hooks.logger.interval=1',
        f'randomness.seed={seed}',
        *cfg_options,
    ]


def _logged_times(work_dir: str, warmup: int) -> List[float]:
    scalars = glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json'))[0]
    with open(scalars) as f:
        records = [json.loads(line) for line in f]
    return [
        r['time'] for r in records if 'time' in r and r.get('iter', 0) > warmup
    ]


def measure_speed(config: str, iters: int, warmup: int, seed: int, amp: bool,
                  cfg_options: Sequence[str]) -> List[float]:
    """Train ``iters`` iterations; the logged seconds per iteration after
    the warm-up."""
    return measure_concurrent(config, 1, iters, warmup, seed, amp,
                              cfg_options)[0]


def measure_concurrent(config: str, count: int, iters: int, warmup: int,
                       seed: int, amp: bool,
                       cfg_options: Sequence[str]) -> List[List[float]]:
    """``count`` trainings of ``config`` at once on this machine (seeds
    ``seed`` to ``seed + count - 1``, each ``iters`` iterations); the
    logged seconds per iteration of each after the warm-up.

    A training that fails raises :class:`subprocess.CalledProcessError`
    after the others have finished.
    """
    with tempfile.TemporaryDirectory() as root:
        work_dirs = [osp.join(root, str(i)) for i in range(count)]
        processes = [
            subprocess.Popen(
                _speed_command(config, work_dir, iters, seed + i, amp,
                               cfg_options),
                stdout=subprocess.DEVNULL)
            for i, work_dir in enumerate(work_dirs)
        ]
        codes = [process.wait() for process in processes]
        for process, code in zip(processes, codes):
            if code != 0:
                raise subprocess.CalledProcessError(code, process.args)
        return [_logged_times(work_dir, warmup) for work_dir in work_dirs]


def concurrency_rows(times: Dict[int, List[List[float]]]) -> List[Dict]:
    """Per number of trainings at once: the median s/iter of one, the
    iterations per second of all together and their ratio to one alone."""
    rows = []
    for count, runs in sorted(times.items()):
        per_run = [float(np.median(t)) for t in runs]
        rows.append(
            dict(
                count=count,
                s_per_iter=float(np.median(per_run)),
                iters_per_s=float(sum(1 / s for s in per_run))))
    alone = rows[0]['iters_per_s'] / rows[0]['count']
    for row in rows:
        row['speedup'] = row['iters_per_s'] / alone
    return rows


def concurrency_table(config: str, rows: List[Dict], command: str, marker: str,
                      iters: int, warmup: int) -> str:
    """The marked markdown section: throughput against trainings at once,
    and the count that gives the most (the presets' ``parallel``)."""
    best = max(rows, key=lambda r: r['iters_per_s'])
    lines = [
        marker, f'Measured {date.today()} on {describe_machine()}: '
        f'`{shown_path(config)}` trained by several processes at once, '
        f'{iters} iterations each of which the first {warmup} dropped; '
        's/iter is the median over the runs of each run\'s median, '
        'iterations/s the sum over the runs, the speed-up is to one run '
        'alone:', '', '```', command, '```', '',
        '| trainings at once | s/iter of one | iterations/s of all | '
        'speed-up |', '|---|---|---|---|'
    ]
    for r in rows:
        lines.append(f"| {r['count']} | {r['s_per_iter']:.3f} | "
                     f"{r['iters_per_s']:.2f} | {r['speedup']:.2f} |")
    lines += [
        '', f'Most iterations per second with {best["count"]} at once '
        f'({best["speedup"]:.2f}x one alone).', marker
    ]
    return '\n'.join(lines)


def speed_row(config: str, times: List[float], runs: int) -> Dict:
    """Median s/iter, its interquartile range and images/s of a config."""
    batch = Config.fromfile(config).train_dataloader.batch_size
    s_per_iter = float(np.median(times))
    return dict(
        config=shown_path(config),
        batch=batch,
        runs=runs,
        s_per_iter=s_per_iter,
        spread=float(np.percentile(times, 75) - np.percentile(times, 25)),
        images_per_s=batch / s_per_iter)


def speed_table(rows: List[Dict], command: str, marker: str, seed: int,
                iters: int, warmup: int, repeats: int) -> str:
    """The marked markdown section: the machine, the command, the table."""
    reference = rows[0]['s_per_iter']
    lines = [
        marker, f'Measured {date.today()} on {describe_machine()}, seed '
        f'{seed}, {iters} iterations per run of which the first '
        f'{warmup} dropped, {repeats} run(s) per config in turn; '
        's/iter is the median of the logged iterations (interquartile '
        'range in brackets), the ratio is to the first row:', '', '```',
        command, '```', '',
        '| config | batch | s/iter | images/s | time ratio |',
        '|---|---|---|---|---|'
    ]
    for r in rows:
        lines.append(f"| `{r['config']}` | {r['batch']} | "
                     f"{r['s_per_iter']:.3f} ({r['spread']:.3f}) | "
                     f"{r['images_per_s']:.2f} | "
                     f"{r['s_per_iter'] / reference:.2f} |")
    lines.append(marker)
    return '\n'.join(lines)


def measure_image_reading(folder: str, repeats: int) -> Dict:
    """Seconds per image of the pipeline's image loading on one folder.

    Every image of the folder (the suffix it holds, as
    :class:`~mmseg_synaug.datasets.CamVidDataset` takes it) is read by
    :class:`~mmseg_synaug.datasets.transforms.LoadCheckedImage`, the first
    transform of every training pipeline, ``repeats`` times in a row in this
    process; the time per image is the median over the passes (the first
    pass also reads the files into the page cache).

    Args:
        folder (str): An image folder, e.g. CamVid's ``train``.
        repeats (int): Passes over the folder (>= 1).

    Returns:
        dict: ``folder``, ``suffix``, ``images``, ``megabytes`` (on disk),
        ``ms_per_image`` and ``passes`` (ms per image of each pass).
    """
    if not osp.isdir(folder):
        raise DataError(
            f'The image folder `{folder}` does not exist.',
            fix='Give an existing image folder such as CamVid\'s `train` '
            '(a path from the repository root or absolute).')
    suffix = detect_image_suffix(folder, default='')
    files = sorted(
        glob.glob(osp.join(folder, '**', '*' +
                           suffix), recursive=True)) if suffix else []
    if not files:
        raise DataError(
            f'The folder `{folder}` holds no PNG or JPEG image.',
            fix='Give an image folder such as CamVid\'s `train`.')
    load = LoadCheckedImage()
    passes = []
    for _ in range(repeats):
        start = time.perf_counter()
        for path in files:
            load(dict(img_path=path))
        passes.append((time.perf_counter() - start) / len(files) * 1e3)
    return dict(
        folder=shown_path(folder),
        suffix=suffix,
        images=len(files),
        megabytes=sum(osp.getsize(path) for path in files) / 1e6,
        ms_per_image=float(np.median(passes)),
        passes=passes)


def reading_table(rows: List[Dict], command: str, marker: str) -> str:
    """The marked markdown section of :func:`measure_image_reading` rows,
    with the ratio of each folder's time per image to the first's."""
    reference = rows[0]['ms_per_image']
    lines = [
        marker, f'Measured {date.today()} on {describe_machine()}, one '
        'process; ms/image is the median over the passes of the mean time '
        'per image of a pass (every pass in brackets), the ratio is to the '
        'first row:', '', '```', command, '```', '',
        '| folder | images | MB | ms/image | time ratio |',
        '|---|---|---|---|---|'
    ]
    for r in rows:
        passes = ', '.join(f'{t:.2f}' for t in r['passes'])
        lines.append(f"| `{r['folder']}` (`*{r['suffix']}`) | "
                     f"{r['images']} | {r['megabytes']:.1f} | "
                     f"{r['ms_per_image']:.2f} ({passes}) | "
                     f"{r['ms_per_image'] / reference:.2f} |")
    lines.append(marker)
    return '\n'.join(lines)
