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
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner

from mmseg_synaug.utils import (DataError, close_distributed,
                                merge_cfg_options, run_tool,
                                setup_cpu_distributed)
from mmseg_synaug.utils.checkpoint import load_model_checkpoint
from mmseg_synaug.utils.train_cli import build_datasets


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Evaluate a segmentor')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir', help='the dir to save the evaluation logs and metrics')
    parser.add_argument(
        '--out', help='the dir to save the predicted label maps as PNG')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, as key=value pairs')
    parser.add_argument(
        '--non-strict',
        action='store_true',
        help='evaluate a checkpoint whose keys or shapes differ from the '
        'model of the config (only the matching weights are loaded)')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    parser.add_argument(
        '--debug',
        action='store_true',
        help='show the full traceback of errors (or SYNAUG_DEBUG=1)')
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main() -> None:
    args = parse_args()
    if not osp.isfile(args.checkpoint):
        raise DataError(
            f'The checkpoint `{args.checkpoint}` does not exist.',
            fix='pass the .pth file written by tools/train.py (e.g. '
            'work_dirs/<config>/iter_1000.pth).')
    if args.out is not None and osp.exists(
            args.out) and not osp.isdir(args.out):
        raise DataError(
            f'--out `{args.out}` is a file; the predicted label maps go '
            'into a folder.',
            fix='pass a folder path (it is created if missing).')
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        merge_cfg_options(cfg, args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    # The weights are loaded below, strictly, not by the Runner (which
    # loads `load_from` non-strictly and only logs what did not match).
    cfg.load_from = None
    cfg.resume = False
    if args.out is not None:
        cfg.test_evaluator['output_dir'] = args.out

    setup_cpu_distributed(cfg)
    build_datasets(cfg, ('test_dataloader', ))
    runner = Runner.from_cfg(cfg)
    model = runner.model.module if is_model_wrapper(
        runner.model) else runner.model
    load_model_checkpoint(
        model,
        args.checkpoint,
        strict=not args.non_strict,
        non_strict_hint='pass --non-strict')
    runner.test()
    close_distributed(runner)


if __name__ == '__main__':
    run_tool(main)
