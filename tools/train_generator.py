"""Train a label-to-image generator (e.g. Pix2PixHD) with mmengine's Runner.

Usage:
    python tools/train_generator.py configs/pix2pixhd/CONFIG.py
        [--work-dir DIR] [--resume] [--amp] [--cfg-options KEY=VALUE ...]
        [--launcher pytorch]

Checkpoints (generator, discriminators and both optimizers), logs and the
label | real | generated grids of GeneratorGridHook go to the work dir
(default ``work_dirs/<config name>``); ``--resume`` continues from its
latest checkpoint.
"""
import argparse
import logging
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.logging import print_log
from mmengine.runner import Runner

from mmseg_synaug.utils import setup_cpu_distributed


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Train a label-to-image generator')
    parser.add_argument('config', help='generator config file path')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        action='store_true',
        help='resume from the latest checkpoint in the work dir')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='mixed precision: AmpOptimWrapper for the generator and the '
        'discriminators (needs a GPU)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, as key=value pairs')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def main() -> None:
    args = parse_args()
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)

    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])

    if args.amp:
        for key, wrapper in cfg.optim_wrapper.items():
            if not isinstance(wrapper, dict) or 'optimizer' not in wrapper:
                continue
            if wrapper.get('type', 'OptimWrapper') == 'AmpOptimWrapper':
                print_log(f'AMP is already enabled for {key}.', 'current',
                          logging.WARNING)
            else:
                wrapper['type'] = 'AmpOptimWrapper'
                wrapper['loss_scale'] = 'dynamic'

    cfg.resume = args.resume
    setup_cpu_distributed(cfg)
    runner = Runner.from_cfg(cfg)
    runner.train()


if __name__ == '__main__':
    main()
