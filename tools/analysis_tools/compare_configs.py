"""Train configs with several seeds at equal iterations; tabulate val scores.

Each (config, seed) trains through tools/train.py for ``--iters``
iterations with one validation at the end (SegMetric on the config's val
set), in ``WORK_ROOT/<config name>/seed<seed>``. A run whose work dir holds
its final validation already is not repeated, so an interrupted comparison
resumes where it stopped. The table gives mean and spread over seeds of
mIoU, class accuracy (mAcc), pixel accuracy (aAcc), fwIoU, per-class IoU
and training time per iteration, the latter also as a ratio to the first
config (measured in the same invocation), and the mean of every logged loss
and training accuracy over the last quarter of training.

    python tools/analysis_tools/compare_configs.py CONFIG [CONFIG ...] \
        --iters 300 --seeds 0 1 --work-root work_dirs/compare \
        [--cfg-options KEY=VALUE ...] \
        [--cfg-options-for CONFIG_NAME KEY=VALUE ...] \
        [--write BENCHMARKS.md --section segmentors]

``--cfg-options`` apply to every run, ``--cfg-options-for`` (repeatable)
only to the config whose file name (without ``.py``) is CONFIG_NAME, for
keys that exist in one config only (a hook's checkpoint, a wrapped
dataset's pipeline).
"""
import argparse
import os
import os.path as osp
import subprocess
import sys
from typing import Dict, List

import numpy as np

from mmseg_synaug.utils.report import describe_machine, write_section
from mmseg_synaug.visualization import load_scalars

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('configs', nargs='+')
    parser.add_argument('--iters', type=int, required=True)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1])
    parser.add_argument('--work-root', default='work_dirs/compare')
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
        '--rare',
        nargs='*',
        default=[],
        help='classes to show in a rare-class column (mean IoU)')
    parser.add_argument('--write', help='markdown file to put the table in')
    parser.add_argument(
        '--section', default='compare', help='marker name in that file')
    return parser.parse_args()


def run(config: str, seed: int, args: argparse.Namespace) -> Dict:
    """Train one (config, seed) unless done; return its final val record."""
    name = osp.splitext(osp.basename(config))[0]
    work_dir = osp.join(args.work_root, name, f'seed{seed}')
    if osp.isdir(work_dir):
        _, val = load_scalars(work_dir)
        if val and val[-1]['step'] == args.iters:
            print(f'{name} seed {seed}: done before, reusing {work_dir}')
            return summarize(work_dir)
    print(f'{name} seed {seed}: training {args.iters} iterations',
          flush=True)
    command = [
        sys.executable,
        osp.join(REPO_ROOT, 'tools', 'train.py'), config, '--work-dir',
        work_dir, '--cfg-options', f'randomness.seed={seed}',
        f'train_cfg.max_iters={args.iters}',
        f'train_cfg.val_interval={args.iters}',
        f'default_hooks.checkpoint.interval={args.iters}',
        f'param_scheduler.0.end={args.iters}',
        f'default_hooks.logger.interval={max(1, min(10, args.iters // 10))}',
        *args.cfg_options, *options_for(name, args)
    ]
    os.makedirs(work_dir, exist_ok=True)
    with open(osp.join(work_dir, 'compare.log'), 'w') as log:
        subprocess.run(command, check=True, stdout=log, stderr=log)
    return summarize(work_dir)


def options_for(name: str, args: argparse.Namespace) -> List[str]:
    """The ``--cfg-options-for`` overrides of the config called ``name``."""
    return [
        option for config_name, *options in args.cfg_options_for
        if config_name == name for option in options
    ]


