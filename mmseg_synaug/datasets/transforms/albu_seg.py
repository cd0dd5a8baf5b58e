"""Albumentations for segmentation, with every label map kept aligned.

Albumentations is optional (``pip install 'mmseg_synaug[albu]'``): it is
imported only when an :class:`AlbuSeg` is built.
"""
import importlib
from typing import List

import cv2
from mmseg.datasets.transforms import Albu
from mmseg.registry import TRANSFORMS


def require_albumentations() -> None:
    """Import albumentations, or say which extra installs it.

    Raises:
        ImportError: albumentations is not installed; the message names
            the ``albu`` extra of mmseg_synaug.
    """
    try:
        importlib.import_module('albumentations')
    except ImportError as error:
        raise ImportError(
            'AlbuSeg needs albumentations, an optional dependency of '
            "mmseg_synaug: install it with `pip install 'mmseg_synaug[albu]'` "
            '(the tested version is pinned in requirements/albu.txt).'
        ) from error


@TRANSFORMS.register_module()
class AlbuSeg(Albu):
    """mmseg's :class:`Albu`, fixed for segmentation pipelines.

    mmseg's ``Albu`` hands albumentations only ``img`` and ``gt_seg_map``,
    so a second label map (``gt_coarse_seg_map`` of the coarse-to-fine
    refiner, say) silently misses every flip, crop or rotation; and it
    leaves ``img_shape`` stale after a crop or resize, which later
    transforms and ``PackSegInputs`` read. ``AlbuSeg`` passes every field of
    ``seg_fields`` as albumentations ``masks`` (one set of random draws for
    all) and updates ``img_shape``. Give geometric transforms
    ``fill_mask=255`` so that filled borders are ignored, not class 0.

    Required Keys:

    - img
    - seg_fields and the label maps they name

    Modified Keys:

    - img
    - img_shape
    - every key in seg_fields
    - pad_shape (with ``update_pad_shape``)

    Args:
        transforms (list[dict]): Albumentations transforms, as in
            :class:`mmseg.datasets.transforms.Albu`.
        update_pad_shape (bool): Also set ``pad_shape`` to the output
            shape. Defaults to False.
    """

    def __init__(self,
                 transforms: List[dict],
                 update_pad_shape: bool = False) -> None:
        require_albumentations()
        super().__init__(transforms, update_pad_shape=update_pad_shape)

    def transform(self, results: dict) -> dict:
        fields = list(results.get('seg_fields', []))
        output = self.aug(
            image=cv2.cvtColor(results['img'], cv2.COLOR_BGR2RGB),
            masks=[results[key] for key in fields])
        results['img'] = cv2.cvtColor(output['image'], cv2.COLOR_RGB2BGR)
        for key, mask in zip(fields, output['masks']):
            results[key] = mask
        results['img_shape'] = results['img'].shape[:2]
        if self.update_pad_shape:
            results['pad_shape'] = results['img'].shape[:2]
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(transforms={self.transforms}, '
                f'update_pad_shape={self.update_pad_shape})')
