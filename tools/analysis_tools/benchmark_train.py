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

``--concurrency N [N ...]`` measures one config trained by N processes at
once on this machine, for each N in turn (seeds SEED to SEED+N-1): the
s/iter of one run, the iterations per second of all together and the
speed-up over one alone, i.e. how many trainings to run side by side on
one GPU (the quick presets' ``parallel``)::

    python tools/analysis_tools/benchmark_train.py \
        configs/pspnet/pspnet_r18-d8_1xb16-2k_camvid-352x480.py \
        --iters 60 --warmup 10 --concurrency 1 2 4 6 --amp \
        --write BENCHMARKS.md --section gpu-concurrency

``--cfg-options`` apply to every run, ``--cfg-options-for`` (repeatable)
to the runs of one config, named by its file name without ``.py``;
``--amp`` trains with mixed precision (tools/train.py ``--amp``).
"""
import argparse
from typing import Dict, List, Optional

from mmseg_synaug.benchmark import (add_config_options, check_options_for,
                                    check_run_options, concurrency_rows,
                                    concurrency_table, config_name,
                                    measure_concurrent, measure_speed,
                                    options_for, shown_path, speed_row,
                                    speed_table)
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
    parser.add_argument(
        '--concurrency',
        type=int,
        nargs='+',
        metavar='N',
        help='train the one config by N processes at once, for each N; '
        'tabulate the throughput against N')
    add_config_options(parser)
    parser.add_argument(
        '--write', help='markdown file to put the table into (BENCHMARKS.md)')
    parser.add_argument(
        '--section',
        help='marker name in that file (default train-throughput, with '
        '--concurrency train-concurrency)')
    args = parser.parse_args(argv)
    if args.section is None:
        args.section = ('train-concurrency'
                        if args.concurrency else 'train-throughput')
    if args.concurrency:
        if len(args.configs) != 1:
            parser.error('--concurrency measures one config; got '
                         f'{len(args.configs)}.')
        if min(args.concurrency) < 1:
            parser.error('--concurrency counts must be >= 1, got '
                         f'{args.concurrency}.')
        if args.repeats != 1:
            parser.error('--repeats does not apply to --concurrency.')
    if args.warmup >= args.iters:
        parser.error(f'--warmup ({args.warmup}) must be below --iters '
                     f'({args.iters}): nothing would be measured.')
    try:
        check_options_for(args.configs, args.cfg_options_for)
    except DataError as error:
        parser.error(str(error))
    return args


def command_line(args: argparse.Namespace) -> str:
    """The command as the table prints it."""
    return ('python tools/analysis_tools/benchmark_train.py ' +
            ' '.join(shown_path(c) for c in args.configs) +
            f' --iters {args.iters} --warmup {args.warmup}' +
            (f' --repeats {args.repeats}' if not args.concurrency else
             ' --concurrency ' + ' '.join(map(str, args.concurrency))) +
            f' --seed {args.seed}' + (' --amp' if args.amp else '') +
            (' --cfg-options ' +
             ' '.join(args.cfg_options) if args.cfg_options else '') +
            ''.join(' --cfg-options-for ' + ' '.join(group)
                    for group in args.cfg_options_for) +
            (f' --write {args.write} --section {args.section}'
             if args.write else ''))


def concurrency(args: argparse.Namespace) -> str:
    """The --concurrency table: one config, N trainings at once."""
    config = args.configs[0]
    options = [
        *args.cfg_options,
        *options_for(config_name(config), args.cfg_options_for)
    ]
    times = {}
    for count in args.concurrency:
        times[count] = measure_concurrent(config, count, args.iters,
                                          args.warmup, args.seed, args.amp,
                                          options)
        print(
            f'{count} at once: '
            f'{concurrency_rows({count: times[count]})[0]["iters_per_s"]:.2f}'
            ' iterations/s in all',
            flush=True)
    return concurrency_table(config, concurrency_rows(times),
                             command_line(args), f'<!-- {args.section} -->',
                             args.iters, args.warmup)


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    check_run_options(args.configs, args.cfg_options, args.cfg_options_for)
    if args.concurrency:
        section = concurrency(args)
        print(section)
        if args.write:
            write_section(args.write, section, f'<!-- {args.section} -->')
        return
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
    command = command_line(args)
    marker = f'<!-- {args.section} -->'
    section = speed_table(rows, command, marker, args.seed, args.iters,
                          args.warmup, args.repeats)
    print(section)
    if args.write:
        write_section(args.write, section, marker)


if __name__ == '__main__':
    run_tool(main)
