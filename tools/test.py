"""Evaluate a checkpoint on the config's test set, as mmseg's tools/test.py.

Usage:
    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out DIR]
        [--cfg-options KEY=VALUE ...] [--launcher pytorch] [--non-strict]
        [--debug]

The checkpoint must match the config's model: one with missing,
unexpected or reshaped keys (a checkpoint of another model) is refused,
naming them, unless ``--non-strict`` loads the matching weights anyway.
The discriminator of an adversarially trained segmentor is the exception:
its checkpoint evaluates with the plain segmentor config.

Bad input (a missing, truncated or foreign checkpoint, a config that does
not read, a ``--work-dir`` or ``--out`` that is a file or not writable) is
one message naming the file and the fix, exit status 1; ``--debug`` shows
the traceback. A failed run removes what it wrote: the work dir and --out
folders it created, or in a work dir that existed, the timestamped log
folder it began. The environment and config go to that log file only.
"""
import argparse
import os.path as osp
import shutil
from typing import List, Optional

from mmengine.dist import get_rank
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner

from mmseg_synaug.utils import (close_distributed, run_tool,
                                setup_cpu_distributed)
from mmseg_synaug.utils.checkpoint import (load_model_checkpoint,
                                           read_checkpoint)
from mmseg_synaug.utils.train_cli import (add_runner_arguments, build_datasets,
                                          build_runner, parse_train_args,
                                          prepare_output_dir,
                                          read_runner_config)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Evaluate a segmentor')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir', help='the dir to save the evaluation logs and metrics')
    parser.add_argument(
        '--out', help='the dir to save the predicted label maps as PNG')
    add_runner_arguments(
        parser,
        non_strict_help='evaluate a checkpoint whose keys or shapes differ '
        'from the model of the config (only the matching weights are '
        'loaded)')
    return parse_train_args(parser)


def main() -> None:
    args = parse_args()
    # A missing, truncated or foreign file fails here, before the Runner.
    checkpoint = read_checkpoint(args.checkpoint)
    cfg = read_runner_config(args)
    created = [
        path for path in (cfg.work_dir, args.out)
        if path is not None and not osp.exists(path)
    ]
    prepare_output_dir(
        cfg.work_dir, '--work-dir'
        if args.work_dir is not None else 'The work dir (cfg.work_dir)')
    if args.out is not None:
        prepare_output_dir(args.out, '--out')
        cfg.test_evaluator['output_dir'] = args.out
    # The weights are loaded below, strictly, not by the Runner (which
    # loads `load_from` non-strictly and only logs what did not match).
    cfg.load_from = None
    cfg.resume = False

    runner = None
    try:
        setup_cpu_distributed(cfg)
        build_datasets(cfg, ('test_dataloader', ))
        runner = build_runner(cfg, 'test.py')
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        load_model_checkpoint(
            model,
            args.checkpoint,
            strict=not args.non_strict,
            non_strict_hint='pass --non-strict',
            checkpoint=checkpoint)
        runner.test()
    except BaseException:
        remove_failed_run(runner, created)
        raise
    close_distributed(runner)


def remove_failed_run(runner: Optional[Runner], created: List[str]) -> None:
    """Remove what a failed evaluation wrote (the error is on the terminal):
    the folders it created (a new work dir holds only the Runner's config
    dump and this run's log folder; a new --out only this run's maps), and
    in a work dir that existed before, this run's timestamped log folder."""
    if get_rank() != 0:
        return
    if runner is not None:
        shutil.rmtree(runner.log_dir, ignore_errors=True)
    for path in created:
        if osp.isdir(path):
            shutil.rmtree(path, ignore_errors=True)


if __name__ == '__main__':
    run_tool(main)
