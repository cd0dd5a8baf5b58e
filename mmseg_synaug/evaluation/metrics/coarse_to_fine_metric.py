"""How much a refined label map improves on the coarse one, same pixels."""
import os.path as osp
from collections import OrderedDict
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
from mmengine.dist import is_main_process
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger, print_log
from mmengine.utils import mkdir_or_exist
from mmseg.evaluation import IoUMetric
from mmseg.registry import METRICS
from prettytable import PrettyTable

from ...utils import DataError
from .seg_metric import segmentation_scores

__all__ = [
    'CoarseToFineMetric', 'label_boundaries', 'boundary_counts',
    'boundary_f_score'
]


def label_boundaries(label: np.ndarray,
                     ignore_index: Optional[int] = None) -> np.ndarray:
    """Pixels next to (4-neighbourhood) a pixel of another label.

    Both pixels of a differing pair are marked, so a boundary is two pixels
    wide. With ``ignore_index``, pairs involving an ignored pixel are not
    boundaries.

    Args:
        label (np.ndarray): Index map of shape (H, W).
        ignore_index (int, optional): Value whose edges do not count.
            Defaults to None (every value is a label).

    Returns:
        np.ndarray: Boolean map of shape (H, W).
    """
    boundary = np.zeros(label.shape, dtype=bool)
    for axis in (0, 1):
        first = label[:-1] if axis == 0 else label[:, :-1]
        second = label[1:] if axis == 0 else label[:, 1:]
        diff = first != second
        if ignore_index is not None:
            diff &= (first != ignore_index) & (second != ignore_index)
        if axis == 0:
            boundary[:-1] |= diff
            boundary[1:] |= diff
        else:
            boundary[:, :-1] |= diff
            boundary[:, 1:] |= diff
    return boundary


def _distance_to(mask: np.ndarray) -> np.ndarray:
    """Euclidean distance of every pixel to the nearest True pixel."""
    if not mask.any():
        return np.full(mask.shape, np.inf, dtype=np.float32)
    return cv2.distanceTransform((~mask).astype(np.uint8), cv2.DIST_L2,
                                 cv2.DIST_MASK_PRECISE)


def boundary_counts(pred: np.ndarray,
                    label: np.ndarray,
                    tolerance: float,
                    ignore_index: int = 255) -> np.ndarray:
    """Boundary pixels of prediction and label, and how many are matched.

    A predicted boundary pixel is matched when a label boundary pixel lies
    within ``tolerance`` pixels (Euclidean), and the other way round.
    Predicted boundaries count only where the label is not ignored; label
    boundaries only between two labelled pixels.

    Args:
        pred (np.ndarray): Predicted index map, (H, W); its ignore value, if
            any, counts as a label of its own.
        label (np.ndarray): Ground-truth index map, (H, W).
        tolerance (float): Matching distance in pixels.
        ignore_index (int): The ignore value of ``label``. Defaults to 255.

    Returns:
        np.ndarray: ``[pred_total, pred_matched, label_total,
        label_matched]``, int64.
    """
    valid = label != ignore_index
    pred_boundary = label_boundaries(pred) & valid
    label_boundary = label_boundaries(label, ignore_index)
    pred_matched = pred_boundary & (_distance_to(label_boundary) <= tolerance)
    label_matched = label_boundary & (_distance_to(pred_boundary) <= tolerance)
    return np.array([
        pred_boundary.sum(),
        pred_matched.sum(),
        label_boundary.sum(),
        label_matched.sum()
    ],
                    dtype=np.int64)


def boundary_f_score(counts: np.ndarray) -> Tuple[float, float, float]:
    """Precision, recall and F-score from :func:`boundary_counts`.

    Args:
        counts (np.ndarray): ``[pred_total, pred_matched, label_total,
            label_matched]``, summed over images.

    Returns:
        tuple[float, float, float]: Precision, recall and F-score in
        [0, 1]; a side without boundaries has precision (or recall) 1.
    """
    pred_total, pred_matched, label_total, label_matched = counts.astype(
        np.float64)
    precision = pred_matched / pred_total if pred_total else 1.0
    recall = label_matched / label_total if label_total else 1.0
    score = (2 * precision * recall / (precision + recall) if precision +
             recall else 0.0)
    return precision, recall, score


