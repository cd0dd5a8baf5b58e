"""CoarseToFineMetric and the boundary F-score against hand counts."""
import numpy as np
import pytest
import torch

from mmseg_synaug.evaluation import CoarseToFineMetric
from mmseg_synaug.evaluation.metrics.coarse_to_fine_metric import (
    boundary_counts, boundary_f_score, label_boundaries)
from mmseg_synaug.utils import DataError


def test_boundaries_are_both_sides_of_a_label_change():
    label = np.array([[0, 0, 1], [0, 0, 1], [255, 255, 1]])
    expected = np.array([[0, 1, 1], [0, 1, 1], [0, 0, 0]], bool)
    np.testing.assert_array_equal(label_boundaries(label, 255), expected)
    assert label_boundaries(label)[2, 0]  # void edges count without ignore


def test_boundary_f_score_by_hand():
    label = np.zeros((10, 10), np.uint8)
    label[:, 5:] = 1  # boundary columns 4 and 5
    pred = np.zeros((10, 10), np.uint8)
    pred[:, 7:] = 1  # boundary columns 6 and 7
    # tolerance 1: pred col 6 matched (1 from col 5), col 7 not; label col 5
    # matched (1 from col 6), col 4 not.
    counts = boundary_counts(pred, label, tolerance=1)
    assert counts.tolist() == [20, 10, 20, 10]
    assert boundary_f_score(counts) == pytest.approx((0.5, 0.5, 0.5))
    counts = boundary_counts(pred, label, tolerance=2)
    assert boundary_f_score(counts)[2] == 1.0
    # No predicted boundary at all: precision 1, recall 0.
    flat = np.zeros_like(label)
    assert boundary_f_score(boundary_counts(flat, label, 3)) == (1.0, 0.0, 0.0)


def as_sample(pred, fine, coarse) -> dict:

    def pixel(array):
        return dict(data=torch.tensor(array)[None])

    return dict(
        pred_sem_seg=pixel(pred),
        gt_sem_seg=pixel(fine),
        gt_coarse_seg_map=pixel(coarse),
        img_path='x.png')


def test_scores_of_refined_and_coarse_maps_by_hand():
    fine = [[0, 0, 1, 1], [0, 0, 1, 1], [2, 2, 2, 255]]
    pred = [[0, 1, 1, 1], [0, 0, 1, 1], [2, 2, 0, 0]]
    coarse = [[0, 0, 0, 0], [0, 0, 255, 1], [2, 2, 2, 2]]
    metric = CoarseToFineMetric(boundary_tolerance=1)
    metric.dataset_meta = dict(classes=('a', 'b', 'c'))
    metric.process({}, [as_sample(pred, fine, coarse)])
    scores = metric.compute_metrics(metric.results)
    # 11 labelled pixels; pred right on 9, coarse on 8 (its void is wrong).
    assert scores['aAcc'] == 81.82
    assert scores['coarse.aAcc'] == 72.73
    assert scores['coarse.coverage'] == 90.91
    # pred IoU: a 3/5, b 4/5, c 2/3; coarse: a 4/6, b 1/4, c 3/3.
    assert scores['mIoU'] == round(100 * (0.6 + 0.8 + 2 / 3) / 3, 2)
    assert scores['coarse.mIoU'] == round(100 * (4 / 6 + 0.25 + 1) / 3, 2)
    assert 0 < scores['bF'] <= 100 and 0 < scores['coarse.bF'] <= 100


def test_pooled_over_images():
    fine = np.zeros((4, 4), np.int64)
    fine[:, 2:] = 1
    metric = CoarseToFineMetric()
    metric.dataset_meta = dict(classes=('a', 'b'))
    wrong = np.zeros((4, 4), np.int64)
    metric.process({}, [as_sample(fine, fine, wrong)])
    metric.process({}, [as_sample(wrong, fine, fine)])
    scores = metric.compute_metrics(metric.results)
    assert scores['aAcc'] == scores['coarse.aAcc'] == 75.0
    assert scores['bF'] == scores['coarse.bF']


def test_missing_or_misfitting_coarse_map_is_a_clear_error():
    metric = CoarseToFineMetric()
    metric.dataset_meta = dict(classes=('a', 'b'))
    sample = as_sample(np.zeros((4, 4)), np.zeros((4, 4)), np.zeros((2, 4)))
    with pytest.raises(DataError, match='x.png.*after the test Resize'):
        metric.process({}, [sample])
    del sample['gt_coarse_seg_map']
    with pytest.raises(DataError, match='PackCoarseFineInputs'):
        metric.process({}, [sample])
