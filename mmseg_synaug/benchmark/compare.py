"""Train configs with several seeds at equal iterations and summarize them.

Each (config, seed) trains through ``tools/train.py`` in
``WORK_ROOT/<config name>/seed<seed>``, validated at the end (and at the
config's ``val_interval`` where a curve is wanted). A run whose work dir
holds its final validation already is not repeated, and a run interrupted
after a checkpoint resumes from it, so a comparison continues where it
stopped. Each finished run writes ``summary.json`` (scores, s/iter, losses,
the curve, the device and torch version), which the tables read back: a
table can combine runs of earlier invocations or of another machine.
``tools/analysis_tools/compare_configs.py`` is the command line.
"""
import glob
import json
import os
import os.path as osp
import platform
import queue
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

from ..utils import DataError
from ..visualization import load_scalars
from .runs import config_name, options_for, seeded, train_tool

__all__ = [
    'Comparison', 'run_comparison', 'finished', 'summarize', 'curve',
    'device_slots', 'parse_extra_test', 'score_extra_tests'
]


@dataclass
class Comparison:
    """What to compare and how.

    Args:
        configs (list[str]): Config files.
        iters (int): Training iterations of every run.
        seeds (list[int]): Seeds; every config runs each.
        work_root (str): Runs go to ``work_root/<config name>/seed<k>``.
        parallel (int): Trainings at once.
        device (str): ``'cpu'`` (the runs see no GPU) or ``'cuda'``.
        checkpoint_interval (int, optional): Save every K iterations so that
            an interrupted run resumes; None saves at the end only.
        cfg_options (list[str]): ``KEY=VALUE`` for every run.
        cfg_options_for (list[list[str]]): ``[CONFIG_NAME, KEY=VALUE, ...]``
            for the runs of one config.
        extra_tests (dict): Split name -> (image folder, label folder):
            every run's final checkpoint is also scored there
            (:func:`parse_extra_test`), beside the config's val set.
    """
    configs: List[str]
    iters: int
    seeds: List[int] = field(default_factory=lambda: [0, 1])
    work_root: str = 'work_dirs/compare'
    parallel: int = 1
    device: str = 'cpu'
    checkpoint_interval: Optional[int] = None
    cfg_options: List[str] = field(default_factory=list)
    cfg_options_for: List[List[str]] = field(default_factory=list)
    extra_tests: Dict[str, Tuple[str, str]] = field(default_factory=dict)

    def work_dir(self, config: str, seed: int) -> str:
        return osp.join(self.work_root, config_name(config), f'seed{seed}')


def device_slots(parallel: int, device: str) -> 'queue.Queue':
    """One entry per parallel slot: the device name and the environment.

    On the CPU the runs see no GPU (``CUDA_VISIBLE_DEVICES=''``); with
    several GPUs the slots take them in turn, one ``CUDA_VISIBLE_DEVICES``
    each; with one GPU every run shares it.
    """
    slots: 'queue.Queue' = queue.Queue()
    count = torch.cuda.device_count() if device == 'cuda' else 0
    for slot in range(parallel):
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


