"""Staged GPU benchmark: does synthetic augmentation help PSPNet on CamVid?

Four stages, each one resumable command that fits 10 minutes on one
H200-class GPU with 16 CPU cores (several trainings share the GPU):

- ``a``: the baseline and copy-paste (Ghiasi et al.) PSPNet-R18-d8, seeds;
- ``b``: pix2pixHD (Wang et al., CVPR 2018), the recomposed synthetic sets
  of Liu et al. it renders (tools/synthesize.py), and their synthesis score;
- ``c``: PSPNet trained on real + 50% synthetic images of stage b, seeds;
- ``d``: the feature generator (He, Schiele and Fritz), its PSPNet-score,
  fine-tuning with and without feature synthesis, seeds.

Each stage writes what later stages need into its stage folder
``ROOT/stage_<x>`` (at most 60 MB: float16 checkpoints, JPEG synthetic
sets, results), reads its inputs from earlier stage folders, and writes its
table into ``ROOT/stage_<x>/results/section.md`` and BENCHMARKS.md. Work
dirs go to ``ROOT/work`` (not carried). A finished step or run is skipped,
an interrupted training resumes from its last checkpoint.

    python tools/analysis_tools/gpu_benchmark/staged_benchmark.py a \\
        [--root work_dirs/gpu_benchmark] [--data-root .gpu/camvid_jpg] \\
        [--seeds 0 1] [--parallel 4] [--tiny] [--config NAME=PATH]
    python .../staged_benchmark.py full [--budget SECONDS]  # a-d in order
    python .../staged_benchmark.py export a --to DIR   # parts to copy
    python .../staged_benchmark.py import DIR          # parts copied back

That command line is a thin wrapper of :func:`main`. See
docs/gpu_benchmark.md.
"""
import argparse
import glob
import json
import os
import os.path as osp
import shutil
import signal
import subprocess
import sys
import time
from typing import Dict, List, Optional, Tuple

from . import bundle
from .runs import REPO_ROOT

#: The command line of :func:`main`, as the tables print it.
CLI = 'tools/analysis_tools/gpu_benchmark/staged_benchmark.py'

# The tools each stage calls, relative to the repository.
TOOLS = dict(
    compare='tools/analysis_tools/compare_configs.py',
    train_generator='tools/train.py',
    train_feature_generator='tools/train.py',
    synthesize='tools/synthesize.py',
    filter='tools/filter_synthetic.py',
    synthesis_score='tools/analysis_tools/synthesis_score.py',
    feature_score='tools/analysis_tools/feature_score.py',
    half='tools/model_converters/half_checkpoint.py')
# The configs (--config NAME=PATH replaces one).
CONFIGS = dict(
    baseline='configs/pspnet/pspnet_r18-d8_1xb16-2k_camvid-352x480.py',
    copypaste='configs/synaug/'
    'pspnet-copypaste-multi_r18-d8_1xb16-2k_camvid-352x480.py',
    multi='configs/synaug/'
    'pspnet-synaug-multi-r05_r18-d8_1xb16-2k_camvid-352x480.py',
    multi_filtered='configs/synaug/'
    'pspnet-synaug-multi-filtered-r05_r18-d8_1xb16-2k_camvid-352x480.py',
    reconstruct='configs/synaug/'
    'pspnet-synaug-reconstruct-r05_r18-d8_1xb16-2k_camvid-352x480.py',
    pix2pixhd='configs/pix2pixhd/'
    'pix2pixhd_w64-d4-r9_1xb4-3k_camvid-352x480.py',
    featgan='configs/feature_synthesis/'
    'featgan-s3_pspnet-r18-d8_1xb16-2k_camvid-256x256.py',
    finetune='configs/feature_synthesis/'
    'pspnet-finetune_r18-d8_1xb16-1k_camvid-352x480.py',
    featsyn='configs/feature_synthesis/'
    'pspnet-featsyn_r18-d8_1xb16-1k_camvid-352x480.py')
# --tiny trains the CPU pix2pixHD (the tools that load the generator read
# its config file, so it cannot be shrunk by --cfg-options alone).
TINY_CONFIGS = dict(pix2pixhd='configs/pix2pixhd/'
                    'pix2pixhd_w16-d3-r3_1xb2-2k_camvid-128x128.py')
