"""Draw samples of synthetic sets: the real image the label map was
recomposed from, the recomposed label map, each set's image of it, and
label maps of other folders (filtered maps: ignored pixels in white).

Sets written by tools/synthesize.py with the same --num and --seed hold the
same recomposed label maps under the same names (a generated set and its
copy-paste twin), so their images sit side by side.

    python tools/analysis_tools/plot_synthetic.py SET [SET ...] \
        [--labels labels_filtered_m1.25] [--num 4] [--out synthetic.png]
"""
import argparse
import os.path as osp

import mmcv
import numpy as np

from mmseg_synaug.datasets import CamVidDataset
from mmseg_synaug.synthesis.filtering import kept_records
from mmseg_synaug.utils import DataError, run_tool
from mmseg_synaug.visualization import draw_image_grid


def read(path: str,
         what: str = 'label map',
         flag: str = 'unchanged') -> np.ndarray:
    """A label map, or an image (RGB, ``flag='color'``); one clear error
    where it is missing."""
    if not osp.isfile(path):
        raise DataError(
            f'The {what} `{path}` does not exist.',
            fix='Give sets written by tools/synthesize.py with the same '
            '--num and --seed, complete (run the synthesis again to '
            'finish one), and label folders that exist in the first set.')
    return mmcv.imread(path, flag=flag, channel_order='rgb')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument(
        'sets', nargs='+', help='synthetic sets (tools/synthesize.py --out)')
    parser.add_argument(
        '--labels',
        nargs='*',
        default=[],
        help='more label folders of the first set to show '
        '(e.g. labels_filtered_m1.25)')
    parser.add_argument('--num', type=int, default=4, help='samples')
    parser.add_argument(
        '--out', default='synthetic.png', help='PNG file to write')
    args = parser.parse_args()
    if args.num < 1:
        parser.error(f'--num {args.num}: give at least one sample.')
    records = kept_records(args.sets[0])
    if not records:
        raise DataError(
            f'`{args.sets[0]}` has no finished sample.',
            fix='Run tools/synthesize.py with this --out to write it.')
    count = min(args.num, len(records))
    picked = np.linspace(0, len(records) - 1, count).astype(int)
    names = ['real source', 'recomposed label map']
    names += [osp.basename(osp.normpath(s)) for s in args.sets]
    names += args.labels
    rows, titles = [], []
    for i in picked:
        record = records[int(i)]
        name = record['name']
        row = [
            read(record['source'], 'source image', 'color'),
            read(osp.join(args.sets[0], 'labels', f'{name}.png'))
        ]
        for folder in args.sets:
            image = osp.join(folder, 'images', name + record['img_suffix'])
            row.append(read(image, 'synthetic image', 'color'))
        for labels in args.labels:
            row.append(read(osp.join(args.sets[0], labels, f'{name}.png')))
        rows.append(row)
        titles.append(name)
    draw_image_grid(rows, names, args.out, CamVidDataset.METAINFO['palette'],
                    titles)
    print(f'grid of {len(rows)} samples written to {args.out}')


if __name__ == '__main__':
    run_tool(main)
