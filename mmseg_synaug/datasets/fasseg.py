"""FASSEG frontal faces with coarse and fine labels (Khan et al., 2015)."""
import os.path as osp
from typing import List, Optional

from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from ..utils import DataError, resolve_data_root
from .checks import check_label_files, check_not_empty, check_split_file


@DATASETS.register_module()
class FASSEGDataset(BaseSegDataset):
    """FASSEG frontal faces: 6 classes, a coarse and a fine map per image.

    The layout is ``images/{split}/N.png``, ``coarse/{split}/N.png`` and
    ``fine/{split}/N.png``; label maps are colour-coded RGB with
    anti-aliased boundaries, converted to class indices by
    :class:`LoadFASSEGAnnotations` (each pixel snapped to the nearest class
    colour). ``seg_map_path`` is the map trained on (``label_quality``) and
    ``coarse_seg_map_path`` always the coarse one, so the coarse/fine pair
    of an image is reachable.

    Args:
        split (str): ``'train'`` or ``'test'``. Defaults to ``'train'``.
        label_quality (str): Which map is the ground truth, ``'fine'`` or
            ``'coarse'``. Defaults to ``'fine'``.
        data_root (str, optional): Dataset root. None looks it up in the
            documented order (see :func:`resolve_data_root`).
            Defaults to None.
        img_suffix (str): Suffix of the images. Defaults to ``'.png'``.
        seg_map_suffix (str): Suffix of the label maps.
            Defaults to ``'.png'``.
        check_labels (int): Label maps whose size is checked against their
            image when the dataset is built (colour maps: no value check),
            spread evenly; -1 checks all, 0 none. Defaults to 200.
        **kwargs: Passed to :class:`mmseg.datasets.BaseSegDataset`.
    """

    METAINFO = dict(
        classes=('background', 'hair', 'skin', 'eyes', 'nose', 'mouth'),
        palette=[[255, 0, 0], [127, 0, 0], [255, 255, 0], [0, 0, 255],
                 [0, 255, 255], [0, 255, 0]])

    def __init__(self,
                 split: str = 'train',
                 label_quality: str = 'fine',
                 data_root: Optional[str] = None,
                 img_suffix: str = '.png',
                 seg_map_suffix: str = '.png',
                 check_labels: int = 200,
                 **kwargs) -> None:
        self.check_labels = check_labels
        if split not in ('train', 'test'):
            raise DataError(
                f'FASSEG split `{split}` does not exist.',
                fix="Use split='train' or split='test'.")
        if label_quality not in ('fine', 'coarse'):
            raise DataError(
                f'FASSEG label_quality `{label_quality}` does not exist.',
                fix="Use label_quality='fine' or label_quality='coarse'.")
        self.split = split
        self.label_quality = label_quality
        data_root = resolve_data_root(
            'fasseg_frontal',
            data_root,
            required=(f'images/{split}', f'coarse/{split}', f'fine/{split}'),
            converter='tools/dataset_converters/fasseg.py')
        super().__init__(
            data_root=data_root,
            data_prefix=dict(
                img_path=f'images/{split}',
                seg_map_path=f'{label_quality}/{split}'),
            img_suffix=img_suffix,
            seg_map_suffix=seg_map_suffix,
            **kwargs)

    def load_data_list(self) -> List[dict]:
        """Pair every image with its coarse and fine label maps.

        Returns:
            list[dict]: One dict per sample with ``seg_map_path`` and
            ``coarse_seg_map_path``.
        """
        check_split_file(self.ann_file, type(self).__name__)
        data_list = super().load_data_list()
        check_not_empty(data_list, self.data_prefix['img_path'],
                        self.img_suffix,
                        type(self).__name__, self.ann_file)
        coarse_dir = osp.join(self.data_root, 'coarse', self.split)
        for data_info in data_list:
            name = osp.basename(data_info['seg_map_path'])
            data_info['coarse_seg_map_path'] = osp.join(coarse_dir, name)
            for key in ('seg_map_path', 'coarse_seg_map_path'):
                if not osp.isfile(data_info[key]):
                    raise DataError(
                        f'The image `{data_info["img_path"]}` has no label '
                        f'map `{data_info[key]}`.',
                        fix='Restore the label map or remove the image from '
                        'the dataset folder.')
            data_info['num_classes'] = len(self.METAINFO['classes'])
        return data_list

    def full_init(self) -> None:
        """Load the sample list, then check ``check_labels`` label sizes."""
        if self._fully_initialized:
            return
        super().full_init()
        check_label_files(self, self.check_labels, None)
