"""tools/train.py on Pix2PixHD: 2 iterations, a checkpoint, a grid, resume."""
import json
import shutil

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmseg.registry import DATASETS

from helpers import run_tool
from helpers.pix2pixhd_tiny_config import CPU_CONFIG, tiny_generator_config
from mmseg_synaug.synthesis import load_generator
from mmseg_synaug.utils import DataError


@pytest.fixture(scope='module')
def generator_run(camvid_root, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp('train_generator')
    work_dir = tmp_path / 'work'
    config = tiny_generator_config(tmp_path, iters=2)
    first = run_tool([
        'tools/train.py', config, '--work-dir',
        str(work_dir), '--resume-or-start'
    ])
    resumed = run_tool([
        'tools/train.py', config, '--work-dir',
        str(work_dir), '--resume', '--cfg-options', 'train_cfg.max_iters=3'
    ])
    return tmp_path, work_dir, config, first.stdout, resumed.stdout


def test_checkpoint_log_and_grid(generator_run):
    _, work_dir, _, first, _ = generator_run
    assert 'nothing to resume' in first  # --resume-or-start started it
    assert 'Pix2PixHD from' in first and 'train.py: ' in first
    assert (work_dir / 'iter_2.pth').is_file()
    assert 'loss_gan_g' in first and 'loss_feat' in first
    grid = cv2.imread(str(work_dir / 'generator_grids' / 'iter_2.png'))
    # 2 rows (max_samples) of 64x64 label | real | generated
    assert grid.shape == (128, 192, 3)
    assert grid[:, 128:].std() > 0


def test_resume_continues(generator_run):
    _, work_dir, _, _, resumed = generator_run
    assert 'resumed epoch: 0, iter: 2' in resumed
    assert 'Iter(train) [3/3]' in resumed
    assert 'Iter(train) [1/3]' not in resumed
    assert (work_dir / 'iter_3.pth').is_file()
    state = torch.load(
        work_dir / 'iter_3.pth', map_location='cpu', weights_only=True)
    assert set(state['optimizer']) >= {'generator', 'discriminator'}


def test_checkpoint_architecture_round_trip(generator_run):
    tmp_path, work_dir, config, _, _ = generator_run
    state = torch.load(
        work_dir / 'iter_2.pth', map_location='cpu', weights_only=True)
    record = bytes(state['state_dict']['_extra_state'].tolist())
    arch = json.loads(record)['pix2pixhd_arch']
    assert arch['num_classes'] == 11
    assert arch['generator']['base_channels'] == 4
    model = load_generator(config, str(work_dir / 'iter_2.pth'), 'cpu')
    assert model.synthesize(torch.zeros(1, 20, 30, dtype=torch.long)).shape \
        == (1, 3, 20, 30)
    wider = tiny_generator_config(tmp_path, base_channels=8)
    with pytest.raises(DataError) as error:
        load_generator(wider, str(work_dir / 'iter_2.pth'), 'cpu')
    assert "'base_channels': 4" in str(error.value)
    assert "'base_channels': 8" in str(error.value)


def test_data_path_rejects_label_beyond_classes(camvid_root, tmp_path):
    """The config's pipeline checks label values against its 11 classes."""
    for sub in ('train', 'trainannot'):
        (tmp_path / sub).mkdir()
    name = '0001TP_006690.png'
    shutil.copy(f'{camvid_root}/train/{name}', tmp_path / 'train' / name)
    label = cv2.imread(f'{camvid_root}/trainannot/{name}',
                       cv2.IMREAD_UNCHANGED)
    label[:10, :10] = 12
    cv2.imwrite(str(tmp_path / 'trainannot' / name), label)
    cfg = Config.fromfile(str(CPU_CONFIG))
    dataset_cfg = cfg.train_dataloader.dataset
    dataset_cfg.data_root = str(tmp_path)
    with pytest.raises(DataError, match=r'\[12\].*11 classes'):
        DATASETS.build(dataset_cfg)  # checked when built
    dataset = DATASETS.build(dict(dataset_cfg, check_labels=0))
    with pytest.raises(DataError, match=r'\[12\].*11 classes'):
        dataset[0]  # and by the pipeline when loaded
    assert np.isin(12, label)