def finished(work_dir: str, iters: int) -> Optional[Dict]:
    """The summary of a run of ``iters`` iterations done before, or None.

    ``summary.json`` is read where it exists (it names the device); a run
    of an older version of the benchmark is summarized from its log.
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


def train_run(comparison: Comparison, config: str, seed: int,
              slots: 'queue.Queue') -> Dict:
    """Train one (config, seed) unless done; return its summary.

    Args:
        comparison (Comparison): The settings.
        config (str): Config file.
        seed (int): Random seed of the run.
        slots (queue.Queue): Free devices (:func:`device_slots`); the run
            takes one while it trains.

    Returns:
        dict: Final val scores, s/iter, losses, the curve, device and torch
        version.
    """
    name = config_name(config)
    iters = comparison.iters
    work_dir = comparison.work_dir(config, seed)
    done = finished(work_dir, iters)
    if done is not None:
        print(
            f'{name} seed {seed}: done before, reusing {work_dir}', flush=True)
        if 'curve' not in done and glob.glob(
                osp.join(work_dir, '*', 'vis_data', 'scalars.json')):
            done['curve'] = curve(work_dir)
        done = score_extra_tests(comparison, config, work_dir, done, slots)
        return dict(done, config=name, seed=seed)
    interval = comparison.checkpoint_interval or iters
    command = [
        sys.executable,
        train_tool(), config, '--work-dir', work_dir, '--cfg-options',
        f'randomness.seed={seed}', f'train_cfg.max_iters={iters}',
        f'train_cfg.val_interval={iters}',
        f'default_hooks.checkpoint.interval={min(interval, iters)}',
        f'param_scheduler.0.end={iters}',
        f'default_hooks.logger.interval={max(1, min(10, iters // 10))}',
        *seeded([
            *comparison.cfg_options,
            *options_for(name, comparison.cfg_options_for)
        ], seed)
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
        f'{"resuming" if resumed else "training"} {iters} '
        f'iterations on {where["device"]}',
        flush=True)
    try:
        run_logged(
            command,
            osp.join(work_dir, 'compare.log'),
            where['env'],
            f'{name} seed {seed}',
            append=resumed)
    finally:
        slots.put(where)
    summary = dict(
        summarize(work_dir),
        config=name,
        seed=seed,
        iters=iters,
        device=where['device'],
        torch=torch.__version__,
        cpu_cores=os.cpu_count(),
        parallel=comparison.parallel)
    _write_summary(work_dir, summary)
    return score_extra_tests(comparison, config, work_dir, summary, slots)


def _write_summary(work_dir: str, summary: Dict) -> None:
    path = osp.join(work_dir, 'summary.json')
    with open(path + '.tmp', 'w') as f:
        json.dump(summary, f, indent=1)
    os.replace(path + '.tmp', path)


def parse_extra_test(spec: str) -> Tuple[str, Tuple[str, str]]:
    """``NAME=DIR`` (CamVid's layout: ``DIR/NAME`` images and
    ``DIR/NAMEannot`` label maps) or ``NAME=IMAGES,LABELS``.

    Returns:
        tuple: The name and the (image folder, label folder), absolute.

    Raises:
        DataError: For another form or a folder that does not exist.
    """
    name, sep, where = spec.partition('=')
    if not sep or not name or not where or '/' in name:
        raise DataError(
            f'--extra-test `{spec}` is not NAME=DIR or NAME=IMAGES,LABELS.',
            fix='e.g. --extra-test test=data/camvid (test/ and testannot/ '
            'in it) or --extra-test night=imgs/,labels/.')
    if ',' in where:
        images, labels = where.split(',', 1)
    else:
        images, labels = osp.join(where, name), osp.join(where, name + 'annot')
    for folder in (images, labels):
        if not osp.isdir(folder):
            raise DataError(
                f'--extra-test `{spec}`: the folder `{folder}` does not '
                'exist.',
                fix='Give a folder with NAME/ and NAMEannot/ in it, or the '
                'image and label folders as NAME=IMAGES,LABELS.')
    return name, (osp.abspath(images), osp.abspath(labels))


def score_extra_tests(comparison: Comparison, config: str, work_dir: str,
                      summary: Dict, slots: 'queue.Queue') -> Dict:
    """Score the run's final checkpoint on every extra test split not
    scored yet (``tools/test.py`` with the config's test pipeline and
    metric); the scores go into ``summary['extra'][NAME]`` and
    ``summary.json``."""
    extra = dict(summary.get('extra') or {})
    todo = [name for name in comparison.extra_tests if name not in extra]
    if not todo:
        return summary
    checkpoint = osp.join(work_dir, f'iter_{comparison.iters}.pth')
    if not osp.isfile(checkpoint):
        raise DataError(
            f'{work_dir} holds no final checkpoint (iter_'
            f'{comparison.iters}.pth) to score on the extra test splits.',
            fix='Train it again: delete its summary.json and run the same '
            'command.')
    name = config_name(config)
    for split in todo:
        images, labels = comparison.extra_tests[split]
        out = osp.join(work_dir, 'extra_test', split)
        command = [
            sys.executable,
            osp.join(osp.dirname(train_tool()), 'test.py'), config, checkpoint,
            '--work-dir', out, '--cfg-options',
            f'test_dataloader.dataset.data_prefix.img_path={images}',
            f'test_dataloader.dataset.data_prefix.seg_map_path={labels}',
            *comparison.cfg_options,
            *options_for(name, comparison.cfg_options_for)
        ]
        where = slots.get()
        print(
            f'{name}: scoring {osp.basename(work_dir)} on {split}', flush=True)
        try:
            run_logged(command, osp.join(out, 'test.log'), where['env'],
                       f'{name}: scoring on {split}')
        finally:
            slots.put(where)
        scores = sorted(glob.glob(osp.join(out, '*', '*.json')))
        with open(scores[-1]) as f:
            metrics = json.load(f)
        extra[split] = {
            key: value
            for key, value in metrics.items()
            if key in ('mIoU', 'mAcc', 'aAcc',
                       'fwIoU') or key.startswith('IoU.')
        }
    summary = dict(summary, extra=extra)
    _write_summary(work_dir, summary)
    return summary


def run_logged(command: List[str],
               log_path: str,
               env: Dict[str, str],
               what: str,
               append: bool = False) -> None:
    """Run a tool with its output in ``log_path``; a failure raises with
    the log's end.

    Raises:
        RuntimeError: Naming ``what``, the exit status and the log.
    """
    os.makedirs(osp.dirname(log_path), exist_ok=True)
    with open(log_path, 'a' if append else 'w') as log:
        result = subprocess.run(
            command, stdout=log, stderr=log, env=dict(os.environ, **env))
    if result.returncode != 0:
        with open(log_path) as f:
            tail = f.read()[-3000:]
        raise RuntimeError(f'{what} failed (exit {result.returncode}); its '
                           f'log {log_path} ends:\n{tail}')


def run_comparison(comparison: Comparison) -> Dict[str, List[Dict]]:
    """Every (config, seed), ``parallel`` at a time, in a fixed order.

    Returns:
        dict: Config name -> the summaries of its seeds, in seed order.

    Raises:
        DataError: When a run failed (each failure with its log's end).
    """
    jobs = [(config, seed) for config in comparison.configs
            for seed in comparison.seeds]
    slots = device_slots(comparison.parallel, comparison.device)
    with ThreadPoolExecutor(max_workers=comparison.parallel) as pool:
        futures = [
            pool.submit(train_run, comparison, config, seed, slots)
            for config, seed in jobs
        ]
        errors = [
            str(future.exception()) for future in futures
            if future.exception() is not None
        ]
    if errors:
        raise DataError(
            '\n\n'.join(errors),
            fix='Fix what the log says and run the same command again: '
            'finished runs are reused, interrupted ones resume.')
    results: Dict[str, List[Dict]] = {}
    for (config, _), future in zip(jobs, futures):
        results.setdefault(config_name(config), []).append(future.result())
    return results


def summarize(work_dir: str) -> Dict:
    """Final val scores, s/iter, the curve and mean logged losses and
    accuracies (``*loss*``, ``*acc*``) of the last quarter of training."""
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
        losses=losses,
        curve=curve_points(train, val))


def curve(work_dir: str) -> List[Dict]:
    """Every validation of a run with the training minutes before it
    (:func:`curve_points` of its logs)."""
    return curve_points(*load_scalars(work_dir))


def curve_points(train: List[Dict], val: List[Dict]) -> List[Dict]:
    """Every validation record with the training minutes before it.

    The minutes add up the logged seconds per iteration (each train record
    holds the mean over the iterations since the one before); validation
    time is not counted. Both lists are sorted by iteration
    (:func:`~mmseg_synaug.visualization.load_scalars`).
    """
    points = []
    seconds, previous, index = 0.0, 0, 0
    for record in val:
        while index < len(train) and train[index]['iter'] <= record['step']:
            seconds += (train[index]['iter'] - previous) * train[index]['time']
            previous = train[index]['iter']
            index += 1
        points.append(
            dict(
                {
                    key: value
                    for key, value in record.items()
                    if key == 'mIoU' or key.startswith('IoU.')
                },
                step=record['step'],
                minutes=seconds / 60))
    return points


def class_names(results: Dict[str, Sequence[Dict]]) -> List[str]:
    """The classes of the per-class IoU keys of the first run."""
    first = next(iter(results.values()))[0]
    return [key[4:] for key in first if key.startswith('IoU.')]