# More arguments of the generators' training tools on a GPU (e.g. --amp).
TRAIN_ARGS = dict(pix2pixhd=[], featgan=[])
# Config keys the stages set.
KEYS = dict(
    featgan_segmentor='model.data_preprocessor.checkpoint',
    featsyn_generator='model.synthesizer.generator_checkpoint',
    synthetic_root='train_dataloader.dataset.synthetic.data_root')
# The segmentor configs each stage trains (its stage folder keeps their runs).
STAGE_CONFIGS = dict(
    a=['baseline', 'copypaste'],
    b=[],
    c=['multi', 'reconstruct'],
    d=['finetune', 'featsyn'])
RARE = ['Pole', 'SignSymbol', 'Fence', 'Pedestrian', 'Bicyclist']
# Sizes on a GPU and at --tiny (a CPU test of every stage).
SCALES = dict(
    gpu=dict(
        iters=2000,
        finetune_iters=1000,
        gen_iters=None,
        featgan_iters=None,
        num_synthetic=184,
        parallel=4,
        shards=4,
        score_num=None),
    tiny=dict(
        iters=2,
        finetune_iters=1,
        gen_iters=2,
        featgan_iters=2,
        num_synthetic=3,
        parallel=2,
        # Two shards: the sharded path (Stage.calls) runs on the CPU too.
        shards=2,
        score_num=2))
_LOADERS = [
    'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False'
]
# mmengine's AmpOptimWrapper trains on GPUs only: plain SGD on the CPU.
_NO_AMP = [
    'optim_wrapper._delete_=True', 'optim_wrapper.type=OptimWrapper',
    'optim_wrapper.optimizer.type=SGD', 'optim_wrapper.optimizer.lr=0.01',
    'optim_wrapper.optimizer.momentum=0.9'
]
_SEG = _LOADERS + _NO_AMP + [
    'train_dataloader.batch_size=2', 'val_dataloader.num_workers=0',
    'val_dataloader.persistent_workers=False',
    'val_dataloader.dataset.indices=2',
    'val_dataloader.dataset.pipeline.1.scale=(240,180)',
    'model.data_preprocessor.size=(64,64)'
]
_PLAIN_CROP = ['train_dataloader.dataset.pipeline.3.crop_size=(64,64)']
_MIX_CROP = [
    f'train_dataloader.dataset.{part}.pipeline.3.crop_size=(64,64)'
    for part in ('real', 'synthetic')
]
# --tiny settings per config: small batches and crops, no loader workers.
TINY = dict(
    baseline=_SEG + _PLAIN_CROP,
    copypaste=_SEG + _MIX_CROP,
    multi=_SEG + _MIX_CROP,
    multi_filtered=_SEG + _MIX_CROP,
    reconstruct=_SEG + _MIX_CROP,
    # Feature synthesis needs more than one real sample in the batch.
    finetune=_SEG + _PLAIN_CROP + ['train_dataloader.batch_size=4'],
    featsyn=_SEG + _PLAIN_CROP + ['train_dataloader.batch_size=4'],
    pix2pixhd=_LOADERS + [
        'default_hooks.logger.interval=1', 'train_dataloader.batch_size=1',
        'train_dataloader.dataset.pipeline.2.crop_size=(64,64)',
        'model.data_preprocessor.size=(64,64)'
    ],
    featgan=_LOADERS + [
        'train_dataloader.batch_size=2', 'score_dataloader.batch_size=2',
        'score_dataloader.num_workers=0'
    ])


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'stage',
        choices=[
            'full', 'a', 'b', 'c', 'd', 'image', 'feature', 'export', 'import'
        ],
        help='full: every stage in order, resumable, within --budget '
        '(mmseg_synaug/benchmark/full.py); a stage; a quick preset, one '
        'self-contained call on a GPU (image, feature: '
        'mmseg_synaug/benchmark/presets.py); or export or import a stage '
        'or preset folder')
    parser.add_argument(
        'what',
        nargs='?',
        help='export: the stage or preset; import: the parts folder')
    parser.add_argument('--to', help='export: folder for the parts')
    parser.add_argument('--root', default='work_dirs/gpu_benchmark')
    parser.add_argument(
        '--data-root',
        help='CamVid root, e.g. the kit\'s camvid_jpg '
        '(default: the documented look-up)')
    # Two seeds fit one 10-minute call (docs/gpu_benchmark.md); a later
    # `--seeds 0 1 2` trains only the third. The full benchmark: 0 1 2.
    parser.add_argument(
        '--seeds',
        type=int,
        nargs='+',
        help='default 0 1 (a stage or preset), 0 1 2 (full)')
    parser.add_argument(
        '--budget',
        type=float,
        help='full: stop cleanly after SECONDS (a progress table of the '
        'finished runs); the same command continues')
    parser.add_argument(
        '--parallel', type=int, help='trainings at once (default 4, --tiny 2)')
    parser.add_argument(
        '--num-synthetic',
        type=int,
        help='samples per synthetic set (default 184)')
    parser.add_argument(
        '--modes',
        nargs='+',
        default=['multi', 'reconstruct'],
        choices=['multi', 'reconstruct'],
        help='recompositions of stages b and c')
    parser.add_argument(
        '--tiny',
        action='store_true',
        help='a few iterations, small crops, on the CPU')
    parser.add_argument(
        '--config',
        action='append',
        default=[],
        metavar='NAME=PATH',
        help='replace a config of '
        f'CONFIGS ({", ".join(CONFIGS)})')
    parser.add_argument(
        '--write',
        default='BENCHMARKS.md',
        help='markdown file for the tables ("" for none)')
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    if args.seeds is None:
        from .full import FULL_SEEDS
        args.seeds = list(FULL_SEEDS) if args.stage == 'full' else [0, 1]
    if args.budget is not None and (args.stage != 'full'
                                    or not args.budget > 0):
        parser.error('--budget SECONDS (> 0) is an option of `full`')
    args.configs = dict(CONFIGS, **(TINY_CONFIGS if args.tiny else {}))
    for item in args.config:
        name, _, path = item.partition('=')
        if name not in CONFIGS or not path:
            parser.error(f'--config {item}: give NAME=PATH with NAME one '
                         f'of {", ".join(CONFIGS)}')
        args.configs[name] = path
    from .presets import PRESETS, QUICK_SCALES
    preset = args.stage in PRESETS or args.what in PRESETS
    scales = QUICK_SCALES if preset else SCALES
    args.scale = dict(scales['tiny' if args.tiny else 'gpu'])
    if args.parallel:
        args.scale['parallel'] = args.parallel
    if args.num_synthetic:
        args.scale['num_synthetic'] = args.num_synthetic
    return args


