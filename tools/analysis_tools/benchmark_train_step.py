"""Time ``train_step`` of configs in turn on the same batches: cost ratios.

Whole training runs one after another (``benchmark_train.py``) see
different loads on a shared machine. Here the models of all configs are
built in one process and take turns on each batch (A, B, A, B, ...), so a
change of load hits them alike: the ratio of each config to the first is
the median over batches of ``time(config) / time(first)``. Data loading is
not timed (the batches are loaded first, the same for every model); on a
GPU each step is closed by ``torch.cuda.synchronize()``. Models with a
feature ``synthesizer`` are prepared as ``FeatureSynthesisHook`` does.

    DIR=configs/feature_synthesis
    python tools/analysis_tools/benchmark_train_step.py \
        $DIR/pspnet-finetune_r18_1xb8-1k_camvid-256x256.py \
        $DIR/pspnet-featsyn_r18_1xb8-1k_camvid-256x256.py \
        --load-from PSPNET.pth --iters 12 --warmup 2 \
        --cfg-options-for pspnet-featsyn_r18_1xb8-1k_camvid-256x256 \
        model.synthesizer.generator_checkpoint=FEATGAN.pth [--amp]
"""
import argparse
import copy
import time
from typing import Dict, List

import numpy as np
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmengine.runner.utils import set_random_seed
from mmseg.registry import MODELS

from mmseg_synaug.benchmark import (add_config_options, check_options_for,
                                    config_name, config_with_options,
                                    shown_path)
from mmseg_synaug.utils import DataError, run_tool
from mmseg_synaug.utils.checkpoint import load_model_checkpoint
from mmseg_synaug.utils.report import describe_machine


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('configs', nargs='+', help='config files')
    parser.add_argument(
        '--load-from', help='checkpoint loaded into every model')
    parser.add_argument('--iters', type=int, default=12)
    parser.add_argument('--warmup', type=int, default=2)
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--amp', action='store_true')
    parser.add_argument(
        '--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    add_config_options(parser)
    args = parser.parse_args()
    if args.warmup >= args.iters:
        parser.error('--warmup must be below --iters.')
    try:
        check_options_for(args.configs, args.cfg_options_for)
    except DataError as error:
        parser.error(str(error))
    return args


def build(cfg: Config, args: argparse.Namespace):
    """Model (trained weights loaded, synthesizer prepared) and optimizer."""
    model = MODELS.build(copy.deepcopy(cfg.model))
    model.init_weights()
    if args.load_from:
        # The trained segmentor into the model of every config (a
        # feature-synthesis model holds more): the matching weights.
        load_model_checkpoint(
            model, args.load_from, strict=False, what='--load-from')
    model.to(args.device)
    optim_cfg = copy.deepcopy(cfg.optim_wrapper)
    if args.amp:
        optim_cfg.type = 'AmpOptimWrapper'
    optim_wrapper = build_optim_wrapper(model, optim_cfg)
    if getattr(model, 'synthesizer', None) is not None:
        model.synthesizer.prepare(model)
    model.train()
    return model, optim_wrapper


def main() -> None:
    args = parse_args()
    cfgs = [
        config_with_options(c, args.cfg_options, args.cfg_options_for)
        for c in args.configs
    ]
    init_default_scope(cfgs[0].get('default_scope', 'mmseg'))
    set_random_seed(args.seed)
    loader = Runner.build_dataloader(cfgs[0].train_dataloader, seed=args.seed)
    batches: List[Dict] = []
    for batch in loader:
        batches.append(batch)
        if len(batches) == args.iters:
            break
    built = [build(cfg, args) for cfg in cfgs]
    times = np.zeros((len(cfgs), len(batches)))
    for i, batch in enumerate(batches):
        for j, (model, optim_wrapper) in enumerate(built):
            if args.device.startswith('cuda'):
                torch.cuda.synchronize()
            start = time.perf_counter()
            model.train_step(copy.deepcopy(batch), optim_wrapper)
            if args.device.startswith('cuda'):
                torch.cuda.synchronize()
            times[j, i] = time.perf_counter() - start
    times = times[:, args.warmup:]
    device = (
        torch.cuda.get_device_name(args.device)
        if args.device.startswith('cuda') else 'CPU')
    command = ('python tools/analysis_tools/benchmark_train_step.py ' +
               ' '.join(shown_path(c) for c in args.configs) +
               (f' --load-from {args.load_from}' if args.load_from else '') +
               f' --iters {args.iters} --warmup {args.warmup}'
               f' --seed {args.seed} --device {args.device}' +
               (' --amp' if args.amp else '') +
               (' --cfg-options ' +
                ' '.join(args.cfg_options) if args.cfg_options else '') +
               ''.join(' --cfg-options-for ' + ' '.join(group)
                       for group in args.cfg_options_for))
    lines = [
        f'Measured on {describe_machine()}, device {device}'
        f'{", AMP" if args.amp else ""}; {times.shape[1]} steps per config '
        f'after {args.warmup} warm-up steps, the configs in turn on the '
        'same batches; s/iter is the median (interquartile range in '
        'brackets), the ratio the median of the per-batch ratios to the '
        'first config:', '', '```', command, '```', '',
        '| config | batch | s/iter | time ratio |', '|---|---|---|---|'
    ]
    for cfg, config, row in zip(cfgs, args.configs, times):
        ratio = float(np.median(row / times[0]))
        spread = np.percentile(row, 75) - np.percentile(row, 25)
        lines.append(f'| `{config_name(config)}` | '
                     f'{cfg.train_dataloader.batch_size} | '
                     f'{np.median(row):.3f} ({spread:.3f}) | {ratio:.2f} |')
    print('\n'.join(lines))


if __name__ == '__main__':
    run_tool(main)
