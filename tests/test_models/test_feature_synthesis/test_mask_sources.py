"""Mask sources and the layout sampler: real CamVid masks, tensors only."""
import numpy as np
import pytest
import torch
from mmcv import imwrite
from mmseg.registry import TASK_UTILS

from helpers.feature_synthesis import featsyn_segmentor
from mmseg_synaug.models import (BatchMaskSource, DatasetMaskSource,
                                 FolderMaskSource, LayoutSampler,
                                 PseudoLabelMaskSource, fit_masks)
from mmseg_synaug.utils import DataError


def test_fit_masks_crops_windows_and_pads_with_ignore():
    torch.manual_seed(0)
    grid = torch.arange(20 * 30).view(1, 20, 30).expand(5, -1, -1)
    crops = fit_masks(grid, (8, 10))
    assert crops.shape == (5, 8, 10)
    for crop in crops:  # each a contiguous window of the grid
        top, left = divmod(int(crop[0, 0]), 30)
        assert torch.equal(crop, grid[0, top:top + 8, left:left + 10])
    padded = fit_masks(torch.zeros(2, 4, 4, dtype=torch.uint8), (6, 5))
    assert padded.shape == (2, 6, 5)
    assert (padded[:, 4:] == 255).all() and (padded[:, :4, :4] == 0).all()
    # With true sizes, the crop stays inside each mask's own extent.
    bank = torch.full((2, 10, 10), 255)
    bank[0, :4, :4] = 1
    bank[1] = 2
    sizes = torch.tensor([[4, 4], [10, 10]])
    for _ in range(5):
        crops = fit_masks(bank, (4, 4), sizes=sizes)
        assert (crops[0] == 1).all() and (crops[1] == 2).all()


def test_batch_source_draws_the_batch_masks_without_replacement():
    masks = torch.arange(4).view(4, 1, 1).expand(-1, 3, 3)
    drawn = BatchMaskSource().sample(4, masks)
    assert sorted(drawn[:, 0, 0].tolist()) == [0, 1, 2, 3]
    assert drawn.dtype == torch.long
    assert BatchMaskSource().sample(9, masks).shape == (9, 3, 3)


def test_dataset_and_folder_sources_bank_real_masks(camvid_root, tmp_path):
    source = TASK_UTILS.build(
        dict(
            type='DatasetMaskSource',
            max_masks=3,
            dataset=dict(
                type='CamVidDataset',
                data_root=camvid_root,
                data_prefix=dict(img_path='val', seg_map_path='valannot'),
                pipeline=[dict(type='LoadCheckedAnnotations')])))
    assert isinstance(source, DatasetMaskSource)
    source.prepare()
    assert len(source) == 3 and source.bank.dtype == torch.uint8
    assert tuple(source.bank.shape[1:]) == (360, 480)
    drawn = source.sample(5, torch.zeros(2, 64, 96))
    assert drawn.shape == (5, 64, 96) and drawn.dtype == torch.long
    values = set(torch.unique(drawn).tolist())
    assert values <= set(range(11)) | {255} and len(values) > 1

    (tmp_path / 'maps').mkdir()
    imwrite(np.full((20, 30), 3, np.uint8), str(tmp_path / 'maps/a.png'))
    imwrite(np.full((40, 10), 5, np.uint8), str(tmp_path / 'maps/b.png'))
    folder = FolderMaskSource(str(tmp_path / 'maps'))
    folder.prepare()
    drawn = folder.sample(20, torch.zeros(1, 16, 16))
    for mask in drawn:  # a crop of a, or of b padded on the right
        assert (mask == 3).all() or ((mask[:, :10] == 5).all() and
                                     (mask[:, 10:] == 255).all())
    with pytest.raises(DataError, match='No `\\*.png` label maps'):
        FolderMaskSource(str(tmp_path / 'empty')).prepare()


def test_pseudo_labels_are_predicted_by_the_segmentor(camvid_root):
    model = featsyn_segmentor()
    source = PseudoLabelMaskSource(
        dataset=dict(
            type='CamVidDataset',
            data_root=camvid_root,
            data_prefix=dict(img_path='val', seg_map_path='valannot'),
            pipeline=[
                dict(type='LoadCheckedImage'),
                dict(type='Resize', scale=(64, 48)),
                dict(type='PackSegInputs')
            ]),
        threshold=0.0001,
        max_images=2)
    model.train()
    source.prepare(model)
    assert model.training  # train mode comes back
    assert len(source) == 2
    expected = model.predict(*_packed(source, model))
    for i in range(2):
        labels = expected[i].pred_sem_seg.data[0]
        assert torch.equal(source.bank[i].long(), labels)


def _packed(source, model):
    from mmengine.dataset import pseudo_collate
    from mmseg.registry import DATASETS
    dataset = DATASETS.build(source.dataset_cfg)
    data = model.data_preprocessor(
        pseudo_collate([dataset[0], dataset[1]]), False)
    model.eval()
    return data['inputs'], data['data_samples']


def test_layout_sampler_draws_sources_by_weight():
    sampler = LayoutSampler(
        sources=[
            dict(type='BatchMaskSource', weight=3.0),
            dict(type='BatchMaskSource', weight=1.0)
        ],
        seed=0)
    masks = torch.zeros(2, 4, 4, dtype=torch.long)
    assert sampler.sample(7, masks).shape == (7, 4, 4)
    counts = [0, 0]
    for index in sampler.rng.choices(range(2), sampler.weights, k=4000):
        counts[index] += 1
    assert counts[0] / 4000 == pytest.approx(0.75, abs=0.03)
    with pytest.raises(ValueError, match='weight must be > 0'):
        BatchMaskSource(weight=0)
    with pytest.raises(ValueError, match='at least one'):
        LayoutSampler(sources=[])
