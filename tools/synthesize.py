"""Write a synthetic mmseg dataset: recomposed label maps and their images.

Usage:
    python tools/synthesize.py GEN_CONFIG GEN_CHECKPOINT DATASET_CONFIG
        --out DIR --num N --mode overlay|multi|reconstruct [--seed S]
        [--filter-config SEG_CONFIG --filter-checkpoint SEG_CKPT
         --min-agreement 0.5] [--copy-paste] [--shard I --num-shards N]
        [--resample-config SEG_CONFIG --resample-checkpoint SEG_CKPT
         --renderings-per-map 1 20]
        [--img-suffix .png|.jpg] [--device cpu] [--non-strict]
        [--cfg-options KEY=VALUE ...] [--debug]

Sample k recomposes a training label map of DATASET_CONFIG and renders it
with the generator (:class:`mmseg_synaug.synthesis.SyntheticDatasetWriter`);
the outputs are ``DIR/images/{k:06d}.png`` (or ``.jpg``) and
``DIR/labels/{k:06d}.png``, readable by CamVidDataset with
``data_prefix=dict(img_path='images', seg_map_path='labels')``, and one
line of ``DIR/manifest.jsonl`` per sample.

``--copy-paste`` writes the same recomposed label maps with the real pixels
of the pasted segments (the copy-paste baseline); give ``none none`` for
GEN_CONFIG and GEN_CHECKPOINT. A second run skips the samples already
written; process I of N (``--shard``/``--num-shards``, or RANK/WORLD_SIZE of
torchrun) writes the samples k with k % N == I. At the end the class
distribution before and after is printed and plotted to
``DIR/class_distribution.png`` by the run that finds all N samples written
(with shards, the one that finishes last).

Checkpoints must match their configs: one of another model is refused,
naming the keys that differ, unless ``--non-strict`` loads the matching
weights anyway.

``--resample-config``/``--resample-checkpoint`` (a segmentor trained on the
real data) switch on FreeMask's hardness-aware re-sampling
(:mod:`mmseg_synaug.synthesis.resampling`): the N samples are spread over
the training label maps by how hard the segmentor finds their classes,
between MIN and MAX renderings per map (``--renderings-per-map``), instead
of uniformly; the allocation is written to ``DIR/resampling.json`` and
reused by resumed runs and shards.
"""
import argparse
import os
from typing import List, Optional

import torch
from mmengine.config import DictAction

from mmseg_synaug.synthesis import (SYNTHESIS_MODES, SyntheticDatasetWriter,
                                    class_distribution, hardness_allocation,
                                    load_filter_segmentor, load_generator,
                                    read_manifest)
from mmseg_synaug.utils import DataError, run_tool


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Synthesize a segmentation dataset with a generator')
    parser.add_argument('gen_config', help='generator config (or none)')
    parser.add_argument(
        'gen_checkpoint', help='generator checkpoint (or none)')
    parser.add_argument(
        'dataset_config', help='config whose training set is recomposed')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument(
        '--num', type=int, required=True, help='number of samples N')
    parser.add_argument('--mode', choices=SYNTHESIS_MODES, default='overlay')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--filter-config', help='segmentor config')
    parser.add_argument('--filter-checkpoint', help='segmentor checkpoint')
    parser.add_argument(
        '--min-agreement',
        type=float,
        default=0.5,
        help='keep samples whose pixel agreement between the '
        'segmentor prediction and the label map is >= this')
    parser.add_argument(
        '--copy-paste',
        action='store_true',
        help='paste real pixels instead of generating')
    parser.add_argument(
        '--img-suffix',
        choices=('.png', '.jpg'),
        default='.png',
        help='format of the images')
    parser.add_argument(
        '--resample-config',
        help='segmentor config (real data) for hardness-aware re-sampling')
    parser.add_argument('--resample-checkpoint', help='its trained checkpoint')
    parser.add_argument(
        '--renderings-per-map',
        type=int,
        nargs=2,
        default=(1, 20),
        metavar=('MIN', 'MAX'),
        help='fewest and most renderings of one label map when '
        're-sampling (default: 1 20)')
    parser.add_argument('--shard', type=int, default=None)
    parser.add_argument('--num-shards', type=int, default=None)
    parser.add_argument(
        '--device',
        default=None,
        help='cuda or cpu; default cuda when available')
    parser.add_argument(
        '--non-strict',
        action='store_true',
        help='load checkpoints whose keys or shapes differ from the models '
        'of their configs (only the matching weights are loaded)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='overrides of DATASET_CONFIG')
    parser.add_argument(
        '--debug',
        action='store_true',
        help='show the full traceback of errors')
    args = parser.parse_args(argv)
    if args.num < 1:
        parser.error('--num must be >= 1')
    if bool(args.filter_config) != bool(args.filter_checkpoint):
        parser.error('--filter-config and --filter-checkpoint go together')
    if bool(args.resample_config) != bool(args.resample_checkpoint):
        parser.error('--resample-config and --resample-checkpoint go '
                     'together')
    if args.shard is None:
        args.shard = int(os.environ.get('RANK', 0))
    if args.num_shards is None:
        args.num_shards = int(os.environ.get('WORLD_SIZE', 1))
    if not 0 <= args.shard < args.num_shards:
        parser.error(f'--shard {args.shard} is not in [0, '
                     f'{args.num_shards})')
    if args.device is None:
        args.device = 'cuda' if torch.cuda.is_available() else 'cpu'
    return args


def main() -> None:
    args = parse_args()
    if os.path.isfile(args.out):
        raise DataError(
            f'--out `{args.out}` is a file.',
            fix='Give --out a folder (new, or a synthetic set to resume).')
    strict = not args.non_strict
    generator = None if args.copy_paste else load_generator(
        args.gen_config, args.gen_checkpoint, args.device, strict)
    segmentor = (
        load_filter_segmentor(args.filter_config, args.filter_checkpoint,
                              args.device, strict)
        if args.filter_config else None)
    synthesizer = SyntheticDatasetWriter(
        args.dataset_config,
        generator,
        mode=args.mode,
        seed=args.seed,
        copy_paste=args.copy_paste,
        segmentor=segmentor,
        min_agreement=args.min_agreement,
        cfg_options=args.cfg_options,
        img_suffix=args.img_suffix)
    sources = None
    if args.resample_config:
        allocation = hardness_allocation(
            load_filter_segmentor(args.resample_config,
                                  args.resample_checkpoint, args.device,
                                  strict),
            synthesizer.mix.dataset,
            args.num,
            *args.renderings_per_map,
            seed=args.seed,
            out_dir=args.out,
            identity=dict(
                segmentor_checkpoint=os.path.abspath(
                    args.resample_checkpoint)))
        sources = allocation['sources']
    synthesizer.run(
        args.out, args.num, args.shard, args.num_shards, sources=sources)
    missing = args.num - sum(k < args.num for k in read_manifest(args.out))
    if missing:
        # Another shard is still writing: the last shard to finish
        # tabulates the whole set, not this shard's part of it.
        print(
            f'shard {args.shard}/{args.num_shards} done; {missing} samples '
            'of other shards still to come: the class distribution is '
            'written by the shard that finishes last',
            flush=True)
        return
    table = class_distribution(args.out, synthesizer.classes)
    print(table or 'no samples kept: no class distribution', flush=True)


if __name__ == '__main__':
    run_tool(main)
