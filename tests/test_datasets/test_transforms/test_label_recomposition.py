"""LabelRecomposition on real CamVid label maps."""
import numpy as np
import pytest
from mmseg.datasets import MultiImageMixDataset

from mmseg_synaug.datasets import CamVidDataset
from mmseg_synaug.datasets.transforms import LabelRecomposition
from mmseg_synaug.utils import DataError

# CamVid train pixel shares (../shared/data/README.md), class order.
FREQUENCY = [
    .169, .233, .0098, .317, .045, .097, .0117, .0113, .059, .0064, .0029
]
RARE = [2, 6, 7, 9, 10]  # Pole, SignSymbol, Fence, Pedestrian, Bicyclist
BACKGROUND = [0, 1, 3]  # Sky, Building, Road

LOAD = [dict(type='LoadCheckedImage'), dict(type='LoadCheckedAnnotations')]


@pytest.fixture(scope='module')
def camvid(camvid_root):
    return CamVidDataset(data_root=camvid_root, pipeline=LOAD)


def mixed(camvid, **kwargs):
    # mmseg's MultiImageMixDataset takes a dataset config, not a dataset
    return MultiImageMixDataset(
        dict(type='CamVidDataset', data_root=camvid.data_root, pipeline=LOAD),
        pipeline=[
            dict(
                type='LabelRecomposition',
                class_frequency=FREQUENCY,
                num_sources=6,
                **kwargs)
        ])


def rare_share(labels):
    labels = np.stack(labels)
    valid = labels != 255
    return np.isin(labels, RARE)[valid].mean()


def test_overlay_pastes_one_rare_segment_with_its_pixels(camvid):
    np.random.seed(0)
    dataset = mixed(camvid, mode='overlay', classes=RARE)
    changed = 0
    for index in range(8):
        original = camvid[index]
        out = dataset[index]
        added = out['recomposition']['added']
        assert len(added) <= 1
        diff = out['gt_seg_map'] != original['gt_seg_map']
        if added:
            cls = added[0]['cls']
            assert cls in RARE
            # every changed label pixel now holds the pasted class ...
            assert (out['gt_seg_map'][diff] == cls).all()
            # ... and the image changed only there (copy-paste)
            img_diff = (out['img'] != original['img']).any(-1)
            assert not (img_diff & ~(out['gt_seg_map'] == cls)).any()
            changed += diff.any()
        # the ignore value is never pasted
        assert not ((out['gt_seg_map'] == 255)
                    & ~(original['gt_seg_map'] == 255)).any()
    assert changed >= 4


def test_rare_classes_rise(camvid):
    np.random.seed(1)
    dataset = mixed(camvid, mode='multi', classes=RARE, num_classes_to_add=3)
    before = [camvid[i]['gt_seg_map'] for i in range(12)]
    after = [dataset[i]['gt_seg_map'] for i in range(12)]
    assert rare_share(after) > rare_share(before) + 0.01


def test_reconstruct_keeps_background_layout(camvid):
    np.random.seed(2)
    dataset = mixed(
        camvid,
        mode='reconstruct',
        background_classes=BACKGROUND,
        min_segment_size=100)
    original = camvid[3]['gt_seg_map']
    out = dataset[3]
    label = out['gt_seg_map']
    pasted = np.zeros_like(label, dtype=bool)
    for segment in out['recomposition']['added']:
        pasted |= label == segment['cls']
    keep = np.isin(original, BACKGROUND) & ~pasted
    np.testing.assert_array_equal(label[keep], original[keep])
    # foreground of the original is gone unless pasted over
    gone = ~np.isin(original, BACKGROUND) & ~pasted
    assert (label[gone] == 255).all()
    assert len(out['recomposition']['added']) >= 5


def test_rarity_sampling_and_temperature():
    sharp = LabelRecomposition(FREQUENCY, temperature=1.0)
    flat = LabelRecomposition(FREQUENCY, temperature=100.0)
    p = sharp.class_probabilities()
    assert p[10] > p[2] > p[3]  # Bicyclist > Pole > Road
    assert np.ptp(flat.class_probabilities()) < 0.01
    np.random.seed(3)
    draws = [sharp._draw_classes(np.array([0]))[0] for _ in range(300)]
    assert draws.count(10) > 5 * max(draws.count(3), 1)


def test_scaled_segments_stay_binary_and_in_class(camvid):
    np.random.seed(4)
    dataset = mixed(
        camvid,
        mode='overlay',
        classes=[8],
        scale_range=(0.5, 1.5),
        max_shift=0.2,
        paste_image=False)
    original = camvid[0]
    out = dataset[0]
    assert out['recomposition']['added']
    diff = out['gt_seg_map'] != original['gt_seg_map']
    assert (out['gt_seg_map'][diff] == 8).all()
    np.testing.assert_array_equal(out['img'], original['img'])


def test_clear_errors(camvid):
    with pytest.raises(DataError, match='mix_results'):
        LabelRecomposition(FREQUENCY)(dict(camvid[0]))
    with pytest.raises(DataError, match='background_classes'):
        LabelRecomposition(FREQUENCY, mode='reconstruct')
    with pytest.raises(DataError, match='unknown'):
        LabelRecomposition(FREQUENCY, mode='swap')
