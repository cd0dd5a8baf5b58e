"""GeneratorGridHook with a mock runner and a tiny Pix2PixHD."""
import os.path as osp
from types import SimpleNamespace
from unittest.mock import MagicMock

import cv2
import numpy as np
import torch
from mmengine.structures import PixelData
from mmseg.structures import SegDataSample

from mmseg_synaug.engine.hooks import GeneratorGridHook
from mmseg_synaug.models import Pix2PixHD
from mmseg_synaug.visualization import colorize

PALETTE = [[10 * i, 20, 30] for i in range(5)]


def test_label_to_colour_ignore_black():
    colour = colorize(np.array([[0, 4, 255]]), PALETTE)
    assert colour.tolist() == [[[0, 20, 30], [40, 20, 30], [0, 0, 0]]]


def test_writes_grid_every_interval(tmp_path):
    model = Pix2PixHD(
        num_classes=5,
        generator=dict(base_channels=4, num_downsamples=1, num_blocks=1),
        discriminator=dict(num_scales=1, base_channels=4))
    samples = []
    for _ in range(3):
        sample = SegDataSample()
        sample.gt_sem_seg = PixelData(data=torch.randint(0, 5, (1, 16, 12)))
        samples.append(sample)
    batch = dict(
        inputs=[torch.randint(0, 255, (3, 16, 12), dtype=torch.uint8)] * 3,
        data_samples=samples)
    runner = SimpleNamespace(
        model=model, work_dir=str(tmp_path), iter=0, logger=MagicMock())
    hook = GeneratorGridHook(interval=2, max_samples=2, palette=PALETTE)
    hook.after_train_iter(runner, 0, batch)
    assert not osp.exists(tmp_path / 'generator_grids')
    runner.iter = 1
    hook.after_train_iter(runner, 1, batch)
    grid = cv2.imread(str(tmp_path / 'generator_grids' / 'iter_2.png'))
    # 2 rows of label | real | generated
    assert grid.shape == (2 * 16, 3 * 12, 3)
    label = samples[0].gt_sem_seg.data[0].numpy()
    expected = colorize(label, PALETTE)[..., ::-1]
    np.testing.assert_array_equal(grid[:16, :12], expected)
    real = batch['inputs'][0].permute(1, 2, 0).numpy()  # BGR like cv2
    np.testing.assert_allclose(grid[:16, 12:24], real, atol=1)
