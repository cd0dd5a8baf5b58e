"""CamVidDataset on the real CamVid data."""
import numpy as np
from PIL import Image

from mmseg_synaug.datasets import CamVidDataset


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
