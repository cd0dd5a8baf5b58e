"""Summarise tools/analysis_tools/benchmark_adversarial.sh as Markdown.

Reads ``WORK/{plain,adv}-seed*/<timestamp>/vis_data/scalars.json`` (written
by mmengine's LocalVisBackend) and prints the CamVid val scores of each run,
their means over seeds, per-class IoU, the last logged losses, and the mean
training time per iteration with the overhead ratio adversarial / plain.

Usage:
    python tools/analysis_tools/summarize_adversarial_benchmark.py WORK
"""
import argparse
import glob
import json
import os.path as osp
import re
import statistics
from typing import Dict, List, Optional

CLASSES = ('Sky', 'Building', 'Pole', 'Road', 'Pavement', 'Tree',
           'SignSymbol', 'Fence', 'Car', 'Pedestrian', 'Bicyclist')
LOSSES = ('decode.loss_ce', 'aux.loss_ce', 'loss_adv', 'disc.loss_real',
          'disc.loss_fake', 'disc.acc_real', 'disc.acc_fake')


def read_run(run_dir: str) -> Optional[Dict]:
    """The training records and the final val scores of one run, or None
    while it has not finished (no validation scores yet)."""
    files = sorted(glob.glob(osp.join(run_dir, '*', 'vis_data',
                                      'scalars.json')))
    if not files:
        return None
    train: List[dict] = []
    val: Dict = {}
    with open(files[-1]) as f:
        for line in f:
            record = json.loads(line)
            if 'mIoU' in record:
                val = record
            elif 'time' in record:
                train.append(record)
    if not val:
        return None
    # The first logged window holds the start-up (first batches, workers).
    times = [r['time'] for r in train[1:]] or [r['time'] for r in train]
    return dict(
        train=train,
        val=val,
        s_per_iter=statistics.mean(times),
        last=train[-1] if train else {})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('work', help='WORK folder of the benchmark')
    args = parser.parse_args()
    runs = {}
    for run_dir in sorted(glob.glob(osp.join(args.work, '*-seed*'))):
        match = re.fullmatch(r'(plain|adv)-seed(\d+)', osp.basename(run_dir))
        if match and osp.isdir(run_dir):
            run = read_run(run_dir)
            if run is None:
                print(f'(skipped {run_dir}: not finished)\n')
            else:
                runs[(match.group(1), int(match.group(2)))] = run
    if not runs:
        raise SystemExit(f'No runs in {args.work}.')
    seeds = sorted({seed for _, seed in runs})
    variants = [v for v in ('plain', 'adv') if any(k[0] == v for k in runs)]

    print('| run | seed | iters | mIoU | mAcc | aAcc | s/iter |')
    print('|---|---|---|---|---|---|---|')
    for variant in variants:
        for seed in seeds:
            run = runs.get((variant, seed))
            if run is None:
                continue
            v = run['val']
            iters = run['last'].get('iter', '?')
            print(f'| {variant} | {seed} | {iters} | {v["mIoU"]:.2f} | '
                  f'{v["mAcc"]:.2f} | {v["aAcc"]:.2f} | '
                  f'{run["s_per_iter"]:.2f} |')
    print()
    print('| mean over seeds | mIoU | mAcc | aAcc | s/iter |')
    print('|---|---|---|---|---|')
    means = {}
    for variant in variants:
        rs = [runs[(variant, s)] for s in seeds if (variant, s) in runs]
        means[variant] = {
            key: statistics.mean(r['val'][key] for r in rs)
            for key in ('mIoU', 'mAcc', 'aAcc')
        }
        means[variant]['s'] = statistics.mean(r['s_per_iter'] for r in rs)
        m = means[variant]
        print(f'| {variant} | {m["mIoU"]:.2f} | {m["mAcc"]:.2f} | '
              f'{m["aAcc"]:.2f} | {m["s"]:.2f} |')
    if 'plain' in means and 'adv' in means:
        print()
        ratios = [
            runs[('adv', s)]['s_per_iter'] / runs[('plain', s)]['s_per_iter']
            for s in seeds if ('adv', s) in runs and ('plain', s) in runs
        ]
        print('Training-time overhead (mean s/iter, adversarial / plain): '
              + ', '.join(f'seed {s}: {r:.2f}x'
                          for s, r in zip(seeds, ratios)) +
              f'; pooled: {means["adv"]["s"] / means["plain"]["s"]:.2f}x')
        deltas = [
            runs[('adv', s)]['val']['mIoU'] - runs[('plain', s)]['val']['mIoU']
            for s in seeds if ('adv', s) in runs and ('plain', s) in runs
        ]
        print(f'Delta mIoU (adv - plain, mean): '
              f'{means["adv"]["mIoU"] - means["plain"]["mIoU"]:+.2f}; '
              'per seed: ' + ', '.join(f'{d:+.2f}' for d in deltas))
    print()
    header = ' | '.join(CLASSES)
    print(f'| run | {header} |')
    print('|---|' + '---|' * len(CLASSES))
    for variant in variants:
        for seed in seeds:
            run = runs.get((variant, seed))
            if run is None:
                continue
            cells = ' | '.join(
                f'{run["val"].get(f"IoU.{c}", float("nan")):.1f}'
                for c in CLASSES)
            print(f'| {variant} s{seed} | {cells} |')
    print()
    print('| run | ' + ' | '.join(LOSSES) + ' |')
    print('|---|' + '---|' * len(LOSSES))
    for variant in variants:
        for seed in seeds:
            run = runs.get((variant, seed))
            if run is None:
                continue
            # Mean over the last 5 logged windows (the last 50 iterations).
            tail = run['train'][-5:]
            cells = []
            for key in LOSSES:
                values = [r[key] for r in tail if key in r]
                cells.append(f'{statistics.mean(values):.3f}'
                             if values else '-')
            print(f'| {variant} s{seed} | ' + ' | '.join(cells) + ' |')


if __name__ == '__main__':
    main()
