"""Train a feature generator (FeatureBicycleGAN) through mmengine's Runner.

The config names the trained segmentor whose stage features are imitated
(``model.data_preprocessor``: config, checkpoint, ``stage_index``); see
``configs/feature_synthesis/featgan-*.py``.

Usage:
    python tools/train_feature_generator.py CONFIG [--work-dir DIR]
        [--resume] [--cfg-options KEY=VALUE ...] [--launcher pytorch]
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from mmseg_synaug.utils import setup_cpu_distributed


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Train a feature generator on a segmentor\'s features')
    parser.add_argument('config', help='feature generator config file')
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        action='store_true',
        help='resume from the latest checkpoint in the work dir')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, as key=value pairs, e.g. '
        'model.data_preprocessor.checkpoint=PSPNET.pth')
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
    if cfg.model.get('type') != 'FeatureBicycleGAN':
        raise SystemExit(
            f'{args.config} trains a {cfg.model.get("type")}, not a '
            'FeatureBicycleGAN; train segmentors with tools/train.py.')
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.resume = args.resume
    setup_cpu_distributed(cfg)
    runner = Runner.from_cfg(cfg)
    runner.train()


if __name__ == '__main__':
    main()
