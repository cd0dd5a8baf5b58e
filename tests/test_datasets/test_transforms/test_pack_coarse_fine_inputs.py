"""PackCoarseFineInputs and LoadCoarseAnnotations on real FASSEG samples."""
import numpy as np
import pytest
from mmengine.dataset import Compose
from mmengine.registry import init_default_scope
from PIL import Image

from mmseg_synaug.datasets import FASSEGDataset
from mmseg_synaug.datasets.transforms import (LoadCoarseAnnotations,
                                              PackCoarseFineInputs)
from mmseg_synaug.utils import DataError

init_default_scope('mmseg')


def fasseg_test_pipeline(size=(256, 360)):
    return [
        dict(type='LoadCheckedImage'),
        dict(type='Resize', scale=size, keep_ratio=True),
        dict(type='LoadFASSEGAnnotations', with_coarse=True),
        dict(type='PackCoarseFineInputs')
    ]


def test_test_pipeline_resizes_the_coarse_input_only(fasseg_root):
    dataset = FASSEGDataset(
        split='test', data_root=fasseg_root, pipeline=fasseg_test_pipeline())
    packed = dataset[0]
    sample = packed['data_samples']
    height, width = packed['inputs'].shape[1:]
    assert height == 360
    assert sample.coarse_seg_map.shape == (height, width)
    ori = sample.metainfo['ori_shape']
    assert ori[0] == 512
    assert sample.gt_coarse_seg_map.shape == ori == sample.gt_sem_seg.shape
    assert sample.metainfo['has_fine_label'] is True
    # The coarse input is the original coarse map, resized (nearest).
    coarse = sample.gt_coarse_seg_map.data[0].numpy()
    small = sample.coarse_seg_map.data[0].numpy()
    assert set(np.unique(small)) <= set(np.unique(coarse))
    ys = (np.arange(height) + 0.5) * ori[0] / height
    xs = (np.arange(width) + 0.5) * ori[1] / width
    nearest = coarse[ys.astype(int)[:, None], xs.astype(int)[None]]
    assert (nearest == small).mean() > 0.97
    # ...and coarse and fine maps differ (they are two annotations).
    assert (coarse != sample.gt_sem_seg.data[0].numpy()).any()


def test_train_pipeline_keeps_maps_aligned(fasseg_root):
    pipeline = [
        dict(type='LoadCheckedImage'),
        dict(type='LoadFASSEGAnnotations', with_coarse=True),
        dict(type='RandomCrop', crop_size=(64, 64)),
        dict(type='RandomFlip', prob=1.0),
        dict(type='PackCoarseFineInputs')
    ]
    dataset = FASSEGDataset(
        split='train', data_root=fasseg_root, pipeline=pipeline)
    sample = dataset[1]['data_samples']
    assert sample.coarse_seg_map.shape == (64, 64)
    assert sample.gt_coarse_seg_map.shape == (64, 64)
    assert sample.gt_sem_seg.shape == (64, 64)


def test_coarse_only_samples_drop_the_fine_map(fasseg_root):
    dataset = FASSEGDataset(
        split='train', data_root=fasseg_root, pipeline=fasseg_test_pipeline())
    dataset.pipeline = Compose(fasseg_test_pipeline()[:-1] +
                               [PackCoarseFineInputs(has_fine_label=False)])
    sample = dataset[0]['data_samples']
    assert sample.metainfo['has_fine_label'] is False
    assert (sample.gt_sem_seg.data == 255).all()
    assert (sample.gt_coarse_seg_map.data != 255).all()


def test_missing_coarse_map_is_a_clear_error():
    results = dict(
        img=np.zeros((8, 8, 3), np.uint8),
        gt_seg_map=np.zeros((8, 8), np.uint8),
        img_path='face.png')
    with pytest.raises(DataError, match='face.png.*with_coarse=True'):
        PackCoarseFineInputs()(results)


def test_repr():
    assert repr(PackCoarseFineInputs(has_fine_label=False)).startswith(
        'PackCoarseFineInputs(has_fine_label=False, ignore_index=255')


def test_load_coarse_index_map_and_its_checks(tmp_path):
    coarse = np.full((6, 8), 2, np.uint8)
    coarse[0, 0] = 255
    Image.fromarray(coarse).save(tmp_path / 'a.png')
    Image.fromarray(np.full((6, 8), 9, np.uint8)).save(tmp_path / 'bad.png')
    load = LoadCoarseAnnotations(num_classes=3)
    results = load(
        dict(coarse_seg_map_path=str(tmp_path / 'a.png'), ori_shape=(6, 8)))
    np.testing.assert_array_equal(results['gt_coarse_seg_map'], coarse)
    assert results['seg_fields'] == ['gt_coarse_seg_map']
    assert 'gt_seg_map' not in results
    with pytest.raises(DataError, match='bad.png.*values \\[9\\]'):
        load(dict(coarse_seg_map_path=str(tmp_path / 'bad.png')))
    with pytest.raises(DataError, match='a.png.*is 8x6'):
        load(
            dict(
                coarse_seg_map_path=str(tmp_path / 'a.png'), ori_shape=(7, 8)))
    with pytest.raises(DataError, match='missing.png.*does not exist'):
        load(dict(coarse_seg_map_path=str(tmp_path / 'missing.png')))
