"""Train configs with several seeds at equal iterations; tabulate val scores.

Each (config, seed) trains through tools/train.py for ``--iters``
iterations with one validation at the end (SegMetric on the config's val
set), in ``WORK_ROOT/<config name>/seed<seed>``. A run whose work dir holds
its final validation already is not repeated, so an interrupted comparison
resumes where it stopped. The table gives mean and spread over seeds of
mIoU, class accuracy (mAcc), pixel accuracy (aAcc), fwIoU, per-class IoU
and training time per iteration, the latter also as a ratio to the first
config, and the mean of every logged loss and training accuracy over the
last quarter of training. Each finished run writes ``summary.json`` into its
work dir (its scores, s/iter, and the device and torch version it trained
on), which the table reads back, so a table can combine runs of earlier
invocations or of another machine (copy their work dirs, or only the
``summary.json``, into the work root).

    python tools/analysis_tools/compare_configs.py CONFIG [CONFIG ...] \
        --iters 300 --seeds 0 1 --work-root work_dirs/compare \
        [--parallel N] [--device auto|cpu|cuda] \
        [--checkpoint-interval K] [--json results.json] \
        [--cfg-options KEY=VALUE ...] \
        [--cfg-options-for CONFIG_NAME KEY=VALUE ...] \
        [--extra-test NAME=DIR ...] [--curve] [--curve-plot PNG] \
        [--write BENCHMARKS.md --section segmentors]

``--parallel N`` trains N runs at once (on one GPU they share it, which is
faster than one after another while one run does not fill the GPU; with
several GPUs the runs take them in turn). A run interrupted after a
checkpoint (every ``--checkpoint-interval`` iterations, default only at the
end) resumes from it.

``--extra-test NAME=DIR`` (repeatable) scores every run's final
checkpoint also on another split in CamVid's layout (``DIR/NAME`` and
``DIR/NAMEannot``, e.g. CamVid's official test split; or
``NAME=IMAGES,LABELS``) through tools/test.py, and tabulates it beside val;
a finished run is scored on a new split without training again.

``--curve`` adds a table of every validation during training (the
config's ``train_cfg.val_interval``, or one passed in ``--cfg-options``):
mIoU and the rare classes against iterations and training minutes.
``--curve-plot PNG`` draws the same validations: each config's val mIoU
(and the mean IoU of the ``--rare`` classes) against iterations, the mean
over seeds with a band from the lowest to the highest seed.

``--cfg-options`` apply to every run, ``--cfg-options-for`` (repeatable)
only to the config whose file name (without ``.py``) is CONFIG_NAME, for
keys that exist in one config only (a hook's checkpoint, a wrapped
dataset's pipeline).
"""
import argparse
import json
import os.path as osp
from typing import List, Optional

import torch

from mmseg_synaug.benchmark import (Comparison, add_config_options,
                                    check_run_options, comparison_table,
                                    curve_series, curve_table,
                                    extra_test_table, machine,
                                    parse_extra_test, run_comparison,
                                    shown_path)
