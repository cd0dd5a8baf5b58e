"""Measure training speed of configs on this machine, as ratios to the first.

Each config trains for ``--iters`` iterations through tools/train.py (no
validation loop, no checkpoint); the first ``--warmup`` iterations are dropped
and the time per iteration is the median of the logged ones (robust on a
shared machine). With ``--repeats N`` the configs run N times in turn
(A, B, A, B, ...) and the median over all their runs is reported. The
table gives s/iter, images/s of the real batch and the ratio of s/iter to
the first config (the reference), with the device and the command. With
``--write``, it goes into a markdown file between ``<!-- SECTION -->``
markers.

    python tools/analysis_tools/benchmark_train.py \
        configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py \
        configs/unet/unet-s5-d16_fcn_1xb8-1k_camvid-256x256.py \
        --write BENCHMARKS.md

    # Overhead of feature synthesis against plain fine-tuning:
    DIR=configs/feature_synthesis
    python tools/analysis_tools/benchmark_train.py \
        $DIR/pspnet-finetune_r18_1xb8-1k_camvid-256x256.py \
        $DIR/pspnet-featsyn_r18_1xb8-1k_camvid-256x256.py \
        --iters 14 --warmup 4 --repeats 2 --cfg-options load_from=PSPNET.pth \
        --cfg-options-for pspnet-featsyn_r18_1xb8-1k_camvid-256x256 \
        model.synthesizer.generator_checkpoint=FEATGAN.pth

``--cfg-options`` apply to every run, ``--cfg-options-for`` (repeatable)
to the runs of one config, named by its file name without ``.py``;
``--amp`` trains with mixed precision (tools/train.py ``--amp``).
"""
import argparse
from typing import Dict, List, Optional

from mmseg_synaug.benchmark import (add_config_options, check_options_for,
                                    check_run_options, config_name,
                                    measure_speed, options_for, shown_path,
                                    speed_row, speed_table)
from mmseg_synaug.utils import DataError, run_tool
from mmseg_synaug.utils.report import write_section


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Benchmark training speed')
    parser.add_argument('configs', nargs='+', help='config files')
    parser.add_argument('--iters', type=int, default=20)
    parser.add_argument('--warmup', type=int, default=5)
    parser.add_argument('--repeats', type=int, default=1)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--amp', action='store_true', help='mixed precision training')
    add_config_options(parser)
    parser.add_argument(
        '--write', help='markdown file to put the table into (BENCHMARKS.md)')
    parser.add_argument(
        '--section',
        default='train-throughput',
        help='marker name in that file')
    args = parser.parse_args(argv)
    if args.warmup >= args.iters:
        parser.error(f'--warmup ({args.warmup}) must be below --iters '
                     f'({args.iters}): nothing would be measured.')
    try:
        check_options_for(args.configs, args.cfg_options_for)
    except DataError as error:
        parser.error(str(error))
    return args


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    check_run_options(args.configs, args.cfg_options, args.cfg_options_for)
    times: Dict[str, List[float]] = {c: [] for c in args.configs}
    for _ in range(args.repeats):
        for config in args.configs:
            times[config] += measure_speed(
                config,
                args.iters,
                args.warmup,
                seed=args.seed,
                amp=args.amp,
                cfg_options=[
                    *args.cfg_options,
                    *options_for(config_name(config), args.cfg_options_for)
                ])
    rows = [speed_row(c, times[c], args.repeats) for c in args.configs]
    for row in rows:
        print(f"{row['config']}: {row['s_per_iter']:.3f} s/iter at batch "
              f"{row['batch']}, ratio "
              f"{row['s_per_iter'] / rows[0]['s_per_iter']:.2f}")
    command = ('python tools/analysis_tools/benchmark_train.py ' +
               ' '.join(shown_path(c) for c in args.configs) +
               f' --iters {args.iters} --warmup {args.warmup}'
               f' --repeats {args.repeats} --seed {args.seed}' +
               (' --amp' if args.amp else '') +
               (' --cfg-options ' +
                ' '.join(args.cfg_options) if args.cfg_options else '') +
               ''.join(' --cfg-options-for ' + ' '.join(group)
                       for group in args.cfg_options_for) +
               (f' --write {args.write} --section {args.section}'
                if args.write else ''))
    marker = f'<!-- {args.section} -->'
    section = speed_table(rows, command, marker, args.seed, args.iters,
                          args.warmup, args.repeats)
    print(section)
    if args.write:
        write_section(args.write, section, marker)


if __name__ == '__main__':
    run_tool(main)
