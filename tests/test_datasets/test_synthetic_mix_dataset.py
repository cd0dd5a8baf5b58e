"""SyntheticMixDataset: the share, the flags, and training through it."""
import numpy as np
import pytest

from helpers import run_tool, tiny_config
from mmseg_synaug.datasets import FASSEGDataset, SyntheticMixDataset
from mmseg_synaug.utils import DataError

PACK = [
    dict(type='LoadCheckedImage'),
    dict(type='LoadCheckedAnnotations'),
    dict(type='PackSegInputs')
]


def camvid(root, split, n):
    return dict(
        type='CamVidDataset',
        data_root=root,
        data_prefix=dict(img_path=split, seg_map_path=f'{split}annot'),
        indices=n,
        pipeline=PACK)


@pytest.mark.parametrize('ratio,n_real,real,synthetic', [(0.5, 10, 10, 10),
                                                         (0.3, 14, 14, 6),
                                                         (0.7, 6, 6, 14),
                                                         (1.0, 10, 0, 5),
                                                         (0.0, 10, 10, 0)])
def test_share_of_synthetic_samples(camvid_root, ratio, n_real, real,
                                    synthetic):
    dataset = SyntheticMixDataset(
        real=camvid(camvid_root, 'train', n_real),
        synthetic=camvid(camvid_root, 'val', 5),
        synthetic_ratio=ratio)
    flags = [
        dataset.get_data_info(i)['is_synthetic'] for i in range(len(dataset))
    ]
    assert flags.count(False) == real and flags.count(True) == synthetic
    if synthetic:
        # cycling through the smaller synthetic set
        assert 'val/' in dataset.get_data_info(len(dataset) - 1)['img_path']


def test_packed_samples_carry_the_flag(camvid_root):
    dataset = SyntheticMixDataset(
        real=camvid(camvid_root, 'train', 2),
        synthetic=camvid(camvid_root, 'val', 2),
        synthetic_ratio=0.5)
    flags = [dataset[i]['data_samples'].is_synthetic for i in range(4)]
    assert flags == [False, False, True, True]
    meta = dataset.metainfo
    meta['classes'] = ()
    assert dataset.metainfo['classes'][0] == 'Sky'  # a copy was returned


def test_mismatched_classes_and_bad_ratio(camvid_root, fasseg_root):
    with pytest.raises(DataError, match='classes'):
        SyntheticMixDataset(
            real=camvid(camvid_root, 'train', 2),
            synthetic=FASSEGDataset(data_root=fasseg_root))
    with pytest.raises(DataError, match='synthetic_ratio'):
        SyntheticMixDataset(
            real=camvid(camvid_root, 'train', 2),
            synthetic=camvid(camvid_root, 'val', 2),
            synthetic_ratio=1.5)


def test_trains_through_tools_train(camvid_root, tmp_path):
    base = tiny_config(tmp_path, 2)
    config = tmp_path / 'mix.py'
    config.write_text(f"""
_base_ = ['{base}']
train_dataloader = dict(dataset=dict(
    _delete_=True,
    type='SyntheticMixDataset',
    real=dict(type='CamVidDataset', indices=8,
              pipeline={{{{_base_.train_pipeline}}}}),
    synthetic=dict(type='CamVidDataset', indices=8,
                   data_prefix=dict(img_path='val', seg_map_path='valannot'),
                   pipeline={{{{_base_.train_pipeline}}}}),
    synthetic_ratio=0.5))
""")
    result = run_tool(
        ['tools/train.py',
         str(config), '--work-dir',
         str(tmp_path / 'work')])
    assert 'Iter(train) [2/2]' in result.stdout
    last = result.stdout.split('Iter(train) [2/2]')[1]
    assert np.isfinite(float(last.split('loss: ')[1].split()[0]))


def test_missing_or_empty_synthetic_set_names_the_synthesis_tool(
        camvid_root, tmp_path):
    (tmp_path / 'empty' / 'images').mkdir(parents=True)
    (tmp_path / 'empty' / 'labels').mkdir()
    for root in (tmp_path / 'missing', tmp_path / 'empty'):
        synthetic = dict(
            camvid(str(root), 'val', 2),
            data_prefix=dict(img_path='images', seg_map_path='labels'))
        with pytest.raises(DataError) as error:
            SyntheticMixDataset(
                real=camvid(camvid_root, 'train', 2), synthetic=synthetic)
        message = str(error.value)
        assert str(root) in message and 'tools/synthesize.py' in message
        assert 'train_dataloader.dataset.synthetic.data_root' in message
        assert 'dataset_converters' not in message