class Stage:
    """Paths, environment and the subprocess runner of one stage."""

    def __init__(self,
                 args: argparse.Namespace,
                 name: str,
                 kind: str = 'stage') -> None:
        self.args = args
        self.name = name
        # 'stage' (a-d) or 'preset' (the quick presets); names the folder,
        # the log lines and the section's marker.
        self.kind = kind
        self.root = osp.abspath(args.root)
        self.bundle = osp.join(self.root, f'{kind}_{name}')
        self.results = osp.join(self.bundle, 'results')
        self.work = osp.join(self.root, 'work')
        os.makedirs(self.results, exist_ok=True)
        self.env = dict(os.environ, PYTHONUNBUFFERED='1')
        self.env['PYTHONPATH'] = os.pathsep.join(
            [REPO_ROOT] + [p for p in [os.environ.get('PYTHONPATH')] if p])
        if args.tiny:
            self.env['CUDA_VISIBLE_DEVICES'] = ''
        if args.data_root:
            self.env['SYNAUG_DATA_ROOT'] = bundle.prepare_camvid(
                args.data_root, osp.join(self.work, 'data'))
        # Runs finished on another machine (copied back with the stage
        # folder) are not trained again.
        restore_runs(
            osp.join(self.results, 'runs'), osp.join(self.work, 'segmentors'))
        timings = osp.join(self.results, 'timings.json')
        self.timings = json.load(open(timings)) if osp.isfile(timings) \
            else {}

    def config(self, name: str) -> str:
        path = osp.join(REPO_ROOT, self.args.configs[name])
        if not osp.isfile(path):
            raise SystemExit(
                f'The {name} config `{self.args.configs[name]}` does not '
                f'exist: set CONFIGS[{name!r}] at the top of '
                f'{osp.relpath(__file__, REPO_ROOT)} or pass '
                f'--config {name}=PATH.')
        return path

    def tool(self, name: str) -> str:
        path = osp.join(REPO_ROOT, TOOLS[name])
        if not osp.isfile(path):
            raise SystemExit(
                f'The tool `{TOOLS[name]}` ({name}) is not in this tree: '
                f'set TOOLS[{name!r}] at the top of '
                f'{osp.relpath(__file__, REPO_ROOT)}.')
        return path

    def tiny(self, name: str) -> List[str]:
        return list(TINY[name]) if self.args.tiny else []

    def call(self, step: str, command: List[str], log: str) -> None:
        """Run one command, its output into ``log``; time it."""
        print(f'[{self.kind} {self.name}] {step}', flush=True)
        self.check_budget(step)
        os.makedirs(osp.dirname(log), exist_ok=True)
        start = time.perf_counter()
        with open(log, 'a') as f:
            code, = self.wait(step, [self.start(command, f)])
        if code != 0:
            tail = open(log).read()[-4000:]
            raise SystemExit(f'[{self.kind} {self.name}] {step} failed (exit '
                             f'{code}); {log} ends:\n{tail}')
        self.record(step, time.perf_counter() - start)

    def check_budget(self, step: str) -> None:
        """Raise :class:`~.full.BudgetReached` where the ``--budget`` of
        the full benchmark is spent before ``step`` starts."""
        from .full import BudgetReached, remaining
        left = remaining(self.args)
        if left is not None and left <= 0:
            raise BudgetReached(f'stage {self.name}, before "{step}"')

    def start(self, command: List[str], out) -> subprocess.Popen:
        """Start a tool in its own process group (stopped as a whole when
        a ``--budget`` runs out, :meth:`wait`)."""
        return subprocess.Popen(
            [sys.executable] + command,
            cwd=REPO_ROOT,
            env=self.env,
            stdout=out,
            stderr=out,
            start_new_session=True)

    def wait(self, step: str, processes: List[subprocess.Popen]) -> List[int]:
        """Exit codes of ``processes``; stops them all (and raises
        :class:`~.full.BudgetReached`) when the budget runs out, and on
        Ctrl-C or SIGTERM (``timeout`` in run_stage.sh: the steps run in
        their own process groups, which its signal does not reach)."""
        from .full import remaining, stop_groups
        try:
            for process in processes:
                left = remaining(self.args)
                process.wait(timeout=None if left is None else max(left, 0.01))
        except subprocess.TimeoutExpired:
            stop_groups(processes)
            from .full import BudgetReached
            raise BudgetReached(f'stage {self.name}, step "{step}"')
        except (KeyboardInterrupt, SystemExit):
            stop_groups(processes)
            raise
        return [process.returncode for process in processes]

    def record(self, step: str, seconds: float) -> None:
        """Add a step's wall time (over every try) to timings.json."""
        self.timings[step] = round(self.timings.get(step, 0) + seconds, 1)
        with open(osp.join(self.results, 'timings.json'), 'w') as f:
            json.dump(self.timings, f, indent=1)

    def calls(self, step: str, commands: List[List[str]], log: str) -> None:
        """Run commands at once (shards), each into its own log."""
        if len(commands) == 1:
            return self.call(step, commands[0], log)
        print(
            f'[{self.kind} {self.name}] {step} ({len(commands)} at once)',
            flush=True)
        self.check_budget(step)
        os.makedirs(osp.dirname(log), exist_ok=True)
        start = time.perf_counter()
        paths = [f'{log}.{i}' for i in range(len(commands))]
        files = [open(path, 'a') for path in paths]
        try:
            codes = self.wait(step, [
                self.start(command, f) for command, f in zip(commands, files)
            ])
        finally:
            for f in files:
                f.close()
        for code, path in zip(codes, paths):
            if code != 0:
                raise SystemExit(
                    f'[{self.kind} {self.name}] {step} failed; {path} '
                    f'ends:\n{open(path).read()[-4000:]}')
        self.record(step, time.perf_counter() - start)

    def compare(self,
                names: List[str],
                iters: int,
                common: List[str] = (),
                per_config: Dict = None,
                checkpoint_interval: Optional[int] = None,
                tag: str = 'compare') -> str:
        """compare_configs.py over ``names`` x seeds; return its table.

        Its json and table go to ``results/<tag>.json`` and ``.md``; runs
        save a checkpoint every ``checkpoint_interval`` iterations (default
        a quarter of ``iters``: an interrupted run resumes).
        """
        per_config = per_config or {}
        configs = [self.config(n) for n in names]
        interval = checkpoint_interval or max(1, iters // 4)
        command = [
            self.tool('compare'), *configs, '--iters',
            str(iters), '--seeds', *map(str, self.args.seeds), '--work-root',
            osp.join(self.work, 'segmentors'), '--parallel',
            str(self.args.scale['parallel']), '--rare', *RARE, '--json',
            osp.join(self.results, f'{tag}.json'), '--write',
            osp.join(self.results, f'{tag}.md'), '--section', 'compare',
            '--checkpoint-interval',
            str(interval)
        ]
        if self.args.tiny:
            command += ['--device', 'cpu']
        if common:
            command += ['--cfg-options', *common]
        for name, config in zip(names, configs):
            options = self.tiny(name) + list(per_config.get(name, []))
            if options:
                command += [
                    '--cfg-options-for',
                    osp.splitext(osp.basename(config))[0], *options
                ]
        self.call('segmentors', command,
                  osp.join(self.work, 'logs', f'{self.kind}_{self.name}.log'))
        collect_runs(
            osp.join(self.work, 'segmentors'), configs,
            osp.join(self.results, 'runs'))
        text = open(osp.join(self.results, f'{tag}.md')).read()
        return text.split('<!-- compare -->')[1].strip()

    def best_run(self,
                 name: str,
                 iters: int,
                 tag: str = 'compare') -> Tuple[dict, str]:
        """The seed of config ``name`` with the highest val mIoU in
        ``results/<tag>.json``, and its final checkpoint."""
        config = osp.splitext(osp.basename(self.args.configs[name]))[0]
        runs = json.load(open(osp.join(self.results, f'{tag}.json')))
        best = max(runs['results'][config], key=lambda r: r['mIoU'])
        return best, osp.join(self.work, 'segmentors', config,
                              f'seed{best["seed"]}', f'iter_{iters}.pth')

    def half(self, source: str, name: str, *drop: str) -> str:
        """``artifacts/<name>.pth``: ``source`` as a float16 state dict,
        the keys under the prefixes ``drop`` left out; kept if there."""
        checkpoint = osp.join(self.bundle, 'artifacts', f'{name}.pth')
        if not osp.isfile(checkpoint):
            command = [self.tool('half'), source, checkpoint]
            for prefix in drop:
                command += ['--drop', prefix]
            self.call(f'float16 {name}', command,
                      osp.join(self.work, 'logs', 'half.log'))
        return checkpoint

    def write(self, title: str, body: List[str]) -> None:
        """The stage's section: into the stage folder and BENCHMARKS.md."""
        marker = f'<!-- gpu-{self.kind}-{self.name} -->'
        times = ', '.join(f'{k} {v:.0f} s' for k, v in self.timings.items())
        command = ' '.join([CLI] + self.args.argv)
        text = '\n'.join([
            marker, f'#### {self.kind.capitalize()} {self.name}: {title}', '',
            '```', command, '```', '',
            f'Wall time per step (over every try): {times}.', '', *body, marker
        ])
        with open(osp.join(self.results, 'section.md'), 'w') as f:
            f.write(text + '\n')
        size = bundle.check_size(self.bundle)
        print(text)
        print(
            f'[{self.kind} {self.name}] done; {self.bundle} holds '
            f'{size / 1e6:.1f} MB',
            flush=True)
        write_benchmarks(self.args.write, text, marker)


def write_benchmarks(path: str, text: str, marker: str) -> None:
    if path:
        from ..utils.report import write_section
        write_section(osp.join(REPO_ROOT, path), text, marker)


def collect_runs(work_root: str, configs: List[str], dst: str) -> None:
    """Copy each finished run's summary.json and logs into the stage folder
    (``runs/<config>/seed<k>/``), the layout compare_configs reads back."""
    for config in configs:
        name = osp.splitext(osp.basename(config))[0]
        for summary in sorted(
                glob.glob(osp.join(work_root, name, 'seed*', 'summary.json'))):
            run_dir = osp.dirname(summary)
            out = osp.join(dst, name, osp.basename(run_dir))
            os.makedirs(out, exist_ok=True)
            shutil.copy2(summary, out)
            for scalars in glob.glob(
                    osp.join(run_dir, '*', 'vis_data', 'scalars.json')):
                rel = osp.relpath(scalars, run_dir)
                os.makedirs(osp.join(out, osp.dirname(rel)), exist_ok=True)
                shutil.copy2(scalars, osp.join(out, rel))


def restore_runs(src: str, work_root: str) -> List[str]:
    """Copy the runs of an earlier stage folder into the work root, so that
    compare_configs reuses them; return the config names restored."""
    if not osp.isdir(src):
        return []
    shutil.copytree(src, work_root, dirs_exist_ok=True)
    return sorted(os.listdir(src))


def train_once(stage: Stage, step: str, tool: str, name: str, work_dir: str,
               options: List[str]) -> str:
    """Train a generator unless done; return its final checkpoint.

    ``done.json`` marks a finished training; an interrupted one resumes
    from its ``last_checkpoint``.
    """
    done = osp.join(work_dir, 'done.json')
    if osp.isfile(done):
        return json.load(open(done))['checkpoint']
    command = [stage.tool(tool), stage.config(name), '--work-dir', work_dir]
    if not stage.args.tiny:
        command += TRAIN_ARGS[name]
    if osp.isfile(osp.join(work_dir, 'last_checkpoint')):
        command.append('--resume')
    stage.call(step,
               command + ['--cfg-options', 'randomness.seed=0', *options],
               osp.join(work_dir, 'stage.log'))
    checkpoint = open(osp.join(work_dir, 'last_checkpoint')).read().strip()
    with open(done, 'w') as f:
        json.dump(dict(checkpoint=checkpoint), f)
    return checkpoint


def mean_speed(work_dir: str) -> str:
    """``N iterations, X s/iter`` from a training's logged scalars."""
    if not glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')):
        return 'no iteration logged'
    from mmseg_synaug.visualization import load_scalars
    train, _ = load_scalars(work_dir)
    if not train:
        return 'no iteration logged'
    seconds = sum(r['time'] for r in train) / len(train)
    return (f'{train[-1]["iter"]} iterations, {seconds:.3f} s/iter '
            '(logged mean)')


def iteration_options(iters: Optional[int]) -> List[str]:
    if iters is None:
        return []
    return [
        f'train_cfg.max_iters={iters}',
        f'default_hooks.checkpoint.interval={iters}'
    ]


def synthesize(stage: Stage,
               mode: str,
               out: str,
               generator: Optional[List[str]] = None) -> None:
    """tools/synthesize.py in shards at once; skipped when complete."""
    num = stage.args.scale['num_synthetic']
    manifest = osp.join(out, 'manifest.jsonl')
    if osp.isfile(manifest) and len(open(manifest).readlines()) >= num:
        return
    shards = stage.args.scale['shards']
    command = [
        stage.tool('synthesize'), *(generator or ['none', 'none']),
        stage.config('baseline'), '--mode', mode, '--num',
        str(num), '--seed', '0', '--out', out, '--num-shards',
        str(shards)
    ]
    if generator is None:
        command.append('--copy-paste')
    if stage.args.tiny:
        command += ['--device', 'cpu']
    name = osp.basename(out)
    stage.calls(f'synthesize {name}',
                [command + ['--shard', str(i)] for i in range(shards)],
                osp.join(stage.work, 'logs', f'synthesize_{name}.log'))


def scores_table(scores: Dict[str, Dict]) -> List[str]:
    """Rows of mIoU, mAcc, aAcc and the rare classes' IoU per entry.

    Each entry with an ``mIoU`` is a row; a class's IoU is read from
    ``IoU.<class>`` or ``IoU[<class>]``; a missing value is ``-``.
    """
    keys = ['mIoU', 'mAcc', 'aAcc'] + RARE

    def value(values: Dict, key: str) -> Optional[float]:
        if key in RARE:
            per_class = values.get('IoU')
            return values.get(
                f'IoU.{key}',
                per_class.get(key) if isinstance(per_class, dict) else None)
        return values.get(key)

    lines = [
        '| images | ' + ' | '.join(keys) + ' |', '|' + '---|' * (len(keys) + 1)
    ]
    for name, values in scores.items():
        if isinstance(values, dict) and 'mIoU' in values:
            cells = [value(values, k) for k in keys]
            lines.append(f'| {name} | ' +
                         ' | '.join('-' if v is None else f'{v:.2f}'
                                    for v in cells) + ' |')
    return lines if len(lines) > 2 else [
        '```', json.dumps(scores, indent=1), '```'
    ]


def stage_a(args: argparse.Namespace) -> None:
    """Baseline and copy-paste, seeds; the best baseline in float16."""
    stage = Stage(args, 'a')
    copypaste = osp.join(stage.work, 'synthetic', 'camvid_multi_copypaste')
    iters = args.scale['iters']
    if not runs_done(stage, 'copypaste', iters):
        synthesize(stage, 'multi', copypaste)
    table = stage.compare(
        ['baseline', 'copypaste'],
        iters,
        per_config=dict(copypaste=[f'{KEYS["synthetic_root"]}={copypaste}']))
    best, source = stage.best_run('baseline', iters)
    best_json = osp.join(stage.bundle, 'artifacts', 'best.json')
    checkpoint = stage.half(source, 'pspnet_baseline')
    if not osp.isfile(best_json):
        with open(best_json, 'w') as f:
            json.dump(
                dict(
                    config=args.configs['baseline'],
                    seed=best['seed'],
                    mIoU=best['mIoU'],
                    iters=iters),
                f,
                indent=1)
    stage.write('baseline and copy-paste', [
        f'{args.scale["num_synthetic"]} copy-paste samples (`multi` '
        'recomposition, real pixels pasted), half of each epoch. The best '
        f'baseline seed ({best["seed"]}, {best["mIoU"]:.2f} mIoU) goes on '
        'to stages b and d as `stage_a/artifacts/pspnet_baseline.pth` '
        f'(float16, {osp.getsize(checkpoint) / 1e6:.1f} MB).', '', table
    ])


def stage_b(args: argparse.Namespace) -> None:
    """pix2pixHD, its recomposed synthetic sets, their synthesis score."""
    stage = Stage(args, 'b')
    segmentor = baseline_checkpoint(stage)
    gen_config = stage.config('pix2pixhd')
    gen_work = osp.join(stage.work, 'pix2pixhd')
    generator = train_once(
        stage, 'pix2pixHD', 'train_generator', 'pix2pixhd', gen_work,
        iteration_options(args.scale['gen_iters']) + stage.tiny('pix2pixhd'))
    num = args.scale['num_synthetic']
    for mode in args.modes:
        out = osp.join(stage.work, 'synthetic', f'camvid_{mode}')
        synthesize(stage, mode, out, [gen_config, generator])
        bundle.pack_synthetic(out, osp.join(stage.bundle, 'synthetic', mode),
                              os.cpu_count() or 1)
    bundle.check_size(stage.bundle)
    score = osp.join(stage.results, 'synthesis_score.json')
    if not osp.isfile(score):
        command = [
            stage.tool('synthesis_score'), gen_config, generator,
            stage.config('baseline'), segmentor, '--out', score
        ]
        if args.scale['score_num']:
            command += ['--num', str(args.scale['score_num'])]
        command += ['--device', 'cpu' if args.tiny else 'cuda']
        stage.call('synthesis score', command,
                   osp.join(stage.work, 'logs', 'synthesis_score.log'))
    stage.write('pix2pixHD, synthetic sets, synthesis score', [
        f'`{args.configs["pix2pixhd"]}`: {mean_speed(gen_work)}. {num} '
        'samples per set '
        f'({", ".join(args.modes)} recomposition) in '
        '`stage_b/synthetic/<mode>` (JPEG quality '
        f'{bundle.JPEG_QUALITY}, '
        f'{bundle.folder_bytes(osp.join(stage.bundle, "synthetic")) / 1e6:.1f}'
        ' MB).', '',
        'Synthesis score: the best stage-a baseline segments images '
        'generated from the val label maps (synthetic) and the real val '
        'images (real), scored against the label maps (percent):', '',
        *scores_table(json.load(open(score)))
    ])


def stage_c(args: argparse.Namespace) -> None:
    """PSPNet on real + 50% synthetic images of stage b, seeds."""
    stage = Stage(args, 'c')
    restored = restore_runs(
        osp.join(stage.root, 'stage_a', 'results', 'runs'),
        osp.join(stage.work, 'segmentors'))
    names, options = [], {}
    for name in ('baseline', 'copypaste'):
        if osp.splitext(osp.basename(args.configs[name]))[0] in restored:
            names.append(name)  # stage a's runs, not trained again
    for mode in args.modes:
        out = osp.join(stage.work, 'synthetic', f'camvid_{mode}')
        bundle.unpack_synthetic(
            osp.join(stage.root, 'stage_b', 'synthetic', mode), out,
            os.cpu_count() or 1)
        names.append(mode)
        options[mode] = [f'{KEYS["synthetic_root"]}={out}']
    copypaste = osp.join(stage.work, 'synthetic', 'camvid_multi_copypaste')
    options['copypaste'] = [f'{KEYS["synthetic_root"]}={copypaste}']
    table = stage.compare(names, args.scale['iters'], per_config=options)
    stage.write('image-level synthetic augmentation', [
        'Real CamVid train mixed with the synthetic sets of stage b, half '
        'of each epoch synthetic; baseline and copy-paste rows are stage '
        'a\'s runs (their device is listed).', '', table
    ])


def stage_d(args: argparse.Namespace) -> None:
    """Feature generator, PSPNet-score, fine-tuning with and without it."""
    stage = Stage(args, 'd')
    segmentor = baseline_checkpoint(stage)
    featgan_config = stage.config('featgan')
    featgan = train_once(
        stage, 'feature generator', 'train_feature_generator', 'featgan',
        osp.join(stage.work,
                 'featgan'), [f'{KEYS["featgan_segmentor"]}={segmentor}'] +
        iteration_options(args.scale['featgan_iters']) + stage.tiny('featgan'))
    score = osp.join(stage.results, 'feature_score.json')
    if not osp.isfile(score):
        command = [
            stage.tool('feature_score'), featgan_config, featgan, '--out',
            score
        ]
        if args.tiny:
            command += ['--num-batches', '1']
        command += [
            '--cfg-options', f'{KEYS["featgan_segmentor"]}={segmentor}',
            *stage.tiny('featgan')
        ]
        stage.call('PSPNet-score', command,
                   osp.join(stage.work, 'logs', 'feature_score.log'))
    table = stage.compare(
        ['finetune', 'featsyn'],
        args.scale['finetune_iters'],
        common=[f'load_from={segmentor}'],
        per_config=dict(featsyn=[f'{KEYS["featsyn_generator"]}={featgan}']))
    stage.write('feature-level synthetic augmentation', [
        'PSPNet-score: the frozen layers after the stage segment real and '
        'synthetic features of val patches (percent):', '',
        *scores_table(json.load(open(score))), '',
        'Fine-tuning the best stage-a baseline with and without feature '
        'synthesis (time ratio: the hook\'s cost per iteration):', '', table
    ])


def runs_done(stage: Stage, name: str, iters: int) -> bool:
    """Whether every seed of a config has finished ``iters`` iterations."""
    config = osp.splitext(osp.basename(stage.args.configs[name]))[0]
    for seed in stage.args.seeds:
        path = osp.join(stage.work, 'segmentors', config, f'seed{seed}',
                        'summary.json')
        if not osp.isfile(path) or json.load(open(path))['iters'] != iters:
            return False
    return True


def baseline_checkpoint(stage: Stage) -> str:
    path = osp.join(stage.root, 'stage_a', 'artifacts', 'pspnet_baseline.pth')
    if not osp.isfile(path):
        raise SystemExit(
            f'No baseline checkpoint `{path}`: run stage a first, or copy '
            'its stage folder here (staged_benchmark.py import).')
    return path


def main(argv: Optional[List[str]] = None) -> None:
    """Run a stage or preset, or export or import their folders (see the
    module and :mod:`.presets`)."""
    from .presets import PRESET_CONFIGS, PRESETS
    args = parse_args(argv)
    # SIGTERM (e.g. from `timeout`) exits through Stage.wait, which stops
    # the running step's process groups first.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    if args.stage == 'export':
        configs = dict(STAGE_CONFIGS, **PRESET_CONFIGS)
        if args.what not in configs or not args.to:
            raise SystemExit('usage: staged_benchmark.py export '
                             f'{"|".join(configs)} --to DIR')
        folder = osp.join(
            args.root,
            f'{"preset" if args.what in PRESETS else "stage"}_{args.what}')
        # Runs finished before a stage was stopped travel too.
        collect_runs(
            osp.join(args.root, 'work', 'segmentors'),
            [args.configs[n] for n in configs[args.what]],
            osp.join(folder, 'results', 'runs'))
        if not osp.isdir(folder):
            # Stopped before the stage began (e.g. run_stage.sh's budget
            # spent on the imports): nothing to carry, nothing lost.
            print(f'nothing to export: `{folder}` does not exist (the '
                  f'{args.what} has not started in this root)')
            return
        parts = bundle.export_bundle(folder, args.to)
        print('\n'.join(parts))
    elif args.stage == 'import':
        if not args.what:
            raise SystemExit('usage: staged_benchmark.py import PARTS_DIR')
        for name in bundle.import_bundles(args.what, args.root):
            section = osp.join(args.root, name, 'results', 'section.md')
            print(f'imported {name}')
            if osp.isfile(section):
                write_benchmarks(args.write,
                                 open(section).read().strip(),
                                 f'<!-- gpu-{name.replace("_", "-")} -->')
    elif args.stage == 'full':
        from .full import full
        full(args)
    else:
        dict(
            a=stage_a, b=stage_b, c=stage_c, d=stage_d, **PRESETS)[args.stage](
                args)
