"""FASSEGDataset and colour snapping on the real FASSEG data."""
import shutil

import cv2
import numpy as np

from mmseg_synaug.datasets import FASSEGDataset
from mmseg_synaug.datasets.transforms import LoadFASSEGAnnotations


def test_splits_and_coarse_fine_pairs(fasseg_root):
    train = FASSEGDataset(split='train', data_root=fasseg_root)
    test = FASSEGDataset(split='test', data_root=fasseg_root)
    assert len(train) == 20 and len(test) == 30
    info = test.get_data_info(3)
    assert '/fine/test/' in info['seg_map_path']
    assert '/coarse/test/' in info['coarse_seg_map_path']
    coarse = FASSEGDataset(
        split='train', label_quality='coarse', data_root=fasseg_root)
    assert '/coarse/train/' in coarse.get_data_info(0)['seg_map_path']


def test_snapping_gives_six_classes_and_coarse_fine_differ(fasseg_root):
    dataset = FASSEGDataset(
        split='train',
        data_root=fasseg_root,
        pipeline=[
            dict(type='LoadCheckedImage'),
            dict(type='LoadFASSEGAnnotations', with_coarse=True)
        ])
    agreements = []
    for index in range(len(dataset)):
        results = dataset[index]
        fine, coarse = results['gt_seg_map'], results['gt_coarse_seg_map']
        assert fine.shape == coarse.shape == results['img'].shape[:2]
        assert set(np.unique(fine)) <= set(range(6))
        assert results['seg_fields'] == ['gt_seg_map', 'gt_coarse_seg_map']
        agreements.append((fine == coarse).mean())
    # FASSEG's coarse maps agree with the fine ones on roughly 90% of the
    # pixels (the coarse-to-fine report measures 89.9% on its test split).
    assert 0.8 < np.mean(agreements) < 0.97, np.mean(agreements)


def test_snap_to_palette_picks_nearest_colour():
    loader = LoadFASSEGAnnotations()
    rgb = np.array([[[255, 0, 0], [130, 2, 0], [250, 250, 10]],
                    [[0, 0, 240], [10, 250, 250], [20, 240, 5]]],
                   dtype=np.uint8)
    np.testing.assert_array_equal(
        loader.snap_to_palette(rgb), [[0, 1, 2], [3, 4, 5]])


def test_jpeg_images_with_img_suffix(fasseg_root, tmp_path):
    for sub in ('images', 'coarse', 'fine'):
        (tmp_path / sub / 'train').mkdir(parents=True)
    for name in ('1.png', '2.png'):
        image = cv2.imread(f'{fasseg_root}/images/train/{name}')
        cv2.imwrite(str(tmp_path / 'images/train' / name[:-4]) + '.jpg', image)
        for sub in ('coarse', 'fine'):
            shutil.copy(f'{fasseg_root}/{sub}/train/{name}',
                        tmp_path / sub / 'train' / name)
    dataset = FASSEGDataset(
        data_root=str(tmp_path),
        img_suffix='.jpg',
        pipeline=[
            dict(type='LoadCheckedImage'),
            dict(type='LoadFASSEGAnnotations', with_coarse=True)
        ])
    assert len(dataset) == 2
    results = dataset[1]
    assert results['img_path'].endswith('2.jpg')
    assert results['gt_seg_map'].shape == results['img'].shape[:2]
    assert results['coarse_seg_map_path'].endswith('coarse/train/2.png')
