"""CityscapesCoarseFineDataset pairs images with gtFine and gtCoarse maps."""
from pathlib import Path

import pytest

from mmseg_synaug.datasets import CityscapesCoarseFineDataset
from mmseg_synaug.utils import DataError


def make_layout(root: Path, names, coarse_names=None) -> None:
    coarse_names = names if coarse_names is None else coarse_names
    for city, name in names:
        for folder, suffix in (('leftImg8bit', '_leftImg8bit.png'),
                               ('gtFine', '_gtFine_labelTrainIds.png')):
            path = root / folder / 'train' / city / f'{name}{suffix}'
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b'')
    for city, name in coarse_names:
        path = (
            root / 'gtCoarse' / 'train' / city /
            f'{name}_gtCoarse_labelTrainIds.png')
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b'')


def test_pairs_fine_and_coarse_maps_by_name(tmp_path):
    names = [('aachen', 'aachen_000000_000019'),
             ('bremen', 'bremen_000001_000019')]
    make_layout(tmp_path, names)
    dataset = CityscapesCoarseFineDataset(
        data_root=str(tmp_path), pipeline=[], lazy_init=False)
    assert len(dataset) == 2
    for info, (city, name) in zip(dataset.data_list, names):
        assert info['img_path'] == str(tmp_path / 'leftImg8bit' / 'train' /
                                       city / f'{name}_leftImg8bit.png')
        assert info['seg_map_path'] == str(tmp_path / 'gtFine' / 'train' /
                                           city /
                                           f'{name}_gtFine_labelTrainIds.png')
        assert info['coarse_seg_map_path'] == str(
            tmp_path / 'gtCoarse' / 'train' / city /
            f'{name}_gtCoarse_labelTrainIds.png')


def test_missing_coarse_map_is_a_clear_error(tmp_path):
    make_layout(
        tmp_path, [('aachen', 'aachen_000000_000019'),
                   ('aachen', 'aachen_000001_000019')],
        coarse_names=[('aachen', 'aachen_000000_000019')])
    with pytest.raises(
            DataError,
            match='aachen_000001_000019_leftImg8bit'
            '.png` has no coarse label map'):
        CityscapesCoarseFineDataset(data_root=str(tmp_path), pipeline=[])


def test_data_prefix_without_coarse_folder_is_a_clear_error(tmp_path):
    with pytest.raises(DataError, match='coarse_seg_map_path'):
        CityscapesCoarseFineDataset(
            data_root=str(tmp_path),
            data_prefix=dict(
                img_path='leftImg8bit/val', seg_map_path='gtFine/val'))
