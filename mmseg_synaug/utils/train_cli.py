"""The command line shared by the training tools (segmentor, generators)."""
import argparse
import logging
import os
import os.path as osp

import torch.distributed as dist
from mmengine.config import Config, DictAction
from mmengine.logging import print_log
from mmengine.runner import Runner

from .dist import setup_cpu_distributed


def train_arg_parser(description: str,
                     config_help: str = 'train config file path',
                     amp: bool = True) -> argparse.ArgumentParser:
    """The arguments of mmseg's tools/train.py.

    Args:
        description (str): What the tool trains.
        config_help (str): Help of the config argument.
            Defaults to ``'train config file path'``.
        amp (bool): Offer ``--amp``. Defaults to True.

    Returns:
        argparse.ArgumentParser: Add tool-specific arguments, then parse
        with :func:`parse_train_args`.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('config', help=config_help)
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    parser.add_argument(
        '--resume',
        action='store_true',
        help='resume from the latest checkpoint in the work dir')
    if amp:
        parser.add_argument(
            '--amp',
            action='store_true',
            help='automatic mixed precision, for every optimizer')
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
    return parser


def parse_train_args(parser: argparse.ArgumentParser) -> argparse.Namespace:
    """Parse, and set ``LOCAL_RANK`` where the launcher did not."""
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def enable_amp(optim_wrapper: dict) -> None:
    """Switch an optim_wrapper config, or each of several, to AMP.

    A config with several optimizers (the ``segmentor`` and
    ``discriminator`` of adversarial training, the ``generator`` and
    ``discriminator`` of a GAN) holds one wrapper config per key instead of
    an ``optimizer``: each is switched.

    Args:
        optim_wrapper (dict): The config's ``optim_wrapper``, changed in
            place.
    """
    if 'optimizer' in optim_wrapper:
        wrappers = {'optim_wrapper': optim_wrapper}
    else:
        wrappers = {
            key: value
            for key, value in optim_wrapper.items()
            if isinstance(value, dict) and 'optimizer' in value
        }
    for key, wrapper in wrappers.items():
        if wrapper.get('type', 'OptimWrapper') == 'AmpOptimWrapper':
            print_log(f'AMP is already enabled for {key}.', 'current',
                      logging.WARNING)
        else:
            wrapper['type'] = 'AmpOptimWrapper'
            wrapper['loss_scale'] = 'dynamic'


def load_train_config(args: argparse.Namespace) -> Config:
    """Read the config and apply the command line, as mmseg's train.py.

    Sets the launcher, ``--cfg-options``, the work dir (default
    ``work_dirs/<config name>``), AMP, ``--resume``, and prepares CPU-only
    distributed runs (:func:`setup_cpu_distributed`).

    Args:
        args (argparse.Namespace): From :func:`parse_train_args`.

    Returns:
        Config: Ready for ``Runner.from_cfg``.
    """
    cfg = Config.fromfile(args.config)
    cfg.launcher = args.launcher
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if getattr(args, 'amp', False):
        enable_amp(cfg.optim_wrapper)
    cfg.resume = args.resume
    setup_cpu_distributed(cfg)
    return cfg


def train_and_close(runner: Runner) -> None:
    """Train, then close the process group of a distributed run.

    Left to the interpreter's exit, gloo's process group can abort a rank
    after training has finished ("terminate called without an active
    exception"), which fails the whole torchrun job; destroying it first
    makes the exit clean.

    Args:
        runner (Runner): The runner built from the training config.
    """
    runner.train()
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()