@METRICS.register_module()
class CoarseToFineMetric(BaseMetric):
    """Scores of the refined map and of the coarse map against the fine map.

    On the same pixels (those labelled in the fine map): pixel accuracy
    (``aAcc``), class accuracy (``mAcc``), ``mIoU``, ``fwIoU`` and the
    boundary F-score (``bF``, boundaries matched within
    ``boundary_tolerance`` pixels, pooled over the images) of the refined
    prediction, and the same scores of the coarse map itself, the reference,
    as ``coarse.aAcc``, ... Unlabelled (ignored) pixels of the coarse map
    count as errors; ``coarse.coverage`` is the share of the fine map's
    pixels that the coarse map labels. Scores are in percent. The data
    samples need ``gt_coarse_seg_map`` at the size of ``gt_sem_seg`` (see
    :class:`PackCoarseFineInputs`).

    Args:
        boundary_tolerance (float): Boundary matching distance in pixels of
            the original label map. Defaults to 3.
        ignore_index (int): The ignore value. Defaults to 255.
        output_dir (str, optional): Also write each refined map there as
            an index PNG named like its image (``tools/test.py --out``).
            Defaults to None.
        collect_device (str): Defaults to ``'cpu'``.
        prefix (str, optional): Prefix of the metric names.
            Defaults to None.
        **kwargs: Accepted and ignored, as by mmseg's IoUMetric
            (e.g. ``keep_results`` from ``tools/test.py``).
    """

    default_prefix: Optional[str] = None

    def __init__(self,
                 boundary_tolerance: float = 3.0,
                 ignore_index: int = 255,
                 output_dir: Optional[str] = None,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None,
                 **kwargs) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        self.boundary_tolerance = boundary_tolerance
        self.ignore_index = ignore_index
        self.output_dir = output_dir
        if output_dir and is_main_process():
            mkdir_or_exist(output_dir)

    def _counts(self, pred: torch.Tensor, label: torch.Tensor) -> dict:
        num_classes = len(self.dataset_meta['classes'])
        area = IoUMetric.intersect_and_union(pred, label, num_classes,
                                             self.ignore_index)
        return dict(
            area=[a.cpu().numpy().astype(np.float64) for a in area],
            boundary=boundary_counts(pred.cpu().numpy(),
                                     label.cpu().numpy(),
                                     self.boundary_tolerance,
                                     self.ignore_index))

    def process(self, data_batch: dict, data_samples: Sequence[dict]) -> None:
        """Count pixels and boundary pixels of the refined and coarse maps.

        Args:
            data_batch (dict): A batch from the dataloader (unused).
            data_samples (Sequence[dict]): Model outputs with
                ``pred_sem_seg``, ``gt_sem_seg`` and ``gt_coarse_seg_map``.
        """
        for data_sample in data_samples:
            if 'gt_coarse_seg_map' not in data_sample:
                raise DataError(
                    'CoarseToFineMetric needs `gt_coarse_seg_map` in the data '
                    f'sample of `{data_sample.get("img_path")}`.',
                    fix='End the test pipeline with PackCoarseFineInputs and '
                    'load the coarse map before it.')
            pred = data_sample['pred_sem_seg']['data'].squeeze()
            label = data_sample['gt_sem_seg']['data'].squeeze().to(pred)
            coarse = data_sample['gt_coarse_seg_map']['data'].squeeze().to(
                pred)
            if coarse.shape != label.shape:
                raise DataError(
                    f'The coarse map of `{data_sample.get("img_path")}` is '
                    f'{tuple(coarse.shape)}, its fine map '
                    f'{tuple(label.shape)} (HxW).',
                    fix='Load both label maps after the test Resize (as mmseg '
                    'test pipelines do), so both keep the original size.')
            if self.output_dir:
                name = osp.splitext(osp.basename(data_sample['img_path']))[0]
                cv2.imwrite(
                    osp.join(self.output_dir, name + '.png'),
                    pred.cpu().numpy().astype(np.uint8))
            valid = label != self.ignore_index
            self.results.append(
                dict(
                    refined=self._counts(pred, label),
                    coarse=self._counts(coarse, label),
                    coverage=np.array([
                        (valid & (coarse != self.ignore_index)).sum().item(),
                        valid.sum().item()
                    ])))

    def _scores(self, results: List[dict], key: str) -> Dict[str, float]:
        area = [
            sum(column) for column in zip(*(r[key]['area'] for r in results))
        ]
        scores = segmentation_scores(*area)
        boundary = sum(r[key]['boundary'] for r in results)
        scores['bF'] = boundary_f_score(boundary)[2]
        return scores

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Compute the scores of both maps.

        Args:
            results (list[dict]): Per-image counts from :meth:`process`.

        Returns:
            dict[str, float]: Refined scores (``aAcc``, ``mAcc``, ``mIoU``,
            ``fwIoU``, ``bF``), coarse scores (``coarse.`` + the same) and
            ``coarse.coverage``, in percent with 2 decimals.
        """
        logger: MMLogger = MMLogger.get_current_instance()
        refined = self._scores(results, 'refined')
        coarse = self._scores(results, 'coarse')
        covered, total = sum(r['coverage'] for r in results)
        keys = ('aAcc', 'mAcc', 'mIoU', 'fwIoU', 'bF')

        table = PrettyTable(field_names=['Map', *keys])
        for name, scores in (('coarse', coarse), ('refined', refined)):
            table.add_row(
                [name, *(f'{float(scores[k]) * 100:.2f}' for k in keys)])
        print_log('coarse map vs refined map, against the fine map:', logger)
        print_log('\n' + table.get_string(), logger=logger)

        metrics = OrderedDict(
            (k, round(float(refined[k]) * 100, 2)) for k in keys)
        for k in keys:
            metrics[f'coarse.{k}'] = round(float(coarse[k]) * 100, 2)
        metrics['coarse.coverage'] = round(100 * covered / max(total, 1), 2)
        return metrics
