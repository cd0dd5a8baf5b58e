"""Refine a folder of coarse label maps with a trained coarse-to-fine model.

The library behind ``tools/refine_labels.py``: every image is paired with
its coarse map (:func:`find_pairs`), the coarse map is read as a checked
index map, from index PNGs or colour-coded with a palette
(:func:`make_coarse_reader`), refined by the model
(:func:`~mmseg_synaug.apis.inference_refiner`) and written as an index PNG
atomically (:func:`refine_folder`), skipping maps already refined.
"""
import os
import os.path as osp
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
from PIL import Image

from mmseg_synaug.datasets import FASSEGDataset
from mmseg_synaug.datasets.transforms.loading import (LoadFASSEGAnnotations,
                                                      check_label_map,
                                                      read_image_file)
from mmseg_synaug.utils import DataError, progress
from .inference import inference_refiner

__all__ = [
    'PALETTES', 'find_pairs', 'check_palette_colours', 'make_coarse_reader',
    'write_png', 'refine_folder'
]

IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff')

#: Colour codings of coarse maps accepted by ``--palette``.
PALETTES: Dict[str, List[List[int]]] = dict(
    fasseg=FASSEGDataset.METAINFO['palette'])
#: Default of ``--colour-tolerance``: Euclidean RGB distance.
COLOUR_TOLERANCE = 40.0
#: Default of ``--max-off-palette``: share of pixels.
MAX_OFF_PALETTE = 0.05


def find_pairs(image_dir: str, coarse_dir: str) -> List[Tuple[str, str]]:
    """Pair every image with its coarse map, checking names and sizes.

    Args:
        image_dir (str): Folder of images.
        coarse_dir (str): Folder of coarse maps ``<image stem>.png``.

    Returns:
        list[tuple[str, str]]: ``(image, coarse map)`` paths, sorted.
    """
    for folder, what in ((image_dir, '--images'), (coarse_dir, '--coarse')):
        if not osp.isdir(folder):
            raise DataError(
                f'The {what} folder `{folder}` does not exist.',
                fix=f'Pass an existing folder as {what}.')
    names = sorted(
        name for name in os.listdir(image_dir)
        if name.lower().endswith(IMAGE_SUFFIXES))
    if not names:
        raise DataError(
            f'The --images folder `{image_dir}` holds no images '
            f'({", ".join(IMAGE_SUFFIXES)}).',
            fix='Pass the folder that holds the images.')
    pairs = []
    for name in names:
        image = osp.join(image_dir, name)
        coarse = osp.join(coarse_dir, osp.splitext(name)[0] + '.png')
        if not osp.isfile(coarse):
            raise DataError(
                f'The image `{image}` has no coarse label map `{coarse}`.',
                fix='Add the coarse map under the image\'s name with a .png '
                'suffix, or move the image out of the --images folder.')
        with Image.open(image) as img, Image.open(coarse) as lbl:
            if img.size != lbl.size:
                raise DataError(
                    f'The coarse label map `{coarse}` is '
                    f'{lbl.size[0]}x{lbl.size[1]} (WxH) but its image '
                    f'`{image}` is {img.size[0]}x{img.size[1]}.',
                    fix='Resize the coarse map to the image size with '
                    'nearest-neighbour interpolation, or pair it with the '
                    'right image.')
        pairs.append((image, coarse))
    return pairs


def check_palette_colours(rgb: np.ndarray, palette: Sequence[Sequence[int]],
                          path: str, tolerance: float,
                          max_off_share: float) -> None:
    """Refuse a colour map that is not coded with the palette.

    Anti-aliased edges of a colour-coded map hold a few blended colours;
    a photo or another colour coding has most of its pixels far from every
    palette colour.

    Args:
        rgb (np.ndarray): The map, (H, W, 3) RGB.
        palette (Sequence[Sequence[int]]): RGB colour of each class.
        path (str): Its file, for the message.
        tolerance (float): Largest Euclidean RGB distance of a pixel from a
            palette colour to count as that colour.
        max_off_share (float): Largest share of pixels farther than
            ``tolerance`` from every palette colour.
    """
    packed = rgb.reshape(-1, 3).astype(np.int64)
    packed = (packed[:, 0] << 16) | (packed[:, 1] << 8) | packed[:, 2]
    codes, counts = np.unique(packed, return_counts=True)
    colours = np.stack([codes >> 16, (codes >> 8) & 255, codes & 255], 1)
    distance = np.sqrt(
        ((colours[:, None, :] - np.asarray(palette)[None])**2).sum(-1)).min(1)
    off = counts[distance > tolerance].sum() / max(counts.sum(), 1)
    if off > max_off_share:
        raise DataError(
            f'The coarse label map `{path}` is not coded with the palette: '
            f'{off:.1%} of its pixels are farther than {tolerance:g} from '
            f'every palette colour (at most {max_off_share:.1%} may be, '
            'for anti-aliased edges). Is it a photo, or coded with other '
            'colours?',
            fix='Pass the colour-coded coarse maps of this palette (or index '
            'PNGs without --palette); raise --max-off-palette or '
            '--colour-tolerance only for maps with wider blended edges.')


