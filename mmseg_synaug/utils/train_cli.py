"""The command line of tools/train.py, for every model of the project.

Segmentors, Pix2PixHD and the feature generator all train through
mmengine's Runner; what the tool adds to mmseg's tools/train.py: checked
``--cfg-options`` (:func:`merge_cfg_options`), ``--amp`` for every
optimizer, ``--resume`` that stops when there is nothing to resume
(``--resume-or-start`` starts fresh then), a short header, the datasets
built and checked before the Runner starts, so that a bad file is reported
at start-up as one message (:func:`run_tool`), and a strict ``load_from``:
mmengine loads it non-strictly and only logs what did not match, so a
checkpoint of another model would train from scratch without a word; it is
refused unless ``--non-strict`` (:func:`check_start_checkpoint`).
"""
import argparse
import io
import logging
import os
import os.path as osp
import signal
import sys
import threading
from typing import Optional, Sequence, Tuple

from mmengine.config import Config, DictAction
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner
from mmengine.runner.checkpoint import find_latest_checkpoint

from .checkpoint import check_model_checkpoint, is_local_path, read_checkpoint
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
    add_runner_arguments(
        parser,
        non_strict_help='start from a load_from checkpoint whose keys or '
        'shapes differ from the model of the config (only the matching '
        'weights are loaded; the rest keep their initial weights)')
    return parser


def add_runner_arguments(parser: argparse.ArgumentParser,
                         non_strict_help: str) -> None:
    """The arguments tools/train.py and tools/test.py share: ``--non-strict``,
    ``--cfg-options``, ``--launcher``, ``--local-rank`` and ``--debug``.

    Args:
        parser (argparse.ArgumentParser): Changed in place.
        non_strict_help (str): What ``--non-strict`` allows in that tool.
    """
    parser.add_argument(
        '--non-strict', action='store_true', help=non_strict_help)
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
    """Read a config file; a missing or unreadable one is a DataError.

    mmengine reports a syntax error as ``File "<unknown>"``, without the
    file; here the message names it (or says that it is in a file it
    inherits) with the line.

    Args:
        path (str): The config file.

    Returns:
        Config: The config.
    """
    if not osp.isfile(path):
        raise DataError(
            f'The config `{path}` does not exist' +
            (' (it is a folder).' if osp.isdir(path) else '.'),
            fix='Give the path of a config file, e.g. '
            'configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py.')
    if osp.splitext(path)[1].lower() not in ('.py', '.json', '.yaml', '.yml'):
        raise DataError(
            f'The config `{path}` is not a .py (or .json/.yaml) file; '
            'mmengine reads configs by their suffix.',
            fix='Give a .py config (e.g. one from configs/), or rename the '
            'file to .py if it is one.')
    try:
        return Config.fromfile(path)
    except SyntaxError as error:
        where = path
        try:
            with open(path) as file:
                compile(file.read(), path, 'exec')
            where = f'a config that `{path}` inherits (_base_)'
        except SyntaxError:
            where = f'`{path}`'
        line = (error.text or '').strip()
        raise DataError(
            f'Syntax error in {where}, line {error.lineno}: {error.msg}' +
            (f': {line}' if line else '') + '.',
            fix='Correct the Python syntax of the config.') from None
    except Exception as error:
        reason = (str(error).strip().splitlines() or [''])[0]
        raise DataError(
            f'The config `{path}` cannot be read: {type(error).__name__}: '
            f'{reason}',
            fix='Correct the config (a missing _base_ file, an unknown '
            'name, ...); --debug shows where it fails.') from None


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


