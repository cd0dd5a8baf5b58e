"""SegMetric against scores computed by hand."""
import numpy as np
import pytest
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmseg_synaug.evaluation import SegMetric, segmentation_scores


def sample(pred, label) -> dict:
    data_sample = SegDataSample()
    data_sample.pred_sem_seg = PixelData(data=torch.tensor(pred)[None])
    data_sample.gt_sem_seg = PixelData(data=torch.tensor(label)[None])
    return data_sample.to_dict()


def test_scores_by_hand():
    # 3 classes; 255 ignored. Label counts: c0=4, c1=3, c2=1 (8 pixels).
    label = np.array([[0, 0, 0, 0], [1, 1, 1, 2], [255, 255, 255, 255]])
    pred = np.array([[0, 0, 0, 1], [1, 1, 0, 0], [2, 2, 2, 2]])
    metric = SegMetric()
    metric.dataset_meta = dict(classes=('a', 'b', 'c'))
    metric.process({}, [sample(pred, label)])
    scores = metric.compute_metrics(metric.results)
    # c0: TP 3, pred 5, label 4 -> union 6, IoU 3/6, acc 3/4
    # c1: TP 2, pred 3, label 3 -> union 4, IoU 2/4, acc 2/3
    # c2: TP 0, pred 0 (ignored pixels do not count), label 1 -> IoU 0
    iou = np.array([3 / 6, 2 / 4, 0.0])
    acc = np.array([3 / 4, 2 / 3, 0.0])
    freq = np.array([4, 3, 1]) / 8
    assert scores['aAcc'] == pytest.approx(round(5 / 8 * 100, 2))
    assert scores['mIoU'] == pytest.approx(round(iou.mean() * 100, 2))
    assert scores['mAcc'] == pytest.approx(round(acc.mean() * 100, 2))
    assert scores['fwIoU'] == pytest.approx(round((freq * iou).sum() * 100, 2))
    assert scores['IoU.b'] == 50.0 and scores['Acc.a'] == 75.0


def test_absent_class_is_left_out_of_means():
    scores = segmentation_scores(
        intersect=np.array([5., 0.]),
        union=np.array([5., 0.]),
        pred_area=np.array([5., 0.]),
        label_area=np.array([5., 0.]))
    assert np.isnan(scores['IoU'][1])
    assert scores['mIoU'] == 1.0 and scores['fwIoU'] == 1.0
