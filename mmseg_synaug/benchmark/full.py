"""The full GPU benchmark in one resumable command, with a time budget.

For a user with a GPU of their own: the stages a-d of
:mod:`mmseg_synaug.benchmark.staged` (baseline and copy-paste; pix2pixHD,
its synthetic sets and synthesis score; the synthetic mixes; the feature
generator and the fine-tuning pair) in order, three seeds, the configs'
full iterations, in one folder ``ROOT``. The split into stages is how the
work is organised, not something to run by hand.

``--budget SECONDS`` stops cleanly when the time is spent: the running
step is stopped (its process group: trainings keep their last
checkpoint, synthesis its finished samples), a progress section with the
table of every run finished so far goes to ``ROOT/full/progress.md`` and
BENCHMARKS.md, and the command exits 0 saying so. The same command
continues from where it stopped: a finished stage is skipped, a finished
run or sample reused, an interrupted training resumed.

    python tools/analysis_tools/gpu_benchmark/staged_benchmark.py full \\
        [--budget SECONDS] [--root work_dirs/gpu_benchmark] [--seeds 0 1 2]
"""
import argparse
import glob
import json
import os
import os.path as osp
import signal
import subprocess
import time
from typing import List, Optional

from .staged import (CLI, RARE, stage_a, stage_b, stage_c, stage_d,
                     write_benchmarks)

#: The stages in order, each with the function that runs it.
STAGES = dict(a=stage_a, b=stage_b, c=stage_c, d=stage_d)
#: The seeds of the full benchmark where ``--seeds`` is not given.
FULL_SEEDS = [0, 1, 2]
MARKER = '<!-- gpu-full -->'


class BudgetReached(Exception):
    """The ``--budget`` was spent while (or before) running ``step``."""


def remaining(args: argparse.Namespace) -> Optional[float]:
    """Seconds left of the budget; None without one."""
    deadline = getattr(args, 'deadline', None)
    return None if deadline is None else deadline - time.monotonic()


def settings(args: argparse.Namespace) -> dict:
    """What a finished stage was run with: a change runs it again."""
    return dict(
        seeds=list(args.seeds),
        scale=args.scale,
        configs=args.configs,
        modes=list(args.modes))


def stage_done(args: argparse.Namespace, name: str) -> bool:
    path = osp.join(args.root, f'stage_{name}', 'results', 'full_done.json')
    return osp.isfile(path) and json.load(open(path)) == json.loads(
        json.dumps(settings(args)))


def mark_done(args: argparse.Namespace, name: str) -> None:
    path = osp.join(args.root, f'stage_{name}', 'results', 'full_done.json')
    with open(path, 'w') as f:
        json.dump(settings(args), f, indent=1)


def finished_runs(root: str) -> List[dict]:
    """Every segmentor run with a ``summary.json`` under ``root/work``."""
    runs = []
    pattern = osp.join(root, 'work', 'segmentors', '*', 'seed*',
                       'summary.json')
    for path in sorted(glob.glob(pattern)):
        summary = json.load(open(path))
        seed_dir = osp.dirname(path)
        runs.append(
            dict(
                summary,
                config=osp.basename(osp.dirname(seed_dir)),
                seed=int(osp.basename(seed_dir)[len('seed'):])))
    return runs


def runs_table(runs: List[dict]) -> List[str]:
    """One row per finished run: val mIoU and the rare classes' IoU."""
    if not runs:
        return ['No segmentor run has finished yet.']
    lines = [
        '| config | seed | iterations | mIoU | ' + ' | '.join(RARE) + ' |',
        '|' + '---|' * (4 + len(RARE))
    ]
    for run in runs:
        cells = [run.get('mIoU')] + [run.get(f'IoU.{c}') for c in RARE]
        lines.append(f'| `{run["config"]}` | {run["seed"]} | '
                     f'{run.get("iters", "-")} | ' +
                     ' | '.join('-' if v is None else f'{v:.2f}'
                                for v in cells) + ' |')
    return lines


def write_progress(args: argparse.Namespace, done: List[str],
                   stopped: Optional[str], seconds: float) -> str:
    """The progress section: stages done, where it stopped, finished runs."""
    if stopped is None:
        state = 'complete: every stage finished.'
    else:
        state = (f'stopped by --budget during {stopped}; the same command '
                 'continues from there.')
    text = '\n'.join([
        MARKER, '#### Full benchmark: progress', '', '```',
        ' '.join([CLI] + args.argv), '```', '',
        f'Stages finished: {", ".join(done) or "none"}; {state} This call: '
        f'{seconds:.0f} s. Each finished stage has its own section; the '
        'segmentor runs finished so far (CamVid val, percent):', '',
        *runs_table(finished_runs(args.root)), MARKER
    ])
    folder = osp.join(args.root, 'full')
    os.makedirs(folder, exist_ok=True)
    with open(osp.join(folder, 'progress.md'), 'w') as f:
        f.write(text + '\n')
    write_benchmarks(args.write, text, MARKER)
    return text


def full(args: argparse.Namespace) -> None:
    """Stages a-d in order within ``args.budget`` seconds (None: no
    limit); see the module."""
    start = time.monotonic()
    args.deadline = None if args.budget is None else start + args.budget
    done, stopped = [], None
    try:
        for name, run in STAGES.items():
            if not stage_done(args, name):
                left = remaining(args)
                if left is not None and left <= 0:
                    raise BudgetReached(f'stage {name}')
                run(args)
                mark_done(args, name)
            done.append(name)
    except BudgetReached as stop:
        stopped = str(stop)
    print(write_progress(args, done, stopped, time.monotonic() - start))
    if stopped is not None:
        print(
            f'[full] stopped by --budget {args.budget:g} s during '
            f'{stopped}: run the same command to continue.',
            flush=True)


def stop_groups(processes: List[subprocess.Popen]) -> None:
    """Stop each process's group (a tool, the trainings it started and
    their data workers): SIGTERM, then SIGKILL after 30 s."""
    for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 10)):
        alive = [p for p in processes if p.poll() is None]
        for process in alive:
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + wait
        for process in alive:
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.01))
            except subprocess.TimeoutExpired:
                pass
