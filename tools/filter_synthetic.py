"""Filter the label maps of a synthetic set by a real-data segmentor's loss.

FreeMask (Yang et al., NeurIPS 2023): a segmentor trained on the real
images scores every pixel of every synthetic image; a pixel whose
cross-entropy exceeds MARGIN times the mean loss of its class on the real
training images is set to ignore (255)
(:class:`mmseg_synaug.synthesis.SyntheticLabelFilter`).

Usage:
    python tools/filter_synthetic.py SEG_CONFIG SEG_CHECKPOINT SYNTHETIC_DIR
        [--margin 1.25] [--boundary-aware] [--num-real N] [--device cpu]
        [--cfg-options KEY=VALUE ...] [--debug]

SYNTHETIC_DIR is a folder written by tools/synthesize.py (its
``manifest.jsonl`` says which samples are finished). The real reference
is the training set of SEG_CONFIG (``--cfg-options`` changes it, e.g.
``train_dataloader.dataset.data_root=...``; ``--num-real N`` uses its
first N images). Outputs, beside the original ``labels/``:
``labels_filtered_m{MARGIN}/`` (the filtered maps) and
``labels_filtered_m{MARGIN}.{json,md}`` (the real class losses, the share
of pixels ignored per class, and the synthesis score, i.e. the mIoU of the
segmentor's predictions on the generated images, before and after
filtering). A second run skips the maps already filtered; train on them
with ``seg_map_path='labels_filtered_m{MARGIN}'`` in the synthetic
dataset's ``data_prefix`` (configs/synaug/README.md). ``--boundary-aware``
compares the pixels within 3 px of a class boundary with their class's
mean real loss in that band and the others with the mean inside; its maps
go to ``labels_filtered_m{MARGIN}_b3/``.
"""
import argparse
import os.path as osp
from typing import List, Optional

import torch
from mmengine.config import DictAction

from mmseg_synaug.synthesis import (SyntheticLabelFilter, kept_records,
                                    load_filter_segmentor)
from mmseg_synaug.synthesis.filtering import check_margin, format_tables
from mmseg_synaug.utils import DataError, run_tool


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Ignore the synthetic pixels a real-data segmentor '
        'finds too hard (FreeMask loss filtering)')
    parser.add_argument('seg_config', help='segmentor config (real data)')
    parser.add_argument('seg_checkpoint', help='its trained checkpoint')
    parser.add_argument(
        'synthetic_dir', help='folder written by tools/synthesize.py')
    parser.add_argument(
        '--margin',
        type=float,
        default=1.25,
        help='ignore a pixel whose loss exceeds MARGIN times its class\'s '
        'mean loss on the real training set (> 0; FreeMask: 1.25)')
    parser.add_argument(
        '--boundary-aware',
        action='store_true',
        help='compare pixels near a class boundary (3 px) with their '
        'class\'s mean real loss near boundaries, the others with the mean '
        'inside; maps go to labels_filtered_m{MARGIN}_b3')
    parser.add_argument(
        '--num-real',
        type=int,
        default=None,
        help='use the first N real training images (default: all)')
    parser.add_argument(
        '--device',
        default=None,
        help='cuda or cpu; default cuda when available')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='overrides of SEG_CONFIG (e.g. its training set\'s data_root)')
    parser.add_argument(
        '--debug',
        action='store_true',
        help='show the full traceback of errors')
    args = parser.parse_args(argv)
    if args.device is None:
        args.device = 'cuda' if torch.cuda.is_available() else 'cpu'
    return args


def main() -> None:
    args = parse_args()
    check_margin(args.margin)
    if not osp.isdir(args.synthetic_dir):
        raise DataError(
            f'The synthetic set `{args.synthetic_dir}` is not a folder.',
            fix='Give the folder written by tools/synthesize.py --out.')
    kept_records(args.synthetic_dir)  # a set with a manifest, before loading
    try:
        segmentor = load_filter_segmentor(args.seg_config, args.seg_checkpoint,
                                          args.device)
    except (ValueError, FileNotFoundError) as error:
        if isinstance(error, DataError):
            raise
        raise DataError(
            f'The segmentor `{args.seg_config}` with `{args.seg_checkpoint}`'
            f' cannot be loaded: {error}',
            fix='Give the config and the checkpoint tools/train.py wrote '
            'for it.') from error
    filter_ = SyntheticLabelFilter(
        segmentor,
        args.seg_config,
        args.seg_checkpoint,
        margin=args.margin,
        num_real=args.num_real,
        cfg_options=args.cfg_options,
        boundary_aware=args.boundary_aware)
    summary = filter_.run(args.synthetic_dir)
    print(format_tables(summary), flush=True)
    print(
        f'filtered {summary["filtered"]}, already done {summary["skipped"]};'
        f' maps in {osp.join(args.synthetic_dir, summary["folder"])}',
        flush=True)


if __name__ == '__main__':
    run_tool(main)
