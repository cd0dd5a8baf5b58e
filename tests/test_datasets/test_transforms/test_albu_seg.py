"""AlbuSeg on real CamVid samples: image and every label map stay aligned."""
import cv2
import numpy as np
import pytest
from mmengine.config import Config
from mmengine.dataset import Compose

from helpers import REPO_ROOT
from mmseg_synaug.datasets import CamVidDataset
from mmseg_synaug.datasets.transforms import AlbuSeg
from mmseg_synaug.visualization import colorize

LOAD = [dict(type='LoadCheckedImage'), dict(type='LoadCheckedAnnotations')]


@pytest.fixture(scope='module')
def sample(camvid_root) -> dict:
    dataset = CamVidDataset(
        data_root=camvid_root,
        data_prefix=dict(img_path='val', seg_map_path='valannot'),
        pipeline=LOAD)
    return dataset[5]


def with_coarse(results: dict) -> dict:
    """Add a second label map, as the coarse-to-fine pipeline has."""
    results = dict(results, seg_fields=['gt_seg_map', 'gt_coarse_seg_map'])
    results['gt_coarse_seg_map'] = results['gt_seg_map'].copy()
    return results


def test_flip_moves_image_and_labels_together(sample):
    albu = AlbuSeg([dict(type='HorizontalFlip', p=1.0)])
    out = albu(with_coarse(sample))
    np.testing.assert_array_equal(out['img'], sample['img'][:, ::-1])
    np.testing.assert_array_equal(out['gt_seg_map'],
                                  sample['gt_seg_map'][:, ::-1])
    np.testing.assert_array_equal(out['gt_coarse_seg_map'], out['gt_seg_map'])


def test_geometric_transforms_keep_pixels_aligned(sample):
    # Paint the image with the label's colours: after a rotation, scale and
    # crop with nearest interpolation, each labelled pixel must still carry
    # its own class colour.
    palette = CamVidDataset.METAINFO['palette']
    painted = dict(sample)
    painted['img'] = cv2.cvtColor(
        colorize(sample['gt_seg_map'], palette), cv2.COLOR_RGB2BGR)
    albu = AlbuSeg([
        dict(
            type='Affine',
            rotate=(10, 20),
            scale=(1.1, 1.3),
            interpolation=cv2.INTER_NEAREST,
            mask_interpolation=cv2.INTER_NEAREST,
            fill_mask=255,
            p=1.0),
        dict(type='RandomCrop', height=200, width=300, p=1.0),
    ])
    out = albu(with_coarse(painted))
    assert out['img'].shape[:2] == out['img_shape'] == (200, 300)
    label = out['gt_seg_map']
    assert (label == 255).any(), 'rotation should fill corners with ignore'
    labelled = label != 255
    expected = cv2.cvtColor(colorize(label, palette), cv2.COLOR_RGB2BGR)
    agreement = (out['img'] == expected).all(-1)[labelled].mean()
    assert agreement > 0.999, agreement
    np.testing.assert_array_equal(out['gt_coarse_seg_map'], label)


def test_config_example_runs_rain_snow_fog_flip_blur(camvid_root):
    cfg = Config.fromfile(
        REPO_ROOT / 'configs/albu/pspnet-albu_r18_1xb8-1k_camvid-256x256.py')
    albu_cfg = [t for t in cfg.train_pipeline if t['type'] == 'AlbuSeg'][0]
    names = str(albu_cfg['transforms'])
    for name in ('RandomRain', 'RandomSnow', 'RandomFog', 'HorizontalFlip',
                 'Blur'):
        assert name in names
    dataset = CamVidDataset(
        data_root=camvid_root, pipeline=cfg.train_pipeline, indices=4)
    for index in range(4):
        packed = dataset[index]
        image = packed['inputs']
        label = packed['data_samples'].gt_sem_seg.data
        assert image.shape[1:] == label.shape[1:]
        assert max(image.shape[1:]) <= 256  # crops; small scales are padded
        assert packed['data_samples'].img_shape == tuple(image.shape[1:])
        assert set(label.unique().tolist()) <= set(range(11)) | {255}


@pytest.mark.parametrize('weather', ['RandomRain', 'RandomSnow', 'RandomFog'])
def test_weather_changes_image_not_labels(sample, weather):
    out = AlbuSeg([dict(type=weather, p=1.0)])(with_coarse(sample))
    assert np.abs(out['img'].astype(int) - sample['img']).mean() > 1
    np.testing.assert_array_equal(out['gt_seg_map'], sample['gt_seg_map'])


def test_compose_from_registry(sample):
    pipeline = Compose(
        [dict(type='AlbuSeg', transforms=[dict(type='Blur', p=1.0)])])
    assert pipeline(dict(sample))['img'].shape == sample['img'].shape