def read_runner_config(args: argparse.Namespace) -> Config:
    """The config with the command line's launcher, ``--cfg-options``
    (checked) and work dir (default ``work_dirs/<config name>``), as
    mmseg's train.py and test.py set them.

    Args:
        args (argparse.Namespace): With ``config``, ``launcher``,
            ``cfg_options`` and ``work_dir``.

    Returns:
        Config: The work dir not created yet (:func:`prepare_output_dir`).
    """
    cfg = read_config(args.config)
    cfg.launcher = args.launcher
    merge_cfg_options(cfg, args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    return cfg


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
    cfg = read_runner_config(args)
    prepare_output_dir(
        cfg.work_dir, '--work-dir'
        if args.work_dir is not None else 'The work dir (cfg.work_dir)')
    if getattr(args, 'amp', False):
        enable_amp(cfg.optim_wrapper)
    set_resume(cfg, getattr(args, 'resume', False),
               getattr(args, 'resume_or_start', False))
    load_from = cfg.get('load_from')
    if load_from and is_local_path(load_from) and not osp.isfile(load_from):
        raise DataError(
            f'load_from `{load_from}` does not exist' +
            (' (it is a folder).' if osp.isdir(load_from) else '.'),
            fix='Give the checkpoint to start from (e.g. --cfg-options '
            'load_from=work_dirs/<config>/iter_1000.pth; train it first with '
            'tools/train.py), or load_from=None to start from the initial '
            'weights.')
    setup_distributed(cfg)
    return cfg


def read_start_checkpoint(cfg: Config) -> Optional[Tuple[str, str, dict]]:
    """Read the checkpoint a training starts from, before the Runner.

    The ``load_from`` file, or with ``resume`` and no ``load_from`` the
    latest checkpoint of the work dir. A truncated or foreign file is a
    :class:`DataError` here, at start-up (mmengine reads it only after
    building everything).

    Args:
        cfg (Config): From :func:`load_train_config`.

    Returns:
        tuple[str, str, dict] | None: The file, what it is (for messages)
        and the checkpoint; None when the run starts from initial weights.
    """
    filename, what = cfg.get('load_from'), 'load_from checkpoint'
    if cfg.get('resume') and not filename:
        filename = find_latest_checkpoint(cfg.work_dir)
        what = 'checkpoint to resume'
    if not filename:
        return None
    return filename, what, read_checkpoint(filename, what=what)


def check_start_checkpoint(runner: Runner,
                           start: Optional[Tuple[str, str, dict]]) -> None:
    """Refuse a ``load_from`` (or resumed checkpoint) of another model.

    mmengine loads it after building the model, non-strictly, and only
    logs what did not match. A checkpoint whose keys or shapes differ from
    the model's is a :class:`DataError` here, naming the file and
    ``--non-strict``. Expected differences pass: training-only modules the
    checkpoint lacks (a discriminator starts from its initial weights) or
    the model lacks, and a partial checkpoint the model's architecture
    record accepts (Pix2PixHD's G1 starting coarse-to-fine training); see
    :func:`~mmseg_synaug.utils.checkpoint.check_model_checkpoint`.

    Args:
        runner (Runner): Built, not yet trained.
        start (tuple, optional): From :func:`read_start_checkpoint`.
    """
    if start is None:
        return
    filename, what, checkpoint = start
    model = runner.model.module if is_model_wrapper(
        runner.model) else runner.model
    skipped = check_model_checkpoint(
        model,
        checkpoint,
        filename,
        non_strict_hint='pass --non-strict',
        starting_weights=not runner.cfg.get('resume'),
        what=what)
    if skipped:
        print_log(
            f'{what} `{filename}`: {len(skipped)} keys of the model keep '
            'their initial weights or are left out, as expected '
            f'({", ".join(skipped[:5])}'
            f'{" ..." if len(skipped) > 5 else ""}).', 'current')


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
            check_indices(dataset_cfg.get('indices'), f'{key}.dataset.indices')
            DATASETS.build(dataset_cfg)


def check_indices(indices, key: str) -> None:
    """Refuse a dataset's ``indices`` that selects no sample.

    mmengine takes the first ``indices`` samples (an int) or those listed;
    with none it fails with numpy's "need at least one array to
    concatenate".

    Args:
        indices (int | Sequence[int] | None): The setting.
        key (str): Its config key, for the message.
    """
    if indices is None:
        return
    if isinstance(indices, bool) or not isinstance(indices,
                                                   (int, list, tuple)):
        raise DataError(
            f'{key}={indices!r}: indices is the number of samples to use '
            '(the first N) or a list of sample indices.',
            fix=f'Set {key} to a positive number, a list of indices, or '
            'None for all samples.')
    if (isinstance(indices, int)
            and indices < 1) or (not isinstance(indices, int)
                                 and len(indices) == 0):
        raise DataError(
            f'{key}={indices!r} selects no sample.',
            fix=f'Set {key} to a positive number (the first N samples), a '
            'list of sample indices, or None for all samples.')


def prepare_output_dir(path: str, option: str) -> None:
    """Create an output folder; a file there or no permission is an error.

    Args:
        path (str): The folder (created with its parents if missing).
        option (str): Where it was given (``'--work-dir'``), for the
            message.
    """
    if osp.exists(path) and not osp.isdir(path):
        raise DataError(
            f'{option} `{path}` is a file; it must be a folder.',
            fix=f'Give {option} a folder path (it is created if missing), '
            'or move the file away.')
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as error:
        raise DataError(
            f'{option} `{path}` cannot be created: {error.strerror}'
            f'{f" (`{error.filename}`)" if error.filename else ""}.',
            fix=f'Give {option} a folder in a writable place (a parent '
            'that is a file, or a folder without write permission, cannot '
            'hold it).') from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise DataError(
            f'{option} `{path}` is not writable.',
            fix=f'Give {option} a folder you can write to, or change its '
            'permissions.')


#: mmengine's notes about its own internals, shown in the log file only.
INTERNAL_NOTES = ('The prefix is not set in metric class',
                  '"FileClient" will be deprecated',
                  '"HardDiskBackend" is the alias of')


class _InternalNotesFilter(logging.Filter):
    """Keep :data:`INTERNAL_NOTES` off the terminal."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        return not any(note in message for note in INTERNAL_NOTES)


def build_runner(cfg: Config, tool: str = 'train.py') -> Runner:
    """Build the Runner, with its environment and config in the log only.

    mmengine logs the environment, the whole config and the hook order
    (~400 lines) while building the Runner; on the terminal they buried
    what matters (an error became the last lines after them). Here they go
    to the work dir's log file only: the terminal shows one line naming
    that file, then the run's progress. The Runner's terminal handler is
    created while it is built, writing to ``sys.stdout``; during the build
    that is a buffer, and the handler is pointed at the terminal after.

    Args:
        cfg (Config): The run's config.
        tool (str): The tool's name, for the line. Defaults to
            ``'train.py'``.

    Returns:
        Runner: Built.
    """
    terminal, muted = sys.stdout, io.StringIO()
    sys.stdout = muted
    try:
        runner = Runner.from_cfg(cfg)
    finally:
        sys.stdout = terminal
    for handler in runner.logger.handlers:
        if isinstance(handler, logging.StreamHandler) and \
                handler.stream is muted:
            handler.setStream(terminal)
            handler.addFilter(_InternalNotesFilter())
    processes = (f', {runner.world_size} processes'
                 if runner.distributed else '')
    runner.logger.info(
        f'{tool}: seed {runner.seed}, Distributed training: '
        f'{runner.distributed}{processes}; the environment, config and '
        f'hooks are in {runner.logger.log_file}')
    return runner


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
    start = read_start_checkpoint(cfg)
    runner = build_runner(cfg)
    if not getattr(args, 'non_strict', False):
        check_start_checkpoint(runner, start)
    del start  # mmengine reads the file again to load it
    train_and_close(runner)
    return runner


class _StopRequested(KeyboardInterrupt):
    """Ctrl-C seen; raised at the end of the training iteration."""


class _StopAtIterationEnd(Hook):
    """Stop at the end of a training iteration once Ctrl-C was pressed.

    The iteration's update is complete there, so the checkpoint saved then
    is the state of a whole number of iterations, as the CheckpointHook's.
    """

    priority = 'LOWEST'  # after the CheckpointHook of the same iteration

    def __init__(self) -> None:
        self.requested = False

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        if self.requested:
            raise _StopRequested()


def save_interrupted(runner: Runner) -> str:
    """Save the checkpoint of a run stopped at the end of an iteration.

    Args:
        runner (Runner): Stopped in ``after_train_iter`` (its ``iter``
            not yet counted up, as the CheckpointHook sees it there).

    Returns:
        str: What was done, for the message.
    """
    done = runner.iter + 1
    name = f'iter_{done}.pth'
    path = osp.join(runner.work_dir, name)
    if not osp.isfile(path):
        runner.save_checkpoint(runner.work_dir, name, by_epoch=False)
    with open(osp.join(runner.work_dir, 'last_checkpoint'), 'w') as file:
        file.write(path)
    return (f'saved the checkpoint of iteration {done}, {path}; continue '
            f'with --resume --work-dir {runner.work_dir}.')


def nothing_saved(runner: Runner) -> str:
    """Say that no checkpoint was saved, and what ``--resume`` would use."""
    last = find_latest_checkpoint(runner.work_dir)
    if last is None:
        return (f'no checkpoint was saved; `{runner.work_dir}` holds none, '
                'so the run starts again from the beginning.')
    return (f'no checkpoint was saved (stopped inside an iteration); the '
            f'last one is {last}: continue from it with --resume '
            f'--work-dir {runner.work_dir}.')


def train_and_close(runner: Runner) -> None:
    """Train, then close the process group of a distributed run.

    Ctrl-C (SIGINT) during an iteration-based training of one process
    stops at the end of the current iteration and saves its checkpoint
    (named in ``last_checkpoint``, so ``--resume`` continues from it); a
    second Ctrl-C stops at once, without one. Either way the tool ends with
    one line and exit status 130 (:func:`run_tool`). A distributed run
    stops at once (its processes could stop at different iterations).

    Args:
        runner (Runner): The runner built from the training config; in a
            distributed run its ``model`` is None afterwards
            (:func:`~mmseg_synaug.utils.dist.close_distributed`).
    """
    stopper = None
    iteration_based = 'max_iters' in (runner.cfg.get('train_cfg') or {})
    if iteration_based and not runner.distributed:
        stopper = _StopAtIterationEnd()
        runner.register_hook(stopper)
    previous = signal.getsignal(signal.SIGINT)

    def request_stop(signum, frame) -> None:
        stopper.requested = True
        signal.signal(signal.SIGINT, previous)
        print(
            '\nCtrl-C: stopping at the end of this iteration to save a '
            'checkpoint (Ctrl-C again stops at once, without one).',
            file=sys.stderr,
            flush=True)

    if stopper is not None and \
            threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, request_stop)
    try:
        runner.train()
    except _StopRequested:
        raise KeyboardInterrupt(save_interrupted(runner)) from None
    except KeyboardInterrupt:
        raise KeyboardInterrupt(nothing_saved(runner)) from None
    finally:
        if stopper is not None and \
                threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGINT, previous)
    close_distributed(runner)
