"""Train configs with several seeds at equal iterations; tabulate val scores.

Each (config, seed) trains through tools/train.py for ``--iters``
iterations with one validation at the end (SegMetric on the config's val
set), in ``WORK_ROOT/<config name>/seed<seed>``. A run whose work dir holds
its final validation already is not repeated, so an interrupted comparison
resumes where it stopped. The table gives mean and spread over seeds of
mIoU, class accuracy (mAcc), pixel accuracy (aAcc), fwIoU, per-class IoU
and training time per iteration, the latter also as a ratio to the first
config, and the mean of every logged loss and training accuracy over the
last quarter of training. Each finished run writes ``summary.json`` into its
work dir (its scores, s/iter, and the device and torch version it trained
on), which the table reads back, so a table can combine runs of earlier
invocations or of another machine (copy their work dirs, or only the
``summary.json``, into the work root).

    python tools/analysis_tools/compare_configs.py CONFIG [CONFIG ...] \
        --iters 300 --seeds 0 1 --work-root work_dirs/compare \
        [--parallel N] [--device auto|cpu|cuda] \
        [--checkpoint-interval K] [--json results.json] \
        [--cfg-options KEY=VALUE ...] \
        [--cfg-options-for CONFIG_NAME KEY=VALUE ...] \
        [--write BENCHMARKS.md --section segmentors]

``--parallel N`` trains N runs at once (on one GPU they share it, which is
faster than one after another while one run does not fill the GPU; with
several GPUs the runs take them in turn). A run interrupted after a
checkpoint (every ``--checkpoint-interval`` iterations, default only at the
end) resumes from it.

``--cfg-options`` apply to every run, ``--cfg-options-for`` (repeatable)
only to the config whose file name (without ``.py``) is CONFIG_NAME, for
keys that exist in one config only (a hook's checkpoint, a wrapped
dataset's pipeline).
"""
import argparse
import glob
import json
import os
import os.path as osp
import platform
import queue
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional

import numpy as np
import torch

from mmseg_synaug.utils.report import write_section
from mmseg_synaug.visualization import load_scalars

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('configs', nargs='+')
    parser.add_argument('--iters', type=int, required=True)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1])
    parser.add_argument('--work-root', default='work_dirs/compare')
    parser.add_argument(
        '--parallel',
        type=int,
        default=1,
        help='trainings at once (default 1)')
    parser.add_argument(
        '--device',
        choices=['auto', 'cpu', 'cuda'],
        default='auto',
        help='cpu hides the GPUs from the runs; cuda requires one '
        '(default auto: cuda where available)')
    parser.add_argument(
        '--checkpoint-interval',
        type=int,
        help='save a checkpoint every K iterations, so that an interrupted '
        'run resumes from it (default: only at the end)')
    parser.add_argument(
        '--json', help='also write every run\'s summary into this JSON')
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
    args = parser.parse_args()
    if args.parallel < 1:
        parser.error('--parallel must be >= 1')
    if args.device == 'cuda' and not torch.cuda.is_available():
        parser.error('--device cuda: torch sees no GPU here '
                     f'(torch {torch.__version__}); use --device cpu')
    if args.device == 'auto':
        args.device = 'cuda' if torch.cuda.is_available() else 'cpu'
    return args


def devices(args: argparse.Namespace) -> 'queue.Queue':
    """One entry per parallel slot: the device name and the environment.

    On the CPU the runs see no GPU (``CUDA_VISIBLE_DEVICES=''``); with
    several GPUs the slots take them in turn, one ``CUDA_VISIBLE_DEVICES``
    each; with one GPU every run shares it.
    """
    slots: 'queue.Queue' = queue.Queue()
    count = torch.cuda.device_count() if args.device == 'cuda' else 0
    for slot in range(args.parallel):
        if count == 0:
            processor = platform.processor() or platform.machine()
            slots.put(
                dict(
                    device=f'CPU {processor}',
                    env=dict(CUDA_VISIBLE_DEVICES='')))
        else:
            index = slot % count
            slots.put(
                dict(
                    device=f'GPU {torch.cuda.get_device_name(index)}',
                    env=dict(
                        CUDA_VISIBLE_DEVICES=str(index)) if count > 1 else {}))
    return slots


