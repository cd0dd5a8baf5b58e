"""Hardness-aware re-sampling (FreeMask): the allocation of renderings, and
tools/synthesize.py rendering the maps as many times as allocated."""
import json

import cv2
import numpy as np
import pytest

from helpers import BASELINE, REPO_ROOT, run_tool
from mmseg_synaug.datasets import CamVidDataset
from mmseg_synaug.synthesis import allocate_renderings, map_hardness
from mmseg_synaug.utils import DataError

# CamVid train pixel shares (../shared/data/README.md), class order.
FREQUENCY = [
    .169, .233, .0098, .317, .045, .097, .0117, .0113, .059, .0064, .0029
]


@pytest.mark.parametrize('total,low,high', [(40, 1, 20), (10, 1, 20),
                                            (200, 1, 20), (17, 0, 5),
                                            (23, 2, 3)])
def test_counts_follow_the_ranking_within_the_budget(total, low, high):
    hardness = np.random.RandomState(0).rand(10)
    counts = allocate_renderings(hardness, total, low, high)
    assert counts.sum() == total
    assert counts.min() >= low and counts.max() <= high
    by_hardness = counts[np.argsort(hardness)]
    assert (np.diff(by_hardness) >= 0).all(), by_hardness
    # the same losses give the same counts; a reordered input follows
    np.testing.assert_array_equal(
        allocate_renderings(hardness, total, low, high), counts)
    order = np.random.RandomState(1).permutation(10)
    np.testing.assert_array_equal(
        allocate_renderings(hardness[order], total, low, high), counts[order])


def test_hardest_map_gets_most_and_ties_are_by_index():
    counts = allocate_renderings([0.1, 0.9, 0.5], 12, 1, 20)
    assert counts.tolist() == [2, 6, 4]  # ranks 1, 3, 2: shares 2s, 6s, 4s
    assert allocate_renderings([1.0, 1.0], 3, 1, 20).tolist() == [1, 2]


def test_infeasible_budget_is_an_error():
    with pytest.raises(DataError, match='between 3 and 60'):
        allocate_renderings([0.1, 0.2, 0.3], 61, 1, 20)
    with pytest.raises(DataError, match='0 <= min <= max'):
        allocate_renderings([0.1], 1, 3, 2)


def test_hardness_is_pixel_weighted_class_loss():
    pixels = np.array([[3, 1, 0], [0, 0, 0], [0, 2, 2]])
    hardness = map_hardness(pixels, [1.0, 3.0, None])
    np.testing.assert_allclose(hardness, [1.5, 0.0, 1.5])


def test_tool_renders_maps_as_allocated(camvid_root, segmentor_checkpoint,
                                        tmp_path):
    data_config = tmp_path / 'camvid_3.py'
    data_config.write_text(f"""
_base_ = ['{REPO_ROOT / 'configs/_base_/datasets/camvid.py'}']
train_dataloader = dict(dataset=dict(data_root='{camvid_root}', indices=3))
label_recomposition = dict(class_frequency={FREQUENCY}, min_segment_size=50)
""")
    out = tmp_path / 'resampled'
    run_tool([
        'tools/synthesize.py', 'none', 'none',
        str(data_config), '--out',
        str(out), '--num', '6', '--mode', 'multi', '--copy-paste',
        '--resample-config',
        str(BASELINE), '--resample-checkpoint', segmentor_checkpoint,
        '--renderings-per-map', '1', '3', '--device', 'cpu'
    ])
    allocation = json.loads((out / 'resampling.json').read_text())
    counts = np.array(allocation['counts'])
    hardness = np.array(allocation['hardness'])
    assert counts.sum() == 6 and counts.min() >= 1 and counts.max() <= 3
    assert (np.diff(counts[np.argsort(hardness, kind='stable')]) >= 0).all()
    # hardness from the class losses and the maps' own pixels
    real = CamVidDataset(data_root=camvid_root, indices=3)
    paths = [real.get_data_info(i)['seg_map_path'] for i in range(3)]
    pixels = []
    for path in paths:
        label = cv2.imread(path, cv2.IMREAD_UNCHANGED)
        pixels.append(np.bincount(label[label < 11].ravel(), minlength=11))
    loss = np.array([c or 0.0 for c in allocation['class_loss']])
    np.testing.assert_allclose(
        hardness, [p @ loss / p.sum() for p in pixels], rtol=1e-9)
    # each map is the source of as many samples as it was allocated
    records = [
        json.loads(line)
        for line in (out / 'manifest.jsonl').read_text().splitlines()
    ]
    assert len(records) == 6
    rendered = [
        sum(r['source_label'] == path for r in records) for path in paths
    ]
    assert rendered == counts.tolist()
