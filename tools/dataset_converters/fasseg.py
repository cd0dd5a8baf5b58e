"""Prepare FASSEG frontal faces (coarse frontal01 + fine frontal02).

Download https://github.com/massimomauro/FASSEG-repository, then:

    python tools/dataset_converters/fasseg.py /path/to/FASSEG-repository \
        -o data/fasseg_frontal

Its ``V1`` folder (frontal01) holds the coarse label maps, ``V2``
(frontal02) the fine ones of the same images, each as
``{Train,Test}_{RGB,Labels}/N.bmp``. The output is
``images/{train,test}/N.png``, ``coarse/{train,test}/N.png`` and
``fine/{train,test}/N.png`` (lossless PNG), keeping the images that have
both label maps. The output folder appears only when complete.
"""
import argparse
import os
import os.path as osp
import shutil
from typing import Dict, Optional

from PIL import Image
from tqdm import tqdm

EXTENSIONS = ('.bmp', '.png', '.jpg')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='the FASSEG-repository folder')
    parser.add_argument(
        '-o', '--out', default='data/fasseg_frontal', help='output folder')
    return parser.parse_args()


def index_folder(folder: str) -> Dict[str, str]:
    """Map sample names (``'12'``) to files, searching sub-folders too.

    Lossless files win over JPEG copies of the same sample.
    """
    found: Dict[str, str] = {}
    if not osp.isdir(folder):
        return found
    for root, _, files in os.walk(folder):
        for name in files:
            stem, ext = osp.splitext(name)
            if ext.lower() not in EXTENSIONS:
                continue
            current: Optional[str] = found.get(stem)
            if current is None or current.lower().endswith('.jpg'):
                found[stem] = osp.join(root, name)
    return found


def main() -> None:
    args = parse_args()
    if not osp.isdir(osp.join(args.src, 'V1')) or not osp.isdir(
            osp.join(args.src, 'V2')):
        raise SystemExit(f'{args.src} has no V1/ and V2/ folders: point at '
                         'the FASSEG-repository checkout.')
    if osp.exists(args.out):
        raise SystemExit(f'{args.out} exists already: remove it or choose '
                         'another --out.')
    partial = args.out.rstrip('/') + '.partial'
    shutil.rmtree(partial, ignore_errors=True)
    for split, folder in (('train', 'Train'), ('test', 'Test')):
        images = index_folder(osp.join(args.src, 'V2', f'{folder}_RGB'))
        images = {
            **index_folder(osp.join(args.src, 'V1', f'{folder}_RGB')),
            **images
        }
        coarse = index_folder(osp.join(args.src, 'V1', f'{folder}_Labels'))
        fine = index_folder(osp.join(args.src, 'V2', f'{folder}_Labels'))
        names = sorted(set(images) & set(coarse) & set(fine), key=int)
        for name in tqdm(names, desc=split):
            sizes = set()
            for kind, files in (('images', images), ('coarse', coarse),
                                ('fine', fine)):
                os.makedirs(osp.join(partial, kind, split), exist_ok=True)
                with Image.open(files[name]) as image:
                    sizes.add(image.size)
                    image.convert('RGB').save(
                        osp.join(partial, kind, split, f'{name}.png'))
            if len(sizes) > 1:
                raise SystemExit(
                    f'FASSEG sample {split} {name} has files of different '
                    f'sizes {sorted(sizes)} ({images[name]}, {coarse[name]},'
                    f' {fine[name]}): re-download the repository.')
        print(f'{split}: {len(names)} samples with image, coarse and fine '
              'maps')
    os.replace(partial, args.out)
    print(f'FASSEG written to {args.out}')


if __name__ == '__main__':
    main()