def work_dir_of(config: str, seed: int, args: argparse.Namespace) -> str:
    name = osp.splitext(osp.basename(config))[0]
    return osp.join(args.work_root, name, f'seed{seed}')


def finished(work_dir: str, iters: int) -> Optional[Dict]:
    """The summary of a run of ``iters`` iterations done before, or None.

    ``summary.json`` is read where it exists (it names the device); a run
    of an older version of this tool is summarized from its log.
    """
    path = osp.join(work_dir, 'summary.json')
    if osp.isfile(path):
        with open(path) as f:
            summary = json.load(f)
        if summary.get('iters') == iters:
            return summary
    if glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')):
        _, val = load_scalars(work_dir)
        if val and val[-1]['step'] == iters:
            return dict(summarize(work_dir), iters=iters)
    return None


def run(config: str, seed: int, args: argparse.Namespace,
        slots: 'queue.Queue') -> Dict:
    """Train one (config, seed) unless done; return its summary.

    Args:
        config (str): Config file.
        seed (int): Random seed of the run.
        args (argparse.Namespace): The command line.
        slots (queue.Queue): Free devices (see :func:`devices`); the run
            takes one while it trains.

    Returns:
        dict: Final val scores, s/iter, losses, device and torch version.
    """
    name = osp.splitext(osp.basename(config))[0]
    work_dir = work_dir_of(config, seed, args)
    done = finished(work_dir, args.iters)
    if done is not None:
        print(
            f'{name} seed {seed}: done before, reusing {work_dir}', flush=True)
        return dict(done, config=name, seed=seed)
    interval = args.checkpoint_interval or args.iters
    command = [
        sys.executable,
        osp.join(REPO_ROOT, 'tools',
                 'train.py'), config, '--work-dir', work_dir, '--cfg-options',
        f'randomness.seed={seed}', f'train_cfg.max_iters={args.iters}',
        f'train_cfg.val_interval={args.iters}',
        f'default_hooks.checkpoint.interval={min(interval, args.iters)}',
        f'param_scheduler.0.end={args.iters}',
        f'default_hooks.logger.interval={max(1, min(10, args.iters // 10))}',
        *args.cfg_options, *options_for(name, args)
    ]
    last = osp.join(work_dir, 'last_checkpoint')
    resumed = osp.isfile(last)
    if resumed:
        # An interrupted run: continue from its latest checkpoint. mmengine
        # resumes from `load_from` where a config sets one (fine-tuning),
        # so it is pointed at that checkpoint.
        with open(last) as f:
            command += [f'load_from={f.read().strip()}']
        command.insert(5, '--resume')
    where = slots.get()
    print(
        f'{name} seed {seed}: '
        f'{"resuming" if resumed else "training"} {args.iters} '
        f'iterations on {where["device"]}',
        flush=True)
    os.makedirs(work_dir, exist_ok=True)
    log_path = osp.join(work_dir, 'compare.log')
    try:
        with open(log_path, 'a' if resumed else 'w') as log:
            result = subprocess.run(
                command,
                stdout=log,
                stderr=log,
                env=dict(os.environ, **where['env']))
    finally:
        slots.put(where)
    if result.returncode != 0:
        with open(log_path) as f:
            tail = f.read()[-3000:]
        raise RuntimeError(f'{name} seed {seed} failed (exit '
                           f'{result.returncode}); its log {log_path} '
                           f'ends:\n{tail}')
    summary = dict(
        summarize(work_dir),
        config=name,
        seed=seed,
        iters=args.iters,
        device=where['device'],
        torch=torch.__version__,
        cpu_cores=os.cpu_count(),
        parallel=args.parallel)
    with open(osp.join(work_dir, 'summary.json'), 'w') as f:
        json.dump(summary, f, indent=1)
    return summary