from mmseg_synaug.benchmark.compare import class_names
from mmseg_synaug.utils import run_tool
from mmseg_synaug.utils.report import write_section
from mmseg_synaug.visualization import plot_comparison_curves


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('configs', nargs='+')
    parser.add_argument('--iters', type=int, required=True)
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1])
    parser.add_argument('--work-root', default='work_dirs/compare')
    parser.add_argument(
        '--parallel',
        type=int,
        default=1,
        help='trainings at once (default 1)')
    parser.add_argument(
        '--device',
        choices=['auto', 'cpu', 'cuda'],
        default='auto',
        help='cpu hides the GPUs from the runs; cuda requires one '
        '(default auto: cuda where available)')
    parser.add_argument(
        '--checkpoint-interval',
        type=int,
        help='save a checkpoint every K iterations, so that an interrupted '
        'run resumes from it (default: only at the end)')
    parser.add_argument(
        '--json', help='also write every run\'s summary into this JSON')
    add_config_options(parser)
    parser.add_argument(
        '--rare',
        nargs='*',
        default=[],
        help='classes to show in a rare-class column (mean IoU)')
    parser.add_argument(
        '--extra-test',
        action='append',
        default=[],
        metavar='NAME=DIR',
        help='also score every final checkpoint on this split: DIR/NAME '
        'and DIR/NAMEannot (CamVid\'s layout), or NAME=IMAGES,LABELS '
        '(repeatable)')
    parser.add_argument(
        '--curve',
        action='store_true',
        help='also tabulate every validation during training against '
        'iterations and training minutes')
    parser.add_argument(
        '--curve-plot',
        metavar='PNG',
        help='draw each config\'s val mIoU (and rare-class mIoU) against '
        'iterations to this PNG (needs validation during training)')
    parser.add_argument('--write', help='markdown file to put the table in')
    parser.add_argument(
        '--section', default='compare', help='marker name in that file')
    args = parser.parse_args(argv)
    if args.parallel < 1:
        parser.error('--parallel must be >= 1')
    if args.curve_plot and not osp.isdir(
            osp.dirname(osp.abspath(args.curve_plot))):
        parser.error(f'--curve-plot {args.curve_plot}: its folder does not '
                     'exist; create it or give a path in an existing one')
    if args.device == 'cuda' and not torch.cuda.is_available():
        parser.error('--device cuda: torch sees no GPU here '
                     f'(torch {torch.__version__}); use --device cpu')
    if args.device == 'auto':
        args.device = 'cuda' if torch.cuda.is_available() else 'cpu'
    return args


def command_line(args: argparse.Namespace) -> str:
    """The command as printed beside the table (paths from the repo)."""
    return ('python tools/analysis_tools/compare_configs.py ' +
            ' '.join(shown_path(c) for c in args.configs) +
            f' --iters {args.iters} --seeds ' +
            ' '.join(map(str, args.seeds)) + f' --work-root {args.work_root}' +
            (f' --parallel {args.parallel}' if args.parallel > 1 else '') +
            (' --cfg-options ' +
             ' '.join(args.cfg_options) if args.cfg_options else '') +
            ''.join(' --cfg-options-for ' + ' '.join(group)
                    for group in args.cfg_options_for) +
            (' --rare ' + ' '.join(args.rare) if args.rare else '') +
            ''.join(f' --extra-test {spec}' for spec in args.extra_test) +
            (' --curve' if args.curve else '') +
            (f' --curve-plot {args.curve_plot}' if args.curve_plot else '') +
            (f' --write {args.write} --section {args.section}'
             if args.write else ''))


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    check_run_options(args.configs, args.cfg_options, args.cfg_options_for)
    results = run_comparison(
        Comparison(
            configs=args.configs,
            iters=args.iters,
            seeds=args.seeds,
            work_root=args.work_root,
            parallel=args.parallel,
            device=args.device,
            checkpoint_interval=args.checkpoint_interval,
            cfg_options=args.cfg_options,
            cfg_options_for=args.cfg_options_for,
            extra_tests=dict(map(parse_extra_test, args.extra_test))))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump(
                dict(iters=args.iters, seeds=args.seeds, results=results),
                f,
                indent=1)
    marker = f'<!-- {args.section} -->'
    machines = sorted({machine(r) for rs in results.values() for r in rs})
    tables = comparison_table(results, class_names(results), args.rare)
    extra = extra_test_table(results, args.rare)
    if extra:
        tables += '\n\n' + extra
    if args.curve:
        tables += '\n\n' + curve_table(results, args.rare)
    section = '\n'.join([
        marker, f'Measured on {"; ".join(machines)}; seeds '
        f'{", ".join(map(str, args.seeds))}; {args.iters} iterations each; '
        'scores on the val set, in percent (mean ± std over seeds):', '',
        '```',
        command_line(args), '```', '', tables, marker
    ])
    print(section)
    if args.write:
        write_section(args.write, section, marker)
    if args.curve_plot:
        left_out = plot_comparison_curves(
            {
                name: curve_series(records, args.rare)
                for name, records in results.items()
            }, args.curve_plot)
        print(f'curves drawn to {args.curve_plot}' +
              (f' (left out, no logged validation: {", ".join(left_out)})'
               if left_out else ''))


if __name__ == '__main__':
    run_tool(main)
