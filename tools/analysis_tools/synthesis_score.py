"""Synthesis-quality score of a label-to-image generator: a segmentor
trained on real images segments the images the generator makes from the
validation label maps (pix2pixHD, section 4), beside the real images
(:func:`mmseg_synaug.synthesis.synthesis_score`).

Usage:
    python tools/analysis_tools/synthesis_score.py GEN_CONFIG GEN_CKPT \\
        SEG_CONFIG SEG_CKPT [--out score.json] [--num N] [--device cpu]

The segmentor config's val set, pipeline and metric are used;
``--cfg-options`` changes that config (checked: an unknown key is refused).
"""
import argparse
import json
import os
import os.path as osp
from typing import List, Optional

from mmengine.config import DictAction

from mmseg_synaug.synthesis import format_score_table, synthesis_score
from mmseg_synaug.utils import DataError, run_tool


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Score a label-to-image generator by segmenting its '
        'images of the validation label maps')
    parser.add_argument('gen_config', help='generator config file')
    parser.add_argument('gen_checkpoint', help='generator checkpoint')
    parser.add_argument('seg_config', help='segmentor config file')
    parser.add_argument('seg_checkpoint', help='segmentor checkpoint')
    parser.add_argument('--out', help='JSON file for the scores')
    parser.add_argument(
        '--num',
        type=int,
        help='score only the first NUM validation images (default: all)')
    parser.add_argument('--device', default='cpu', help='e.g. cpu, cuda:0')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the segmentor config (e.g. its '
        'val_dataloader.dataset.data_root)')
    return parser.parse_args(argv)


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    if args.out and osp.isdir(args.out):
        raise DataError(
            f'--out `{args.out}` is a folder.',
            fix='Give a file name, e.g. score.json.')
    result = synthesis_score(
        args.gen_config,
        args.gen_checkpoint,
        args.seg_config,
        args.seg_checkpoint,
        num=args.num,
        device=args.device,
        cfg_options=args.cfg_options)
    print(format_score_table(result))
    ratio = result['ratio']
    print(f"synthesis score: mIoU {result['synthetic']['mIoU']:.2f} on "
          f"generated images, {result['real']['mIoU']:.2f} on real ones" +
          (f' (ratio {ratio:.3f})' if ratio is not None else '') +
          f"; {result['num_images']} images, {result['seconds']:.1f} s on "
          f"{result['device']}")
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)
        print(f'scores written to {args.out}')


if __name__ == '__main__':
    run_tool(main)