def make_coarse_reader(
    palette: Optional[str],
    num_classes: int,
    ignore_index: int,
    tolerance: float = COLOUR_TOLERANCE,
    max_off_share: float = MAX_OFF_PALETTE
) -> Callable[[str, tuple], np.ndarray]:
    """A function reading a coarse map as a checked index map.

    Args:
        palette (str, optional): Key of :data:`PALETTES`; None reads index
            PNGs.
        num_classes (int): Number of classes of the refiner.
        ignore_index (int): The ignore value.
        tolerance (float): See :func:`check_palette_colours`.
            Defaults to :data:`COLOUR_TOLERANCE`.
        max_off_share (float): See :func:`check_palette_colours`.
            Defaults to :data:`MAX_OFF_PALETTE`.

    Returns:
        Callable: ``read(path, image_shape) -> np.ndarray`` (H, W) uint8.
    """
    snapper = (
        LoadFASSEGAnnotations(
            palette=PALETTES[palette]) if palette is not None else None)

    def read(path: str, image_shape: tuple) -> np.ndarray:
        if snapper is not None:
            rgb = read_image_file(
                path, 'coarse label map', channel_order='rgb')
            check_palette_colours(rgb, PALETTES[palette], path, tolerance,
                                  max_off_share)
            label = snapper.snap_to_palette(rgb)
        else:
            label = read_image_file(path, 'coarse label map', 'unchanged')
            if label.ndim != 2:
                raise DataError(
                    f'The coarse label map `{path}` has {label.shape[2]} '
                    'channels, not one class index per pixel.',
                    fix='Pass --palette for colour-coded maps (e.g. '
                    '--palette fasseg), or convert them to index PNGs.')
        check_label_map(label, path, image_shape, num_classes, ignore_index)
        return label.astype(np.uint8)

    return read


def write_png(path: str, label: np.ndarray) -> None:
    """Write an index PNG atomically (temporary file, then rename).

    Args:
        path (str): Destination.
        label (np.ndarray): Index map, (H, W) uint8.
    """
    ok, data = cv2.imencode('.png', label)
    if not ok:
        raise OSError(f'Could not encode the label map for `{path}`.')
    folder, name = osp.split(path)
    partial = osp.join(folder, f'.{name}.partial')
    with open(partial, 'wb') as file:
        file.write(data.tobytes())
    os.replace(partial, path)


def refine_folder(model, pairs: List[Tuple[str, str]], out_dir: str,
                  read_coarse: Callable[[str, tuple], np.ndarray]) -> int:
    """Refine every (image, coarse map) pair whose map is not in ``out_dir``.

    Args:
        model: A refiner from :func:`~mmseg_synaug.apis.init_segmentor`.
        pairs (list[tuple[str, str]]): From :func:`find_pairs`.
        out_dir (str): Where the refined maps go, under the coarse maps'
            names (each written atomically: an interrupted run leaves no
            half-written file).
        read_coarse (Callable): From :func:`make_coarse_reader`.

    Returns:
        int: The number of maps written.
    """
    todo = [(image, coarse) for image, coarse in pairs
            if not osp.isfile(osp.join(out_dir, osp.basename(coarse)))]
    for image_path, coarse_path in progress(todo, desc='refining', unit='map'):
        image = read_image_file(image_path, 'image', channel_order='rgb')
        coarse = read_coarse(coarse_path, image.shape[:2])
        refined = inference_refiner(model, image, coarse).astype(np.uint8)
        write_png(osp.join(out_dir, osp.basename(coarse_path)), refined)
    return len(todo)
