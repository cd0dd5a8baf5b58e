"""CamVidDataset on the real CamVid data, and on a JPEG copy of it."""
import shutil

import cv2
import numpy as np
import pytest
from PIL import Image

from helpers import jpeg_copy
from mmseg_synaug.datasets import CamVidDataset
from mmseg_synaug.utils import DataError


def test_splits_and_pairs(camvid_root):
    train = CamVidDataset(data_root=camvid_root)
    val = CamVidDataset(
        data_root=camvid_root,
        data_prefix=dict(img_path='val', seg_map_path='valannot'))
    assert len(train) == 367 and len(val) == 101
    info = train.get_data_info(0)
    assert info['img_path'].endswith('.png')
    assert info['seg_map_path'].replace('trainannot', 'train') == \
        info['img_path']
    assert train.metainfo['classes'][2] == 'Pole'
    assert len(train.metainfo['palette']) == 11


def test_void_becomes_ignore(camvid_root):
    dataset = CamVidDataset(
        data_root=camvid_root,
        pipeline=[
            dict(type='LoadCheckedImage'),
            dict(type='LoadCheckedAnnotations')
        ])
    seen_void = False
    for index in range(0, len(dataset), 60):
        results = dataset[index]
        label = results['gt_seg_map']
        assert label.shape == results['img'].shape[:2] == (360, 480)
        assert set(np.unique(label)) <= set(range(11)) | {255}
        # void (11) pixels of the raw file are exactly the ignored ones
        info = dataset.get_data_info(index)
        raw_label = np.array(Image.open(info['seg_map_path']))
        np.testing.assert_array_equal(label == 255, raw_label == 11)
        seen_void |= bool((label == 255).any())
    assert seen_void, 'expected void pixels in CamVid label maps'


NAMES = ['0001TP_006690.png', '0001TP_006720.png', '0001TP_006750.png']


def test_jpeg_images_with_img_suffix(camvid_root, tmp_path):
    root = jpeg_copy(camvid_root, tmp_path / 'camvid_jpg', NAMES)
    dataset = CamVidDataset(
        data_root=str(root),
        img_suffix='.jpg',
        pipeline=[
            dict(type='LoadCheckedImage'),
            dict(type='LoadCheckedAnnotations'),
            dict(type='PackSegInputs')
        ])
    assert len(dataset) == 3
    info = dataset.get_data_info(1)
    assert info['img_path'].endswith('0001TP_006720.jpg')
    assert info['seg_map_path'].endswith('0001TP_006720.png')
    sample = dataset[1]
    assert tuple(sample['inputs'].shape) == (3, 360, 480)
    label = sample['data_samples'].gt_sem_seg.data[0].numpy()
    raw = cv2.imread(f'{camvid_root}/trainannot/{NAMES[1]}',
                     cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(label == 255, raw == 11)


def test_default_suffix_is_the_one_the_folder_holds(camvid_root, tmp_path):
    """img_suffix None reads a JPEG copy as JPEG, and PNG where both are."""
    root = jpeg_copy(camvid_root, tmp_path / 'camvid_jpg', NAMES)
    dataset = CamVidDataset(
        data_root=str(root), pipeline=[dict(type='LoadCheckedImage')])
    assert dataset.img_suffix == '.jpg' and len(dataset) == 3
    assert dataset.get_data_info(0)['img_path'].endswith('0001TP_006690.jpg')
    np.testing.assert_array_equal(
        dataset[0]['img'],
        cv2.imread(str(root / 'train' / '0001TP_006690.jpg')))
    # one PNG beside the JPEGs: the PNG images are the dataset
    shutil.copy(f'{camvid_root}/train/{NAMES[0]}', root / 'train')
    dataset = CamVidDataset(data_root=str(root))
    assert dataset.img_suffix == '.png' and len(dataset) == 1
    assert CamVidDataset(data_root=camvid_root).img_suffix == '.png'


def test_png_suffix_on_a_jpeg_folder_says_which_suffix(camvid_root, tmp_path):
    root = jpeg_copy(camvid_root, tmp_path / 'camvid_jpg', NAMES[:1])
    with pytest.raises(DataError) as error:
        CamVidDataset(data_root=str(root), img_suffix='.png')
    message = str(error.value)
    assert f'{root}/train` holds no `*.png` image' in message
    assert "img_suffix='.jpg'" in message


def test_bad_label_found_when_built(camvid_root, tmp_path):
    """Label maps are decoded at build: a bad value fails there."""
    root = jpeg_copy(camvid_root, tmp_path / 'camvid_jpg', NAMES)
    label = cv2.imread(
        str(root / 'trainannot' / NAMES[2]), cv2.IMREAD_UNCHANGED)
    label[0, 0] = 40
    cv2.imwrite(str(root / 'trainannot' / NAMES[2]), label)
    with pytest.raises(DataError, match=r'0001TP_006750.png.*\[40\]'):
        CamVidDataset(data_root=str(root), img_suffix='.jpg')
    # check_labels=0 leaves it to LoadCheckedAnnotations, when loaded
    dataset = CamVidDataset(
        data_root=str(root),
        img_suffix='.jpg',
        check_labels=0,
        pipeline=[dict(type='LoadCheckedAnnotations')])
    with pytest.raises(DataError, match=r'\[40\]'):
        dataset[2]


def test_label_of_another_size_found_when_built(camvid_root, tmp_path):
    root = jpeg_copy(camvid_root, tmp_path / 'camvid_jpg', NAMES[:2])
    label = cv2.imread(
        str(root / 'trainannot' / NAMES[0]), cv2.IMREAD_UNCHANGED)
    cv2.imwrite(str(root / 'trainannot' / NAMES[0]), label[:100])
    with pytest.raises(DataError, match='480x100 .* image is 480x360'):
        CamVidDataset(data_root=str(root), img_suffix='.jpg')
