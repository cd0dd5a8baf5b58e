"""SimulateCoarseLabels on the real FASSEG fine maps and on small maps."""
import os.path as osp

import cv2
import numpy as np
import pytest
from mmseg.datasets.transforms import RandomFlip

from mmseg_synaug.datasets.transforms import (LoadFASSEGAnnotations,
                                              SimulateCoarseLabels)
from mmseg_synaug.evaluation.metrics.coarse_to_fine_metric import \
    label_boundaries
from mmseg_synaug.utils import DataError


@pytest.fixture(scope='module')
def fine_map(fasseg_root) -> np.ndarray:
    results = LoadFASSEGAnnotations()(
        dict(seg_map_path=osp.join(fasseg_root, 'fine', 'train', '1.png')))
    return results['gt_seg_map']


def simulate(label: np.ndarray, **kwargs) -> np.ndarray:
    results = SimulateCoarseLabels(**kwargs)(
        dict(gt_seg_map=label.copy(), seg_fields=['gt_seg_map']))
    assert results['seg_fields'] == ['gt_seg_map', 'gt_coarse_seg_map']
    return results['gt_coarse_seg_map']


def agreement(coarse: np.ndarray, fine: np.ndarray) -> float:
    return float((coarse == fine).mean())


def test_everything_off_copies_the_fine_map(fine_map):
    coarse = simulate(fine_map, epsilon=0, boundary_width=0, min_area=0)
    assert coarse.dtype == np.uint8
    np.testing.assert_array_equal(coarse, fine_map)


def test_agreement_drops_as_erosion_grows(fine_map):
    scores = [
        agreement(
            simulate(fine_map, epsilon=0, boundary_width=w, min_area=0),
            fine_map) for w in (0, 1, 3, 6)
    ]
    assert scores[0] == 1.0
    assert all(a > b for a, b in zip(scores, scores[1:])), scores


def test_void_lies_on_the_boundaries(fine_map):
    coarse = simulate(fine_map, epsilon=0, boundary_width=2, min_area=0)
    void = coarse == 255
    assert void.any()
    # Every boundary pixel of the fine map becomes void...
    assert void[label_boundaries(fine_map)].all()
    # ...and void is only found near boundaries (within the band).
    distance = cv2.distanceTransform(
        (~label_boundaries(fine_map)).astype(np.uint8), cv2.DIST_L2,
        cv2.DIST_MASK_PRECISE)
    assert distance[void].max() <= 3
    # Labelled pixels keep the fine label.
    np.testing.assert_array_equal(coarse[~void], fine_map[~void])


def test_polygons_simplify_more_with_larger_epsilon(fine_map):
    scores = [
        agreement(
            simulate(fine_map, epsilon=e, boundary_width=0, min_area=0),
            fine_map) for e in (1, 6, 20)
    ]
    assert 0.9 < scores[0] and all(a > b for a, b in zip(scores, scores[1:]))
    # The polygons stay within epsilon of the contours: changed pixels lie
    # near the fine boundaries (or the image frame, which contours follow).
    coarse = simulate(fine_map, epsilon=6, boundary_width=0, min_area=0)
    edges = label_boundaries(fine_map)
    edges[[0, -1]] = edges[:, [0, -1]] = True
    distance = cv2.distanceTransform((~edges).astype(np.uint8), cv2.DIST_L2,
                                     cv2.DIST_MASK_PRECISE)
    assert distance[coarse != fine_map].max() <= 6 + 2


def test_small_segments_vanish():
    label = np.zeros((64, 64), np.uint8)
    label[5:10, 5:10] = 1  # 25 px
    label[30:60, 30:60] = 2  # 900 px
    for epsilon in (0, 2):
        coarse = simulate(
            label, epsilon=epsilon, boundary_width=0, min_area=50)
        assert not (coarse == 1).any()
        assert (coarse[5:10, 5:10] == 0).all()  # taken over by the surround
        assert (coarse == 2).sum() == 900
    kept = simulate(label, epsilon=0, boundary_width=0, min_area=10)
    np.testing.assert_array_equal(kept, label)


def test_polygon_inside_polygon_is_drawn_on_top():
    label = np.zeros((80, 80), np.uint8)
    label[10:70, 10:70] = 1
    label[30:50, 30:50] = 2
    coarse = simulate(label, epsilon=3, boundary_width=0, min_area=0)
    np.testing.assert_array_equal(coarse, label)  # squares stay squares


def test_ignored_fine_pixels_stay_ignored():
    label = np.zeros((40, 40), np.uint8)
    label[:, 20:] = 1
    label[0:5, 0:5] = 255
    coarse = simulate(label, epsilon=2, boundary_width=0, min_area=0)
    assert (coarse[0:5, 0:5] == 255).all()


def test_random_ranges_are_drawn_once_and_flip_consistently(fine_map):
    transform = SimulateCoarseLabels(epsilon=(2, 8), boundary_width=(1, 3))
    np.random.seed(0)
    draws = {transform._draw()[1:] for _ in range(20)}
    assert len(draws) > 1
    assert all(2 <= e <= 8 and 1 <= w <= 3 for e, w in draws)
    results = transform(
        dict(
            img=np.zeros(fine_map.shape + (3, ), np.uint8),
            gt_seg_map=fine_map.copy(),
            seg_fields=['gt_seg_map']))
    coarse = results['gt_coarse_seg_map'].copy()
    flipped = RandomFlip(prob=1.0, direction='horizontal')(results)
    np.testing.assert_array_equal(flipped['gt_coarse_seg_map'],
                                  coarse[:, ::-1])


def test_prob_zero_copies_the_fine_map(fine_map):
    coarse = simulate(fine_map, prob=0.0)
    np.testing.assert_array_equal(coarse, fine_map)


def test_repr_lists_every_argument():
    text = repr(
        SimulateCoarseLabels(
            epsilon=(1, 2), boundary_width=3, min_area=7, prob=0.5))
    for part in ('epsilon=(1.0, 2.0)', 'boundary_width=(3.0, 3.0)',
                 'min_area=7', 'prob=0.5', 'ignore_index=255'):
        assert part in text


@pytest.mark.parametrize('kwargs', [
    dict(epsilon=-1),
    dict(epsilon=(3, 1)),
    dict(boundary_width='wide'),
    dict(min_area=-5),
    dict(prob=2)
])
def test_bad_arguments_raise_data_error(kwargs):
    with pytest.raises(DataError, match='Fix:'):
        SimulateCoarseLabels(**kwargs)


def test_missing_fine_map_is_a_clear_error():
    with pytest.raises(DataError, match='gt_seg_map'):
        SimulateCoarseLabels()(dict(img_path='x.png'))
