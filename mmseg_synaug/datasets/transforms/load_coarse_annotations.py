"""Load an index-coded coarse label map (e.g. Cityscapes gtCoarse)."""
from mmseg.registry import TRANSFORMS

from .loading import LoadCheckedAnnotations

__all__ = ['LoadCoarseAnnotations']


@TRANSFORMS.register_module()
class LoadCoarseAnnotations(LoadCheckedAnnotations):
    """Load the coarse index map at ``coarse_seg_map_path``.

    The same checks as :class:`LoadCheckedAnnotations` (missing or
    undecodable file, size differing from the image's, value outside the
    classes), with the same void, ``reduce_zero_label`` and ``label_map``
    handling, applied to the coarse map of the sample, e.g. Cityscapes'
    ``*_gtCoarse_labelTrainIds.png``.

    Required Keys:

    - coarse_seg_map_path
    - ori_shape (optional): original image size, for the size check
    - num_classes (optional): for the value check
    - void_label, label_map, reduce_zero_label (optional)

    Added Keys:

    - gt_coarse_seg_map (np.uint8)
    - seg_fields

    Args:
        **kwargs: Passed to :class:`LoadCheckedAnnotations`.
    """

    def transform(self, results: dict) -> dict:
        """Load ``gt_coarse_seg_map``.

        Args:
            results (dict): Result dict with ``coarse_seg_map_path``.

        Returns:
            dict: ``results`` with ``gt_coarse_seg_map`` added to it and to
            ``seg_fields``.
        """
        loaded = dict(
            results,
            seg_map_path=results['coarse_seg_map_path'],
            seg_fields=[])
        self._load_seg_map(loaded)
        results['gt_coarse_seg_map'] = loaded['gt_seg_map']
        results.setdefault('seg_fields', []).append('gt_coarse_seg_map')
        return results
