"""Bad input gets one clear error naming the file and the fix."""
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mmseg_synaug.datasets import CamVidDataset
from mmseg_synaug.utils import DataError

PIPELINE = [dict(type='LoadCheckedImage'), dict(type='LoadCheckedAnnotations')]


@pytest.fixture
def small_camvid(camvid_root, tmp_path) -> Path:
    """A CamVid folder of two real training pairs, safe to break."""
    root = tmp_path / 'camvid'
    for sub in ('train', 'trainannot'):
        (root / sub).mkdir(parents=True)
        for path in sorted((Path(camvid_root) / sub).glob('*.png'))[:2]:
            shutil.copy(path, root / sub / path.name)
    return root


def first_pair(root: Path):
    image = sorted((root / 'train').glob('*.png'))[0]
    return image, root / 'trainannot' / image.name


def load_first(root: Path) -> dict:
    return CamVidDataset(data_root=str(root), pipeline=PIPELINE)[0]


def test_intact_copy_loads(small_camvid):
    assert load_first(small_camvid)['gt_seg_map'].shape == (360, 480)


def test_label_value_outside_classes(small_camvid):
    _, label_path = first_pair(small_camvid)
    label = np.array(Image.open(label_path))
    label[:4, :4] = 42
    Image.fromarray(label).save(label_path)
    with pytest.raises(DataError, match=r'values \[42\]') as error:
        load_first(small_camvid)
    assert str(label_path) in str(error.value)
    assert 'Fix:' in str(error.value)


def test_image_and_label_of_different_sizes(small_camvid):
    _, label_path = first_pair(small_camvid)
    label = Image.open(label_path)
    label.resize((240, 180), Image.NEAREST).save(label_path)
    with pytest.raises(DataError, match='240x180') as error:
        load_first(small_camvid)
    assert str(label_path) in str(error.value)
    assert 'nearest-neighbour' in str(error.value)


def test_missing_label_file(small_camvid):
    _, label_path = first_pair(small_camvid)
    label_path.unlink()
    with pytest.raises(DataError, match='has no label map') as error:
        CamVidDataset(data_root=str(small_camvid), pipeline=PIPELINE)
    assert str(label_path) in str(error.value)


def test_unreadable_image(small_camvid):
    image_path, _ = first_pair(small_camvid)
    image_path.write_bytes(b'not a png at all')
    with pytest.raises(DataError, match='not a decodable image') as error:
        load_first(small_camvid)
    assert str(image_path) in str(error.value)


def test_image_deleted_after_listing(small_camvid):
    dataset = CamVidDataset(data_root=str(small_camvid), pipeline=PIPELINE)
    image_path, _ = first_pair(small_camvid)
    image_path.unlink()
    with pytest.raises(DataError, match='does not exist') as error:
        dataset[0]
    assert str(image_path) in str(error.value)


def test_colour_label_map_is_not_an_index_map(small_camvid):
    _, label_path = first_pair(small_camvid)
    label = np.array(Image.open(label_path))
    Image.fromarray(np.stack([label] * 3, -1)).save(label_path)
    with pytest.raises(DataError, match='index map'):
        load_first(small_camvid)


def test_wrong_data_root(tmp_path):
    with pytest.raises(DataError, match='lacks the folders') as error:
        CamVidDataset(data_root=str(tmp_path / 'no_camvid'))
    assert 'no_camvid' in str(error.value)
