"""Measure training speed of configs on this machine, as ratios to the first.

Each config trains for ``--iters`` iterations through tools/train.py (no
validation loop, no checkpoint); the first ``--warmup`` iterations are dropped
and the time per iteration is the median of the logged ones (robust on a
shared machine). With ``--repeats N`` the configs run N times in turn
(A, B, A, B, ...) and the median over all their runs is reported. The
table gives s/iter, images/s of the real batch and the ratio of s/iter to
the first config (the reference), with the device and the command. With
``--write``, it goes into a markdown file between ``<!-- SECTION -->``
markers.

    python tools/analysis_tools/benchmark_train.py \
        configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py \
        configs/unet/unet-s5-d16_fcn_1xb8-1k_camvid-256x256.py \
        --write BENCHMARKS.md

    # Overhead of feature synthesis against plain fine-tuning:
    DIR=configs/feature_synthesis
    python tools/analysis_tools/benchmark_train.py \
        $DIR/pspnet-finetune_r18_1xb8-1k_camvid-256x256.py \
        $DIR/pspnet-featsyn_r18_1xb8-1k_camvid-256x256.py \
        --iters 14 --warmup 4 --repeats 2 --cfg-options load_from=PSPNET.pth \
        --cfg-options-for pspnet-featsyn_r18_1xb8-1k_camvid-256x256 \
        model.synthesizer.generator_checkpoint=FEATGAN.pth

``--cfg-options`` apply to every run, ``--cfg-options-for`` (repeatable)
to the runs of one config, named by its file name without ``.py``;
``--amp`` trains with mixed precision (tools/train.py ``--amp``).
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


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Benchmark training speed')
    parser.add_argument('configs', nargs='+', help='config files')
    parser.add_argument('--iters', type=int, default=20)
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument('--repeats', type=int, default=1)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--amp', action='store_true', help='mixed precision training')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        default=[],
        help='key=value overrides for every run')
    parser.add_argument(
        '--cfg-options-for',
        nargs='+',
        action='append',
        default=[],
        metavar='CONFIG_NAME KEY=VALUE',
        help='overrides for the runs of one config (file name without .py)')
    parser.add_argument(
        '--write', help='markdown file to put the table into (BENCHMARKS.md)')
    parser.add_argument(
        '--section',
        default='train-throughput',
        help='marker name in that file')
    args = parser.parse_args()
    if args.warmup >= args.iters:
        parser.error(f'--warmup ({args.warmup}) must be below --iters '
                     f'({args.iters}): nothing would be measured.')
    names = [name_of(c) for c in args.configs]
    for config_name, *_ in args.cfg_options_for:
        if config_name not in names:
            parser.error(f'--cfg-options-for names `{config_name}`, which is '
                         f'not one of the configs ({", ".join(names)}): give '
                         'a config file name without .py.')
    return args


def name_of(config: str) -> str:
    return osp.splitext(osp.basename(config))[0]


def options_for(name: str, args: argparse.Namespace) -> List[str]:
    """The ``--cfg-options-for`` overrides of the config called ``name``."""
    return [
        option for config_name, *options in args.cfg_options_for
        if config_name == name for option in options
    ]


def measure(config: str, args: argparse.Namespace) -> List[float]:
    """Train ``iters`` iterations; the logged times after the warm-up."""
    with tempfile.TemporaryDirectory() as work_dir:
        subprocess.run(
            [
                sys.executable,
                osp.join(REPO_ROOT, 'tools', 'train.py'),
                config,
                '--work-dir',
                work_dir,
                *(['--amp'] if args.amp else []),
                '--cfg-options',
                f'train_cfg.max_iters={args.iters}',
                f'train_cfg.val_interval={args.iters + 1}',
                # (mmengine validates after the last iteration whatever the
                # interval: no validation loop at all.)
                'val_cfg=None',
                'val_dataloader=None',
                'val_evaluator=None',
                'default_hooks.checkpoint.save_last=False',
                f'default_hooks.checkpoint.interval={args.iters + 1}',
                'default_hooks.logger.interval=1',
                f'randomness.seed={args.seed}',
                *args.cfg_options,
                *options_for(name_of(config), args)
            ],
            check=True,
            stdout=subprocess.DEVNULL)
        scalars = glob.glob(
            osp.join(work_dir, '*', 'vis_data', 'scalars.json'))[0]
        with open(scalars) as f:
            records = [json.loads(line) for line in f]
    return [
        r['time'] for r in records
        if 'time' in r and r.get('iter', 0) > args.warmup
    ]


def summarize(config: str, times: List[float], runs: int) -> Dict:
    batch = Config.fromfile(config).train_dataloader.batch_size
    s_per_iter = float(np.median(times))
    return dict(
        config=osp.relpath(config, REPO_ROOT),
        batch=batch,
        runs=runs,
        s_per_iter=s_per_iter,
        spread=float(np.percentile(times, 75) - np.percentile(times, 25)),
        images_per_s=batch / s_per_iter)


def to_markdown(rows: List[Dict], command: str, marker: str,
                args: argparse.Namespace) -> str:
    reference = rows[0]['s_per_iter']
    lines = [
        marker, f'Measured {date.today()} on {describe_machine()}, seed '
        f'{args.seed}, {args.iters} iterations per run of which the first '
        f'{args.warmup} dropped, {args.repeats} run(s) per config in turn; '
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


def main() -> None:
    args = parse_args()
    times: Dict[str, List[float]] = {c: [] for c in args.configs}
    for _ in range(args.repeats):
        for config in args.configs:
            times[config] += measure(config, args)
    rows = [summarize(c, times[c], args.repeats) for c in args.configs]
    for row in rows:
        print(f"{row['config']}: {row['s_per_iter']:.3f} s/iter at batch "
              f"{row['batch']}, ratio "
              f"{row['s_per_iter'] / rows[0]['s_per_iter']:.2f}")
    command = ('python tools/analysis_tools/benchmark_train.py ' +
               ' '.join(osp.relpath(c, REPO_ROOT) for c in args.configs) +
               f' --iters {args.iters} --warmup {args.warmup}'
               f' --repeats {args.repeats} --seed {args.seed}' +
               (' --amp' if args.amp else '') +
               (' --cfg-options ' +
                ' '.join(args.cfg_options) if args.cfg_options else '') +
               ''.join(' --cfg-options-for ' + ' '.join(group)
                       for group in args.cfg_options_for) +
               (f' --write {args.write} --section {args.section}'
                if args.write else ''))
    section = to_markdown(rows, command, f'<!-- {args.section} -->', args)
    print(section)
    if args.write:
        write_section(args.write, section, f'<!-- {args.section} -->')


if __name__ == '__main__':
    main()
