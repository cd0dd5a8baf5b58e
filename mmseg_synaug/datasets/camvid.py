"""CamVid, the 11-class SegNet version (Brostow et al., 2009)."""
import os.path as osp
from typing import List, Optional

from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from ..utils import DataError, resolve_data_root
from .checks import (check_label_files, check_not_empty, check_split_file,
                     detect_image_suffix)


@DATASETS.register_module()
class CamVidDataset(BaseSegDataset):
    """CamVid street scenes with 11 classes; the void label 11 is ignored.

    The layout is that of the SegNet tutorial: ``train/``, ``trainannot/``,
    ``val/``, ``valannot/`` (and ``test/``, ``testannot/``), images and label
    maps sharing file names; label maps are index PNGs with values 0-10 and
    11 for void. Void is mapped to ``ignore_index`` when labels are loaded.
    When built, the dataset checks its files (see
    :mod:`mmseg_synaug.datasets.checks`): not empty, every image paired
    with its label map, and ``check_labels`` label maps decoded.

    Args:
        data_root (str, optional): Dataset root. None looks it up in the
            documented order (see :func:`resolve_data_root`).
            Defaults to None.
        data_prefix (dict): Image and label sub-folders.
            Defaults to ``dict(img_path='train', seg_map_path='trainannot')``.
        img_suffix (str, optional): Suffix of the images. None takes
            ``'.png'``, or ``'.jpg'`` where the image folder holds JPEG
            images and no PNG (a JPEG copy such as the GPU kit's
            ``camvid_jpg`` is read as it is; see
            :func:`~mmseg_synaug.datasets.checks.detect_image_suffix`).
            Defaults to None.
        seg_map_suffix (str): Suffix of the label maps.
            Defaults to ``'.png'``.
        check_labels (int): Label maps decoded and checked when the dataset
            is built, spread evenly over it; -1 checks all, 0 none.
            Defaults to 200.
        **kwargs: Passed to :class:`mmseg.datasets.BaseSegDataset`.
    """

    METAINFO = dict(
        classes=('Sky', 'Building', 'Pole', 'Road', 'Pavement', 'Tree',
                 'SignSymbol', 'Fence', 'Car', 'Pedestrian', 'Bicyclist'),
        palette=[[128, 128, 128], [128, 0, 0], [192, 192, 128], [128, 64, 128],
                 [60, 40, 222], [128, 128, 0], [192, 128, 128], [64, 64, 128],
                 [64, 0, 128], [64, 64, 0], [0, 128, 192]])
    #: Label value of unlabelled pixels in the CamVid label maps.
    VOID_LABEL = 11

    def __init__(self,
                 data_root: Optional[str] = None,
                 data_prefix: dict = dict(
                     img_path='train', seg_map_path='trainannot'),
                 img_suffix: Optional[str] = None,
                 seg_map_suffix: str = '.png',
                 check_labels: int = 200,
                 **kwargs) -> None:
        self.check_labels = check_labels
        data_root = resolve_data_root(
            'camvid',
            data_root,
            required=tuple(data_prefix.values()),
            converter='tools/dataset_converters/camvid.py')
        if img_suffix is None:
            img_suffix = detect_image_suffix(
                osp.join(data_root, data_prefix.get('img_path', '')))
        super().__init__(
            data_root=data_root,
            data_prefix=data_prefix,
            img_suffix=img_suffix,
            seg_map_suffix=seg_map_suffix,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        """Pair every image with its label map; a missing label is an error.

        Returns:
            list[dict]: One dict per sample, with ``void_label`` and
            ``num_classes`` for :class:`LoadCheckedAnnotations`.
        """
        check_split_file(self.ann_file, type(self).__name__)
        data_list = super().load_data_list()
        check_not_empty(data_list, self.data_prefix['img_path'],
                        self.img_suffix,
                        type(self).__name__, self.ann_file)
        for data_info in data_list:
            if not osp.isfile(data_info['seg_map_path']):
                raise DataError(
                    f'The image `{data_info["img_path"]}` has no label map '
                    f'`{data_info["seg_map_path"]}`.',
                    fix='Restore the label map or remove the image from '
                    'the dataset folder.')
            data_info['void_label'] = self.VOID_LABEL
            data_info['num_classes'] = len(self.METAINFO['classes'])
        return data_list

    def full_init(self) -> None:
        """Load the sample list, then check ``check_labels`` label maps."""
        if self._fully_initialized:
            return
        super().full_init()
        check_label_files(self, self.check_labels,
                          len(self.METAINFO['classes']), self.VOID_LABEL,
                          self.ignore_index)
