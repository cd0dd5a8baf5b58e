"""The command line of tools/train.py, for every model of the project.

Segmentors, Pix2PixHD and the feature generator all train through
mmengine's Runner; what the tool adds to mmseg's tools/train.py: checked
``--cfg-options`` (:func:`merge_cfg_options`), ``--amp`` for every
optimizer, ``--resume`` that stops when there is nothing to resume
(``--resume-or-start`` starts fresh then), a short header, and the
datasets built and checked before the Runner starts, so that a bad file is
reported at start-up as one message (:func:`run_tool`).
"""
import argparse
import logging
import os
import os.path as osp
from typing import Optional, Sequence

from mmengine.config import Config, DictAction
from mmengine.logging import print_log
from mmengine.runner import Runner
from mmengine.runner.checkpoint import find_latest_checkpoint

from .config_options import merge_cfg_options
from .dist import close_distributed, setup_distributed
from .errors import DataError

#: What tools/train.py trains.
TRAIN_DESCRIPTION = ('Train a model (segmentor, Pix2PixHD, feature '
                     'generator) from a config')


def train_arg_parser(
        description: str = TRAIN_DESCRIPTION,
        config_help: str = 'train config file path'
) -> argparse.ArgumentParser:
    """The arguments of mmseg's tools/train.py, and ``--resume-or-start``.

    Args:
        description (str): What the tool trains.
        config_help (str): Help of the config argument.
            Defaults to ``'train config file path'``.

    Returns:
        argparse.ArgumentParser: Add tool-specific arguments, then parse
        with :func:`parse_train_args`.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('config', help=config_help)
    parser.add_argument('--work-dir', help='the dir to save logs and models')
    resume = parser.add_mutually_exclusive_group()
    resume.add_argument(
        '--resume',
        action='store_true',
        help='resume from the latest checkpoint in the work dir (or from '
        'load_from); an error when there is none')
    resume.add_argument(
        '--resume-or-start',
        action='store_true',
        help='resume as --resume, or start a new run when the work dir '
        'holds no checkpoint')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='automatic mixed precision, for every optimizer')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, as key=value pairs; a key '
        'that matches nothing in the config is refused')
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
    return parser


def parse_train_args(parser: argparse.ArgumentParser,
                     argv: Optional[list] = None) -> argparse.Namespace:
    """Parse, and set ``LOCAL_RANK`` where the launcher did not."""
    args = parser.parse_args(argv)
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


def read_config(path: str) -> Config:
    """Read a config file; a missing one is a :class:`DataError`."""
    if not osp.isfile(path):
        raise DataError(
            f'The config `{path}` does not exist.',
            fix='Give the path of a config file, e.g. '
            'configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py.')
    return Config.fromfile(path)


def set_resume(cfg: Config, resume: bool, resume_or_start: bool) -> None:
    """Set ``cfg.resume``; refuse ``--resume`` with nothing to resume.

    mmengine resumes from ``load_from`` when it is set, else from the latest
    checkpoint of the work dir, and silently starts a new run when there is
    none: with ``--resume`` that is an error here, with
    ``--resume-or-start`` a new run (said in the log).

    Args:
        cfg (Config): With ``work_dir`` set; changed in place.
        resume (bool): ``--resume``.
        resume_or_start (bool): ``--resume-or-start``.
    """
    cfg.resume = resume or resume_or_start
    if not cfg.resume or cfg.get('load_from'):
        return
    if find_latest_checkpoint(cfg.work_dir) is not None:
        return
    if resume_or_start:
        print(
            f'--resume-or-start: nothing to resume in `{cfg.work_dir}`, '
            'starting a new run.',
            flush=True)
        cfg.resume = False
        return
    raise DataError(
        f'--resume: the work dir `{cfg.work_dir}` holds no checkpoint to '
        'resume (no `last_checkpoint` file).',
        fix='Give the --work-dir of the run to continue, drop --resume to '
        'start a new run, or use --resume-or-start to resume when there is '
        'a checkpoint and start otherwise.')


def load_train_config(args: argparse.Namespace) -> Config:
    """Read the config and apply the command line, as mmseg's train.py.

    Sets the launcher, ``--cfg-options`` (checked), the work dir (default
    ``work_dirs/<config name>``), AMP, the resume mode, and prepares
    distributed runs: the DDP wrapper chosen from the model, gloo on
    CPU-only machines (:func:`setup_distributed`).

    Args:
        args (argparse.Namespace): From :func:`parse_train_args`.

    Returns:
        Config: Ready for ``Runner.from_cfg``.
    """
    cfg = read_config(args.config)
    cfg.launcher = args.launcher
    merge_cfg_options(cfg, args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    if getattr(args, 'amp', False):
        enable_amp(cfg.optim_wrapper)
    set_resume(cfg, getattr(args, 'resume', False),
               getattr(args, 'resume_or_start', False))
    setup_distributed(cfg)
    return cfg


def build_datasets(
    cfg: Config, keys: Sequence[str] = ('train_dataloader', 'val_dataloader')
) -> None:
    """Build the Runner's datasets once, before the Runner, to check them.

    The project's datasets check their files when they are built (see
    :mod:`mmseg_synaug.datasets.checks`); building them here reports a bad
    train or val file at start-up, before the Runner logs its environment
    and config. The checks remember what they checked, so the Runner's own
    build repeats none of the file reading.

    Args:
        cfg (Config): The run's config.
        keys (Sequence[str]): The dataloaders whose datasets are built.
            Defaults to the train and val dataloaders.
    """
    from mmengine.registry import DATASETS, init_default_scope
    from mmengine.utils import import_modules_from_strings
    if cfg.get('custom_imports'):
        import_modules_from_strings(**cfg.custom_imports)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    for key in keys:
        loader = cfg.get(key)
        if isinstance(loader, dict) and isinstance(
                loader.get('dataset'), dict):
            dataset_cfg = loader['dataset'].copy()
            DATASETS.build(dataset_cfg)


def header(cfg: Config, config: str) -> str:
    """One line saying what is trained, how long, and where."""
    model = cfg.model.get('type', '?') if isinstance(cfg.get('model'),
                                                     dict) else '?'
    train_cfg = cfg.get('train_cfg') or {}
    length = (f'{train_cfg["max_iters"]} iterations' if 'max_iters'
              in train_cfg else f'{train_cfg.get("max_epochs", "?")} epochs')
    mode = ', resuming' if cfg.get('resume') else ''
    return (f'train.py: {model} from {config}, {length}{mode}; work dir '
            f'{cfg.work_dir}')


def train(args: argparse.Namespace) -> Runner:
    """Train the config of ``args``: header, checks, Runner, close.

    Args:
        args (argparse.Namespace): From :func:`parse_train_args`.

    Returns:
        Runner: The runner after training.
    """
    cfg = load_train_config(args)
    print(header(cfg, args.config), flush=True)
    build_datasets(cfg)
    runner = Runner.from_cfg(cfg)
    train_and_close(runner)
    return runner


def train_and_close(runner: Runner) -> None:
    """Train, then close the process group of a distributed run.

    Args:
        runner (Runner): The runner built from the training config; in a
            distributed run its ``model`` is None afterwards
            (:func:`~mmseg_synaug.utils.dist.close_distributed`).
    """
    runner.train()
    close_distributed(runner)
