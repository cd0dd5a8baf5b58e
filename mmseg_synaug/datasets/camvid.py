"""CamVid, the 11-class SegNet version (Brostow et al., 2009)."""
import os.path as osp
from typing import List, Optional

from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from ..utils import DataError, resolve_data_root


@DATASETS.register_module()
class CamVidDataset(BaseSegDataset):
    """CamVid street scenes with 11 classes; the void label 11 is ignored.

    The layout is that of the SegNet tutorial: ``train/``, ``trainannot/``,
    ``val/``, ``valannot/`` (and ``test/``, ``testannot/``), images and label
    maps sharing file names; label maps are index PNGs with values 0-10 and
    11 for void. Void is mapped to ``ignore_index`` when labels are loaded.

    Args:
        data_root (str, optional): Dataset root. None looks it up in the
            documented order (see :func:`resolve_data_root`).
            Defaults to None.
        data_prefix (dict): Image and label sub-folders.
            Defaults to ``dict(img_path='train', seg_map_path='trainannot')``.
        **kwargs: Passed to :class:`mmseg.datasets.BaseSegDataset`.
    """

    METAINFO = dict(
        classes=('Sky', 'Building', 'Pole', 'Road', 'Pavement', 'Tree',
                 'SignSymbol', 'Fence', 'Car', 'Pedestrian', 'Bicyclist'),
        palette=[[128, 128, 128], [128, 0, 0], [192, 192, 128],
                 [128, 64, 128], [60, 40, 222], [128, 128, 0],
                 [192, 128, 128], [64, 64, 128], [64, 0, 128], [64, 64, 0],
                 [0, 128, 192]])
    #: Label value of unlabelled pixels in the CamVid label maps.
    VOID_LABEL = 11

    def __init__(self,
                 data_root: Optional[str] = None,
                 data_prefix: dict = dict(
                     img_path='train', seg_map_path='trainannot'),
                 **kwargs) -> None:
        data_root = resolve_data_root(
            'camvid',
            data_root,
            required=tuple(data_prefix.values()),
            converter='tools/dataset_converters/camvid.py')
        super().__init__(
            data_root=data_root,
            data_prefix=data_prefix,
            img_suffix='.png',
            seg_map_suffix='.png',
            **kwargs)

    def load_data_list(self) -> List[dict]:
        """Pair every image with its label map; a missing label is an error.

        Returns:
            list[dict]: One dict per sample, with ``void_label`` and
            ``num_classes`` for :class:`LoadCheckedAnnotations`.
        """
        data_list = super().load_data_list()
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
