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
from datetime import date
from typing import Dict, List, Sequence

import numpy as np
from mmengine.config import Config

from ..utils.report import describe_machine
from .runs import shown_path, train_tool

__all__ = ['measure_speed', 'speed_row', 'speed_table']


def measure_speed(config: str, iters: int, warmup: int, seed: int, amp: bool,
                  cfg_options: Sequence[str]) -> List[float]:
    """Train ``iters`` iterations; the logged seconds per iteration after
    the warm-up."""
    with tempfile.TemporaryDirectory() as work_dir:
        subprocess.run(
            [
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
            ],
            check=True,
            stdout=subprocess.DEVNULL)
        scalars = glob.glob(
            osp.join(work_dir, '*', 'vis_data', 'scalars.json'))[0]
        with open(scalars) as f:
            records = [json.loads(line) for line in f]
    return [
        r['time'] for r in records if 'time' in r and r.get('iter', 0) > warmup
    ]


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
