"""Cityscapes with its real coarse annotations (gtCoarse) beside gtFine."""
import os.path as osp
from typing import List

from mmseg.datasets import CityscapesDataset
from mmseg.registry import DATASETS

from ..utils import DataError
from .checks import check_not_empty, check_split_file

__all__ = ['CityscapesCoarseFineDataset']


@DATASETS.register_module()
class CityscapesCoarseFineDataset(CityscapesDataset):
    """Cityscapes samples paired with their gtCoarse label maps.

    Each image ``leftImg8bit/<split>/<city>/<name>_leftImg8bit.png`` gets the
    fine map (``seg_map_path``, ``gtFine/...``, as in
    :class:`mmseg.datasets.CityscapesDataset`) and the coarse map
    ``coarse_seg_map_path`` = ``gtCoarse/<split>/<city>/<name>`` +
    ``coarse_seg_map_suffix``, which :class:`LoadCoarseAnnotations` loads.
    Make the ``*_gtCoarse_labelTrainIds.png`` files with the cityscapesScripts
    (``createTrainIdLabelImgs``, which also converts gtCoarse), as mmseg's
    ``tools/dataset_converters/cityscapes.py`` does for gtFine.

    Args:
        data_prefix (dict): ``img_path``, ``seg_map_path`` and
            ``coarse_seg_map_path`` folders, relative to ``data_root``.
            Defaults to the train split.
        coarse_seg_map_suffix (str): Suffix of the coarse maps.
            Defaults to ``'_gtCoarse_labelTrainIds.png'``.
        **kwargs: Passed to :class:`mmseg.datasets.CityscapesDataset`
            (``img_suffix``, ``seg_map_suffix`` among them, e.g.
            ``img_suffix='_leftImg8bit.jpg'`` for a JPEG copy).
    """

    def __init__(self,
                 data_prefix: dict = dict(
                     img_path='leftImg8bit/train',
                     seg_map_path='gtFine/train',
                     coarse_seg_map_path='gtCoarse/train'),
                 coarse_seg_map_suffix: str = '_gtCoarse_labelTrainIds.png',
                 **kwargs) -> None:
        if 'coarse_seg_map_path' not in data_prefix:
            raise DataError(
                'CityscapesCoarseFineDataset: `data_prefix` has no '
                f'`coarse_seg_map_path` (got {data_prefix}).',
                fix="Add e.g. coarse_seg_map_path='gtCoarse/train' to "
                'data_prefix.')
        self.coarse_seg_map_suffix = coarse_seg_map_suffix
        super().__init__(data_prefix=data_prefix, **kwargs)

    def load_data_list(self) -> List[dict]:
        """Pair every image with its fine and coarse label maps.

        Returns:
            list[dict]: One dict per sample with ``seg_map_path`` and
            ``coarse_seg_map_path``.
        """
        check_split_file(self.ann_file, type(self).__name__)
        data_list = super().load_data_list()
        img_dir = self.data_prefix['img_path']
        check_not_empty(data_list, img_dir, self.img_suffix,
                        type(self).__name__, self.ann_file)
        coarse_dir = self.data_prefix['coarse_seg_map_path']
        for data_info in data_list:
            stem = osp.relpath(data_info['img_path'],
                               img_dir)[:-len(self.img_suffix)]
            coarse = osp.join(coarse_dir, stem + self.coarse_seg_map_suffix)
            if not osp.isfile(coarse):
                raise DataError(
                    f'The image `{data_info["img_path"]}` has no coarse '
                    f'label map `{coarse}`.',
                    fix='Unpack gtCoarse beside gtFine and run '
                    'cityscapesScripts createTrainIdLabelImgs, or remove the '
                    'image from the dataset folder.')
            data_info['coarse_seg_map_path'] = coarse
        return data_list
