"""Checks of a segmentation dataset's files when the dataset is built.

A bad file should stop a run at start-up, not at the first validation
after 1000 iterations. What the project's datasets check when built (by
``load_data_list`` and ``full_init``):

- the split file (``ann_file``), where one is given, exists and lists
  images;
- the dataset is not empty (an empty folder is named, with the suffix
  looked for and the image suffixes found there instead);
- every image has its label map (all samples);
- up to ``check_labels`` label maps, spread evenly over the dataset (all of
  them for a dataset that small: CamVid val has 101), are decoded: each
  must have its image's size (read from the image's header, not decoded)
  and only class indices, the void label or the ignore value.

The other label maps are checked when loaded during training, by
:class:`LoadCheckedAnnotations`, with the same message. Each process
remembers the files it checked, so building the same dataset again (the
Runner after tools/train.py's start-up build) reads nothing again.
"""
import os
import os.path as osp
from typing import List, Optional, Sequence, Set

import numpy as np
from PIL import Image

from ..utils import DataError
from .transforms.loading import check_label_map, read_image_file

#: Label maps already checked by this process.
_CHECKED: Set[str] = set()

#: Image suffixes looked for when a folder holds none of the expected one.
_IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff')


def detect_image_suffix(img_dir: str, default: str = '.png') -> str:
    """Say which image suffix a folder holds: ``'.png'``, else ``'.jpg'``.

    A JPEG copy (such as the GPU kit's ``camvid_jpg``) is then read as it
    is, instead of being decoded to PNG first.

    Args:
        img_dir (str): The image folder (searched with its sub-folders, as
            mmseg lists it).
        default (str): The suffix where the folder holds neither (the empty
            dataset is then refused by :func:`check_not_empty`, which names
            what the folder holds). Defaults to ``'.png'``.

    Returns:
        str: ``'.png'``, ``'.jpg'`` or ``default``.
    """
    has_jpg = False
    for _, _, files in os.walk(img_dir):
        for name in files:
            suffix = osp.splitext(name)[1]
            if suffix == '.png':
                return '.png'
            has_jpg = has_jpg or suffix == '.jpg'
    return '.jpg' if has_jpg else default


def check_split_file(ann_file: str, dataset: str) -> None:
    """Refuse a split file (``ann_file``) that does not exist.

    mmseg reads the image names from ``ann_file`` when it is a file and
    takes the whole image folder when it is empty or a folder; a missing
    file would fail its ``assert``.

    Args:
        ann_file (str): The dataset's ``ann_file``, joined to its root.
        dataset (str): The dataset class name, for the message.
    """
    if ann_file and not osp.isdir(ann_file) and not osp.isfile(ann_file):
        raise DataError(
            f'{dataset}: the split file (ann_file) `{ann_file}` does not '
            'exist.',
            fix='Give a text file with one image name per line (relative to '
            "data_root), or ann_file='' to take every image of the folder.")


def check_not_empty(data_list: Sequence[dict],
                    img_dir: str,
                    img_suffix: str,
                    dataset: str,
                    ann_file: str = '') -> None:
    """Refuse an empty sample list, saying what the folder holds instead.

    Args:
        data_list (Sequence[dict]): The loaded samples.
        img_dir (str): The image folder.
        img_suffix (str): The suffix images were looked for with.
        dataset (str): The dataset class name, for the message.
        ann_file (str): The split file the samples were listed in, if any
            (mmseg's ``ann_file``). Defaults to ''.
    """
    if len(data_list):
        return
    if ann_file and osp.isfile(ann_file):
        raise DataError(
            f'{dataset}: the split file (ann_file) `{ann_file}` lists no '
            'image.',
            fix='Write one image name per line, without its suffix (e.g. '
            "0001TP_006690), or set ann_file='' to take every image of "
            f'`{img_dir}`.')
    found = set()
    if osp.isdir(img_dir):
        for _, _, files in os.walk(img_dir):
            found.update(
                osp.splitext(name)[1].lower() for name in files
                if osp.splitext(name)[1].lower() in _IMAGE_SUFFIXES)
    if found:
        other = sorted(found)[0]
        fix = (f"Set img_suffix='{other}' in the dataset config (the "
               f'folder holds {sorted(found)} files).')
    else:
        fix = ('Point data_root/data_prefix at the folder that holds the '
               'images, or prepare the dataset (tools/dataset_converters/).')
    raise DataError(
        f'{dataset}: the image folder `{img_dir}` holds no '
        f'`*{img_suffix}` image.',
        fix=fix)