def summarize(work_dir: str) -> Dict:
    """Final val scores, s/iter and mean logged losses and accuracies
    (``*loss*``, ``*acc*``) of the last quarter of training."""
    train, val = load_scalars(work_dir)
    times = [r['time'] for r in train[len(train) // 10:]]
    last_quarter = train[len(train) * 3 // 4:]
    losses = {
        key: float(np.mean([r[key] for r in last_quarter if key in r]))
        for key in train[-1] if 'loss' in key or 'acc' in key
    }
    return dict(val[-1], s_per_iter=float(np.mean(times)),
                final_loss=train[-1]['loss'], losses=losses)


def table(results: Dict[str, List[Dict]], classes: List[str],
          rare: List[str]) -> str:
    def stat(records, key):
        values = np.array([r[key] for r in records], dtype=float)
        return f'{values.mean():.2f} ± {values.std():.2f}'

    base_time = np.mean([r['s_per_iter'] for r in next(iter(
        results.values()))])
    header = ['config', 'mIoU', 'mAcc', 'aAcc', 'fwIoU']
    if rare:
        header.append('rare mIoU')
    header += ['mIoU per seed', 'final train loss', 's/iter', 'time ratio']
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '---|' * len(header)]
    for name, records in results.items():
        for r in records:
            r['rare'] = np.mean([r[f'IoU.{c}'] for c in rare]) if rare else 0
        row = [f'`{name}`'] + [
            stat(records, k) for k in ('mIoU', 'mAcc', 'aAcc', 'fwIoU')
        ]
        if rare:
            row.append(stat(records, 'rare'))
        ratio = np.mean([r['s_per_iter'] for r in records]) / base_time
        row += [
            ' / '.join(f"{r['mIoU']:.2f}" for r in records),
            stat(records, 'final_loss'),
            stat(records, 's_per_iter'), f'{ratio:.2f}'
        ]
        lines.append('| ' + ' | '.join(row) + ' |')
    lines += ['', 'Per-class IoU (mean over seeds):', '',
              '| config | ' + ' | '.join(classes) + ' |',
              '|' + '---|' * (len(classes) + 1)]
    for name, records in results.items():
        lines.append(f'| `{name}` | ' + ' | '.join(
            f"{np.mean([r[f'IoU.{c}'] for r in records]):.1f}"
            for c in classes) + ' |')
    loss_keys = sorted({k for records in results.values()
                        for r in records for k in r['losses']})
    lines += ['', 'Logged losses and training accuracies, mean of the last '
              'quarter of training '
              '(mean over seeds; - where a config does not log it):', '',
              '| config | ' + ' | '.join(loss_keys) + ' |',
              '|' + '---|' * (len(loss_keys) + 1)]
    for name, records in results.items():
        cells = []
        for key in loss_keys:
            values = [
                r['losses'][key] for r in records if key in r['losses']
            ]
            cells.append(f'{np.mean(values):.3f}' if values else '-')
        lines.append(f'| `{name}` | ' + ' | '.join(cells) + ' |')
    return '\n'.join(lines)


def main() -> None:
    args = parse_args()
    names = [osp.splitext(osp.basename(c))[0] for c in args.configs]
    for config_name, *_ in args.cfg_options_for:
        if config_name not in names:
            raise SystemExit(
                f'--cfg-options-for names `{config_name}`, which is not one '
                f'of the configs compared ({", ".join(names)}): give a '
                'config file name without .py.')
    results = {}
    for config in args.configs:
        name = osp.splitext(osp.basename(config))[0]
        results[name] = [run(config, seed, args) for seed in args.seeds]
    classes = [
        k[4:] for k in next(iter(results.values()))[0] if k.startswith('IoU.')
    ]
    command = ('python tools/analysis_tools/compare_configs.py ' +
               ' '.join(osp.relpath(c, REPO_ROOT) for c in args.configs) +
               f' --iters {args.iters} --seeds ' +
               ' '.join(map(str, args.seeds)) +
               f' --work-root {args.work_root}' +
               (' --cfg-options ' + ' '.join(args.cfg_options)
                if args.cfg_options else '') +
               ''.join(' --cfg-options-for ' + ' '.join(group)
                       for group in args.cfg_options_for) +
               (' --rare ' + ' '.join(args.rare) if args.rare else '') +
               (f' --write {args.write} --section {args.section}'
                if args.write else ''))
    marker = f'<!-- {args.section} -->'
    section = '\n'.join([
        marker, f'Measured on {describe_machine()}; seeds '
        f'{", ".join(map(str, args.seeds))}; {args.iters} iterations each; '
        'scores on the val set, in percent (mean ± std over seeds):', '',
        '```', command, '```', '',
        table(results, classes, args.rare), marker
    ])
    print(section)
    if args.write:
        write_section(args.write, section, marker)


if __name__ == '__main__':
    main()