def run_all(args: argparse.Namespace) -> Dict[str, List[Dict]]:
    """Every (config, seed), ``--parallel`` at a time, in a fixed order."""
    jobs = [(config, seed) for config in args.configs for seed in args.seeds]
    slots = devices(args)
    with ThreadPoolExecutor(max_workers=args.parallel) as pool:
        futures = [
            pool.submit(run, config, seed, args, slots)
            for config, seed in jobs
        ]
        errors = []
        for future in futures:
            if future.exception() is not None:
                errors.append(str(future.exception()))
    if errors:
        raise SystemExit('\n\n'.join(errors))
    results: Dict[str, List[Dict]] = {}
    for (config, _), future in zip(jobs, futures):
        name = osp.splitext(osp.basename(config))[0]
        results.setdefault(name, []).append(future.result())
    return results


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
    return dict(
        val[-1],
        s_per_iter=float(np.mean(times)),
        final_loss=train[-1]['loss'],
        losses=losses)


def machine(record: Dict) -> str:
    """The device, CPU cores, torch version and parallel runs of a run."""
    if 'cpu_cores' not in record:
        return 'not recorded'
    return (f"{record['device']}, {record['cpu_cores']} CPU cores, torch "
            f"{record['torch']}, {record['parallel']} run(s) at a time")


def table(results: Dict[str, List[Dict]], classes: List[str],
          rare: List[str]) -> str:

    def stat(records, key):
        values = np.array([r[key] for r in records], dtype=float)
        return f'{values.mean():.2f} ± {values.std():.2f}'

    base_time = np.mean(
        [r['s_per_iter'] for r in next(iter(results.values()))])
    header = ['config', 'mIoU', 'mAcc', 'aAcc', 'fwIoU']
    if rare:
        header.append('rare mIoU')
    header += [
        'mIoU per seed', 'final train loss', 's/iter', 'time ratio',
        'trained on'
    ]
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
            stat(records, 's_per_iter'), f'{ratio:.2f}',
            '; '.join(sorted({machine(r)
                              for r in records}))
        ]
        lines.append('| ' + ' | '.join(row) + ' |')
    if rare:
        lines += [
            '', 'IoU of the rare classes (mean ± std over seeds):', '',
            '| config | ' + ' | '.join(rare) + ' |',
            '|' + '---|' * (len(rare) + 1)
        ]
        for name, records in results.items():
            lines.append(f'| `{name}` | ' +
                         ' | '.join(stat(records, f'IoU.{c}')
                                    for c in rare) + ' |')
    lines += [
        '', 'Per-class IoU (mean over seeds):', '',
        '| config | ' + ' | '.join(classes) + ' |',
        '|' + '---|' * (len(classes) + 1)
    ]
    for name, records in results.items():
        lines.append(f'| `{name}` | ' + ' | '.join(
            f"{np.mean([r[f'IoU.{c}'] for r in records]):.1f}"
            for c in classes) + ' |')
    loss_keys = sorted({
        k
        for records in results.values()
        for r in records
        for k in r['losses']
    })
    lines += [
        '', 'Logged losses and training accuracies, mean of the last '
        'quarter of training '
        '(mean over seeds; - where a config does not log it):', '',
        '| config | ' + ' | '.join(loss_keys) + ' |',
        '|' + '---|' * (len(loss_keys) + 1)
    ]
    for name, records in results.items():
        cells = []
        for key in loss_keys:
            values = [r['losses'][key] for r in records if key in r['losses']]
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
    results = run_all(args)
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(
                dict(iters=args.iters, seeds=args.seeds, results=results),
                f,
                indent=1)
    classes = [
        k[4:] for k in next(iter(results.values()))[0] if k.startswith('IoU.')
    ]
    command = ('python tools/analysis_tools/compare_configs.py ' +
               ' '.join(osp.relpath(c, REPO_ROOT) for c in args.configs) +
               f' --iters {args.iters} --seeds ' +
               ' '.join(map(str, args.seeds)) +
               f' --work-root {args.work_root}' +
               (f' --parallel {args.parallel}' if args.parallel > 1 else '') +
               (' --cfg-options ' +
                ' '.join(args.cfg_options) if args.cfg_options else '') +
               ''.join(' --cfg-options-for ' + ' '.join(group)
                       for group in args.cfg_options_for) +
               (' --rare ' + ' '.join(args.rare) if args.rare else '') +
               (f' --write {args.write} --section {args.section}'
                if args.write else ''))
    marker = f'<!-- {args.section} -->'
    machines = sorted({machine(r) for rs in results.values() for r in rs})
    section = '\n'.join([
        marker, f'Measured on {"; ".join(machines)}; seeds '
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
