"""Measure training throughput (images/s) of configs on this machine.

Each config trains for ``--iters`` iterations through tools/train.py (no
validation, no checkpoint); the first ``--warmup`` iterations are dropped
and throughput is batch size / mean iteration time. With ``--write``, the
table, the command and the machine go into BENCHMARKS.md between the
``<!-- train-throughput -->`` markers.

    python tools/analysis_tools/benchmark_train.py \
        configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py \
        configs/unet/unet-s5-d16_fcn_1xb8-1k_camvid-256x256.py \
        --write BENCHMARKS.md
"""
import argparse
import glob
import json
import os.path as osp
import subprocess
import sys
import tempfile
from datetime import date
from typing import Dict, List

import numpy as np
from mmengine.config import Config

from mmseg_synaug.utils.report import describe_machine, write_section

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MARKER = '<!-- train-throughput -->'


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Benchmark training speed')
    parser.add_argument('configs', nargs='+', help='config files')
    parser.add_argument('--iters', type=int, default=20)
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--write', help='markdown file to put the table into (BENCHMARKS.md)')
    return parser.parse_args()


def measure(config: str, iters: int, warmup: int, seed: int) -> Dict:
    """Train ``iters`` iterations and return the timing of one config."""
    with tempfile.TemporaryDirectory() as work_dir:
        subprocess.run([
            sys.executable,
            osp.join(REPO_ROOT, 'tools', 'train.py'), config, '--work-dir',
            work_dir, '--cfg-options', f'train_cfg.max_iters={iters}',
            f'train_cfg.val_interval={iters + 1}',
            'default_hooks.checkpoint.save_last=False',
            f'default_hooks.checkpoint.interval={iters + 1}',
            'default_hooks.logger.interval=1', f'randomness.seed={seed}'
        ],
                       check=True,
                       stdout=subprocess.DEVNULL)
        scalars = glob.glob(osp.join(work_dir, '*', 'vis_data',
                                     'scalars.json'))[0]
        with open(scalars) as f:
            records = [json.loads(line) for line in f]
    times = [r['time'] for r in records if 'time' in r and r.get('iter', 0) > warmup]
    data_times = [
        r['data_time'] for r in records if 'time' in r and r.get('iter', 0) > warmup
    ]
    batch = Config.fromfile(config).train_dataloader.batch_size
    return dict(
        config=osp.relpath(config, REPO_ROOT),
        batch=batch,
        s_per_iter=float(np.mean(times)),
        data_s=float(np.mean(data_times)),
        images_per_s=batch / float(np.mean(times)))


def to_markdown(rows: List[Dict], command: str, seed: int) -> str:
    lines = [
        MARKER,
        f'Measured {date.today()} on {describe_machine()}, seed {seed}:',
        '', '```', command, '```', '',
        '| config | batch | s/iter | data s/iter | images/s |',
        '|---|---|---|---|---|'
    ]
    for r in rows:
        lines.append(f"| `{r['config']}` | {r['batch']} | "
                     f"{r['s_per_iter']:.2f} | {r['data_s']:.3f} | "
                     f"{r['images_per_s']:.2f} |")
    lines.append(MARKER)
    return '\n'.join(lines)


def main() -> None:
    args = parse_args()
    rows = []
    for config in args.configs:
        row = measure(config, args.iters, args.warmup, args.seed)
        print(f"{row['config']}: {row['images_per_s']:.2f} images/s "
              f"({row['s_per_iter']:.2f} s/iter at batch {row['batch']})")
        rows.append(row)
    command = 'python tools/analysis_tools/benchmark_train.py ' + ' '.join(
        osp.relpath(c, REPO_ROOT) for c in args.configs) + (
            f' --iters {args.iters} --warmup {args.warmup}'
            f' --seed {args.seed}') + (
            f' --write {args.write}' if args.write else '')
    section = to_markdown(rows, command, args.seed)
    print(section)
    if args.write:
        write_section(args.write, section, MARKER)


if __name__ == '__main__':
    main()
