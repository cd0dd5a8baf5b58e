"""Pixel accuracy, class accuracy, mIoU, frequency-weighted IoU, per class."""
from collections import OrderedDict
from typing import Dict, List, Sequence

import numpy as np
import torch
from mmengine.logging import MMLogger, print_log
from mmseg.evaluation import IoUMetric
from mmseg.registry import METRICS
from prettytable import PrettyTable


def segmentation_scores(intersect: np.ndarray, union: np.ndarray,
                        pred_area: np.ndarray,
                        label_area: np.ndarray) -> Dict[str, np.ndarray]:
    """Compute the scores of the FCN paper from per-class pixel counts.

    Args:
        intersect (np.ndarray): Pixels predicted as and labelled class c,
            shape (K,).
        union (np.ndarray): Pixels predicted as or labelled class c, (K,).
        pred_area (np.ndarray): Pixels predicted as class c, (K,).
        label_area (np.ndarray): Pixels labelled class c, (K,).

    Returns:
        dict[str, np.ndarray]: ``aAcc`` (pixel accuracy), ``mAcc`` (mean
        class accuracy), ``mIoU``, ``fwIoU`` (IoU averaged with weights the
        classes' pixel shares) as scalars in [0, 1], and per-class ``IoU``,
        ``Acc`` and ``Freq`` (pixel share) of shape (K,). Classes absent
        from both labels and predictions have NaN IoU and are left out of
        the means.
    """
    with np.errstate(divide='ignore', invalid='ignore'):
        iou = intersect / union
        acc = intersect / label_area
    freq = label_area / label_area.sum()
    present = label_area > 0
    return dict(
        aAcc=intersect.sum() / label_area.sum(),
        mAcc=np.nanmean(acc),
        mIoU=np.nanmean(iou),
        fwIoU=(freq[present] * iou[present]).sum(),
        IoU=iou,
        Acc=acc,
        Freq=freq)


@METRICS.register_module()
class SegMetric(IoUMetric):
    """The scores segmentation papers report, with a per-class table.

    Pixel accuracy (``aAcc``), class accuracy (``mAcc``), ``mIoU`` and
    frequency-weighted IoU (``fwIoU``, which mmseg's IoUMetric lacks), in
    percent, plus ``IoU.<class>`` and ``Acc.<class>`` for each class, so that
    per-class scores reach the logs and the plots. Accumulation is
    :class:`mmseg.evaluation.IoUMetric`'s.

    Args:
        **kwargs: Passed to :class:`mmseg.evaluation.IoUMetric`
            (``ignore_index``, ``output_dir``, ``format_only``, ...).
    """

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault('iou_metrics', ['mIoU'])
        super().__init__(**kwargs)

    def compute_metrics(
            self, results: List[Sequence[torch.Tensor]]) -> Dict[str, float]:
        """Compute the scores from the per-batch pixel counts.

        Args:
            results (list): ``(intersect, union, pred_area, label_area)``
                per image, as gathered by :meth:`process`.

        Returns:
            dict[str, float]: Scores in percent, rounded to 2 decimals.
        """
        logger: MMLogger = MMLogger.get_current_instance()
        counts = [
            sum(column).cpu().numpy().astype(np.float64)
            for column in zip(*results)
        ]
        scores = segmentation_scores(*counts)
        classes = self.dataset_meta['classes']

        table = PrettyTable(field_names=['Class', 'IoU', 'Acc', 'Freq'])
        for i, name in enumerate(classes):
            table.add_row([
                name, *(f'{scores[key][i] * 100:.2f}'
                        for key in ('IoU', 'Acc', 'Freq'))
            ])
        print_log('per class results:', logger)
        print_log('\n' + table.get_string(), logger=logger)

        metrics = OrderedDict((key, round(float(scores[key]) * 100, 2))
                              for key in ('aAcc', 'mAcc', 'mIoU', 'fwIoU'))
        for key in ('IoU', 'Acc'):
            for i, name in enumerate(classes):
                metrics[f'{key}.{name}'] = round(
                    float(scores[key][i]) * 100, 2)
        return metrics
