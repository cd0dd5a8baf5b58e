"""Pack the image, the fine map and the coarse map for a refiner."""
from typing import Sequence

import mmcv
import numpy as np
from mmcv.transforms import to_tensor
from mmengine.structures import PixelData
from mmseg.datasets.transforms import PackSegInputs
from mmseg.registry import TRANSFORMS

from ...utils import DataError

__all__ = ['PackCoarseFineInputs']


@TRANSFORMS.register_module()
class PackCoarseFineInputs(PackSegInputs):
    """Pack inputs like :class:`PackSegInputs`, plus the coarse label map.

    The coarse map goes into the :obj:`SegDataSample` twice:

    - ``coarse_seg_map`` (:obj:`PixelData`): the refiner's input, at the
      size of the packed image. mmseg test pipelines resize the image before
      the label maps are loaded, so the coarse map is resized here (nearest
      neighbour) when its size differs from the image's, exactly as
      ``Resize`` resizes label maps;
    - ``gt_coarse_seg_map`` (:obj:`PixelData`): at the size of
      ``gt_sem_seg`` (the original size at test time), for metrics that
      compare the coarse map with the fine one on the same pixels.

    With ``has_fine_label=False`` the sample counts as coarse-only: its
    ``gt_sem_seg`` is all ``ignore_index`` (the fine map is not used) and
    the metainfo ``has_fine_label`` is False, which a refiner with a
    discriminator uses to train on it without fine labels.

    Required Keys:

    - img
    - gt_coarse_seg_map
    - gt_seg_map (optional)
    - the ``meta_keys``

    Added Keys:

    - inputs (torch.Tensor)
    - data_samples (SegDataSample): with ``gt_sem_seg``,
      ``coarse_seg_map``, ``gt_coarse_seg_map`` and the metainfo
      ``has_fine_label``

    Args:
        has_fine_label (bool): Whether the fine map is used as ground truth.
            Defaults to True.
        ignore_index (int): The ignore value. Defaults to 255.
        meta_keys (Sequence[str]): Metainfo keys, as for
            :class:`PackSegInputs`.
    """

    def __init__(
        self,
        has_fine_label: bool = True,
        ignore_index: int = 255,
        meta_keys: Sequence[str] = ('img_path', 'seg_map_path', 'ori_shape',
                                    'img_shape', 'pad_shape', 'scale_factor',
                                    'flip', 'flip_direction',
                                    'reduce_zero_label')
    ) -> None:
        super().__init__(meta_keys=meta_keys)
        self.has_fine_label = has_fine_label
        self.ignore_index = ignore_index

    def transform(self, results: dict) -> dict:
        """Pack the inputs, the fine and the coarse maps.

        Args:
            results (dict): Result dict from the data pipeline.

        Returns:
            dict: ``inputs`` and ``data_samples``.
        """
        if 'gt_coarse_seg_map' not in results:
            raise DataError(
                f'No coarse label map for `{results.get("img_path")}`: '
                'PackCoarseFineInputs needs `gt_coarse_seg_map`.',
                fix='Load it with LoadFASSEGAnnotations(with_coarse=True) or '
                'LoadCoarseAnnotations, or simulate it with '
                'SimulateCoarseLabels, before PackCoarseFineInputs.')
        if not self.has_fine_label and 'gt_seg_map' in results:
            results['gt_seg_map'] = np.full_like(results['gt_seg_map'],
                                                 self.ignore_index)
        packed = super().transform(results)
        data_sample = packed['data_samples']

        coarse = np.ascontiguousarray(results['gt_coarse_seg_map'])
        data_sample.gt_coarse_seg_map = PixelData(
            data=to_tensor(coarse[None].astype(np.int64)))
        img_shape = results['img'].shape[:2]
        if coarse.shape[:2] != img_shape:
            coarse = mmcv.imresize(
                coarse, (img_shape[1], img_shape[0]), interpolation='nearest')
        data_sample.coarse_seg_map = PixelData(
            data=to_tensor(coarse[None].astype(np.int64)))
        data_sample.set_metainfo(dict(has_fine_label=self.has_fine_label))
        return packed

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}('
                f'has_fine_label={self.has_fine_label}, '
                f'ignore_index={self.ignore_index}, '
                f'meta_keys={self.meta_keys})')