def spread_indices(length: int, count: int) -> List[int]:
    """``count`` indices spread evenly over ``range(length)``; -1: all."""
    if count < 0 or count >= length:
        return list(range(length))
    if count == 0:
        return []
    return sorted(set(np.linspace(0, length - 1, count).round().astype(int)))


def check_label_values(label: np.ndarray,
                       path: str,
                       num_classes: int,
                       void_label: Optional[int] = None,
                       ignore_index: int = 255,
                       reduce_zero_label: bool = False) -> None:
    """Refuse label values other than classes, void and ignore.

    The values are those the map has once loaded by
    :class:`LoadCheckedAnnotations` (void mapped to ignore, zero reduced).

    Args:
        label (np.ndarray): Index map as stored.
        path (str): Its file, for the message.
        num_classes (int): Valid classes are ``0..num_classes-1``.
        void_label (int, optional): Stored value mapped to ignore.
            Defaults to None.
        ignore_index (int): The ignore value. Defaults to 255.
        reduce_zero_label (bool): 0 is ignored and the rest shift down by
            one, as in mmseg. Defaults to False.
    """
    if label.dtype == np.uint8:  # a histogram is ~10x faster than unique
        present = np.flatnonzero(np.bincount(label.ravel(), minlength=256))
    else:
        present = np.unique(label)
    loaded = set()
    for value in present.tolist():
        if value == void_label or value == ignore_index:
            value = ignore_index
        elif reduce_zero_label:
            value = ignore_index if value == 0 else value - 1
        loaded.add(value)
    bad = sorted(v for v in loaded if v >= num_classes and v != ignore_index)
    if bad:
        raise DataError(
            f'The label map `{path}` contains the values {bad}, outside the '
            f'{num_classes} classes (0-{num_classes - 1}) and the ignore '
            f'value {ignore_index}.',
            fix='Map these values to a class or to the ignore value '
            f'{ignore_index}, or set the right dataset/num_classes.')


def check_label_files(dataset,
                      count: int,
                      num_classes: Optional[int],
                      void_label: Optional[int] = None,
                      ignore_index: int = 255) -> None:
    """Decode and check up to ``count`` label maps of a built dataset.

    Args:
        dataset (BaseSegDataset): Fully initialised; its samples have
            ``img_path`` and ``seg_map_path``.
        count (int): How many label maps, spread evenly; -1 checks all, 0
            none.
        num_classes (int, optional): Valid values are ``0..num_classes-1``
            (shifted by one with ``reduce_zero_label``); None checks sizes
            only (colour-coded label maps).
        void_label (int, optional): Another allowed value, mapped to the
            ignore value when loaded. Defaults to None.
        ignore_index (int): The ignore value. Defaults to 255.
    """
    reduce_zero = getattr(dataset, 'reduce_zero_label', False)
    if getattr(dataset, 'label_map', None):
        num_classes = None  # values are remapped when loaded
    for index in spread_indices(len(dataset), count):
        info = dataset.get_data_info(index)
        path = info['seg_map_path']
        if path in _CHECKED:
            continue
        label = read_image_file(path, 'label map', flag='unchanged')
        try:
            with Image.open(info['img_path']) as image:
                width, height = image.size
        except FileNotFoundError:
            raise DataError(
                f'The image file `{info["img_path"]}` does not exist.',
                fix='Restore it or remove the sample from the dataset '
                'folder.') from None
        except OSError as error:
            raise DataError(
                f'The image file `{info["img_path"]}` is not a decodable '
                f'image ({error}).',
                fix='Replace it with a readable PNG/JPEG or remove the '
                'sample from the dataset folder.') from None
        if label.ndim == 3 and num_classes is not None:
            raise DataError(
                f'The label map `{path}` has {label.shape[2]} channels; an '
                'index map (one channel, a class index per pixel) is '
                'expected.',
                fix='Convert colour-coded labels to index maps '
                '(see tools/dataset_converters/).')
        values = label[..., 0] if label.ndim == 3 else label
        check_label_map(values, path, (height, width), None)
        if num_classes is not None:
            check_label_values(values, path, num_classes, void_label,
                               ignore_index, reduce_zero)
        _CHECKED.add(path)
