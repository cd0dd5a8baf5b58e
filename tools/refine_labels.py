"""Refine a folder of coarse label maps with a trained coarse-to-fine model.

For each image in ``--images``, the coarse map of the same name (``.png``)
in ``--coarse`` is refined and written to ``--out`` under the same name, as
an index PNG (one class index per pixel). Resumable: maps already in
``--out`` are skipped, and each map is written to a temporary name first and
renamed when complete, so an interrupted run leaves no half-written file.

With ``--palette``, coarse maps are colour-coded: each pixel is snapped to
the nearest palette colour, and a map of which more than
``--max-off-palette`` of the pixels are not within ``--colour-tolerance`` of
a palette colour (a photo, or another colour coding) is refused, naming the
file and the share. The checkpoint must match the config's model, unless
``--non-strict``. An image cut short (a truncated JPEG or PNG) is refused
before its map is written; the tool ends saying where the maps are.

Usage:
    python tools/refine_labels.py CONFIG CHECKPOINT --images DIR \
        --coarse DIR --out DIR [--palette fasseg] [--device cpu] \
        [--non-strict] [--debug]
"""
import argparse
import os.path as osp

from mmengine.config import DictAction

from mmseg_synaug.apis import init_segmentor
from mmseg_synaug.apis.refinement import (COLOUR_TOLERANCE, MAX_OFF_PALETTE,
                                          PALETTES, find_pairs,
                                          make_coarse_reader, refine_folder)
from mmseg_synaug.utils import DataError, run_tool
from mmseg_synaug.utils.train_cli import prepare_output_dir, read_config


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Refine coarse label maps with a coarse-to-fine model')
    parser.add_argument('config', help='config file of the refiner')
    parser.add_argument('checkpoint', help='checkpoint of the refiner')
    parser.add_argument('--images', required=True, help='folder of images')
    parser.add_argument(
        '--coarse',
        required=True,
        help='folder of coarse label maps, named like the images (.png)')
    parser.add_argument(
        '--out', required=True, help='folder for the refined label maps')
    parser.add_argument(
        '--palette',
        choices=sorted(PALETTES),
        help='the coarse maps are colour-coded with this palette (each '
        'pixel is snapped to the nearest class colour); by default they are '
        'index PNGs')
    parser.add_argument(
        '--colour-tolerance',
        type=float,
        default=COLOUR_TOLERANCE,
        help='with --palette: largest distance (RGB, 0-255 per channel) of '
        'a pixel from its palette colour to count as that colour')
    parser.add_argument(
        '--max-off-palette',
        type=float,
        default=MAX_OFF_PALETTE,
        help='with --palette: largest share of the pixels of a coarse map '
        'farther than --colour-tolerance from every palette colour '
        '(anti-aliased edges); a map with more is refused')
    parser.add_argument(
        '--non-strict',
        action='store_true',
        help='use a checkpoint whose keys or shapes differ from the model '
        'of the config (only the matching weights are loaded)')
    parser.add_argument('--device', default='cpu', help='e.g. cpu, cuda:0')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, as key=value pairs')
    parser.add_argument(
        '--debug',
        action='store_true',
        help='show the full traceback of errors (or SYNAUG_DEBUG=1)')
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    pairs = find_pairs(args.images, args.coarse)
    prepare_output_dir(args.out, '--out')
    done = sum(
        osp.isfile(osp.join(args.out, osp.basename(coarse)))
        for _, coarse in pairs)
    print(f'{len(pairs)} images, {done} already refined, '
          f'{len(pairs) - done} to refine.')
    if done == len(pairs):
        print(f'The refined label maps are in {args.out}.')
        return

    if not osp.isfile(args.checkpoint):
        raise DataError(
            f'The checkpoint `{args.checkpoint}` does not exist.',
            fix='Pass the .pth file written by tools/train.py.')
    model = init_segmentor(
        read_config(args.config),
        args.checkpoint,
        device=args.device,
        cfg_options=args.cfg_options,
        strict=not args.non_strict)
    read_coarse = make_coarse_reader(args.palette,
                                     model.decode_head.num_classes,
                                     model.decode_head.ignore_index,
                                     args.colour_tolerance,
                                     args.max_off_palette)
    written = refine_folder(model, pairs, args.out, read_coarse)
    print(f'Wrote {written} refined label maps (index PNGs) to '
          f'{args.out}; {len(pairs)} in all.')


if __name__ == '__main__':
    run_tool(main)
