"""The CPU regime configs (configs/fast_scnn/): weights and a tiny run."""
import json
from pathlib import Path

import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image

from helpers import REPO_ROOT, run_tool
from mmseg_synaug.synthesis.filtering import filtered_folder

REGIME = REPO_ROOT / 'configs/fast_scnn'
CONFIGS = sorted(REGIME.glob('fast_scnn*.py'))
# Methods in the regime that change the model, beside the data variants of
# configs/synaug/fast_scnn-* (tested by the benchmark's chain).
ADVERSARIAL = REPO_ROOT / 'configs/adversarial/fast_scnn-adv-hung_1xb8-2k_camvid-256x352.py'  # noqa: E501
QUARTER = REPO_ROOT / 'configs/_base_/datasets/splits/camvid_train_quarter.txt'
RARE = ['Pole', 'SignSymbol', 'Fence', 'Pedestrian', 'Bicyclist']


def test_class_weights_are_median_frequency_balancing(camvid_root):
    """The weights each config states are those of CamVid train's labels:
    median frequency balancing (``-mfb`` configs) or its square root."""
    counts = np.zeros(256, np.int64)
    for path in sorted((REPO_ROOT / camvid_root / 'trainannot').glob('*.png')):
        counts += np.bincount(
            np.asarray(Image.open(path)).ravel(), minlength=256)
    freq = counts[:11] / counts[:11].sum()
    balancing = np.median(freq) / freq
    for config in CONFIGS:
        power = 1.0 if '-mfb_' in config.name else 0.5
        expected = balancing**power
        cfg = Config.fromfile(config)
        heads = [cfg.model.decode_head, *cfg.model.auxiliary_head]
        for head in heads:
            loss = head.loss_decode
            assert loss.type == 'InverseFrequencyCrossEntropyLoss'
            np.testing.assert_allclose(loss.class_weight, expected, atol=1e-3)


@pytest.mark.parametrize(
    'config', CONFIGS + [ADVERSARIAL], ids=lambda path: path.stem)
def test_regime_config_trains_through_compare_configs(camvid_root, tmp_path,
                                                      config):
    """Two iterations, validated on 2 images after each, as the benchmark
    runs them (``--curve``: a row per validation)."""
    run_tool([
        'tools/analysis_tools/compare_configs.py',
        str(config), '--iters', '2', '--seeds', '0', '--work-root',
        str(tmp_path), '--rare', *RARE, '--json',
        str(tmp_path / 'runs.json'), '--curve', '--write',
        str(tmp_path / 'BENCH.md'), '--section', 'regime', '--cfg-options',
        'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'val_dataloader.num_workers=0',
        'val_dataloader.persistent_workers=False',
        'val_dataloader.dataset.indices=2', 'train_cfg.val_interval=1'
    ])
    runs = json.loads((tmp_path / 'runs.json').read_text())['results']
    assert list(runs) == [config.stem]
    run = runs[config.stem][0]
    assert run['iters'] == 2 and run['seed'] == 0
    assert all(0 <= run[f'IoU.{name}'] <= 100 for name in RARE)
    assert [point['step'] for point in run['curve']] == [1, 2]
    assert 0 < run['curve'][0]['minutes'] < run['curve'][1]['minutes']
    report = (tmp_path / 'BENCH.md').read_text()
    header = ('| config | iteration | training minutes | mIoU | ' +
              ' | '.join(RARE) + ' |')
    assert header in report
    rows = [
        line for line in report.splitlines()
        if line.startswith(f'| `{config.stem}` | ')
    ]
    assert [row.split(' | ')[1] for row in rows[-2:]] == ['1', '2']
    assert ' --curve' in report
    work_dir = tmp_path / config.stem / 'seed0'
    assert (work_dir / 'iter_2.pth').is_file()
    dumped = Config.fromfile(work_dir / f'{config.stem}.py')
    crop = tuple(dumped.crop_size)
    assert dumped.train_dataloader.dataset.pipeline[3].crop_size == crop
    assert dumped.model.data_preprocessor.size == crop
    if config == ADVERSARIAL:
        # both networks trained, each by its own optimizer
        import torch
        checkpoint = torch.load(
            work_dir / 'iter_2.pth', map_location='cpu', weights_only=False)
        assert any(
            key.startswith('discriminator.')
            for key in checkpoint['state_dict'])
        assert set(checkpoint['optimizer']) == {'segmentor', 'discriminator'}


def test_quarter_split_is_every_fourth_training_image(camvid_root):
    """92 distinct images of CamVid train, every fourth by file name, so
    each training sequence keeps its share."""
    names = QUARTER.read_text().split()
    train = sorted(
        path.stem
        for path in (REPO_ROOT / camvid_root / 'train').glob('*.png'))
    assert names == train[::4] and len(names) == 92


def test_quarter_regime_trains_and_recomposes_from_its_92_images(
        camvid_root, tmp_path):
    """The quarter config's training set is the split, and a copy-paste set
    written from it pastes segments of those 92 images only."""
    from mmseg.registry import DATASETS
    config = REGIME / 'fast_scnn_1xb8-2k_camvid-quarter-256x352.py'
    dataset = DATASETS.build(Config.fromfile(config).train_dataloader.dataset)
    names = set(QUARTER.read_text().split())
    assert {Path(info['img_path']).stem
            for info in dataset.load_data_list()} == names
    out = tmp_path / 'copypaste'
    run_tool([
        'tools/synthesize.py', 'none', 'none',
        str(config), '--mode', 'multi', '--copy-paste', '--num', '6', '--out',
        str(out)
    ])
    sources = set()
    for line in (out / 'manifest.jsonl').read_text().splitlines():
        record = json.loads(line)
        sources.add(Path(record['source']).stem)
        sources.update(Path(added['source']).stem for added in record['added'])
    assert sources and sources <= names


def test_two_phase_variants_change_one_thing():
    """Phase 2 is the baseline's run for half the iterations from phase 1;
    its fine-tuning variant changes the learning rate only."""
    synaug = REPO_ROOT / 'configs/synaug'
    baseline = Config.fromfile(REGIME / 'fast_scnn_1xb8-2k_camvid-256x352.py')
    phase2 = Config.fromfile(
        synaug /
        'fast_scnn-copypaste-multi-finetune_1xb8-1k_camvid-256x352.py')
    lr01 = Config.fromfile(
        synaug /
        'fast_scnn-copypaste-multi-finetune-lr01_1xb8-1k_camvid-256x352.py')
    assert phase2.model == baseline.model
    assert phase2.train_dataloader == baseline.train_dataloader
    assert phase2.train_cfg.max_iters == 1000
    assert phase2.load_from.endswith('seed0/iter_1000.pth')
    differs = {
        key
        for key in set(phase2) | set(lr01) if phase2.get(key) != lr01.get(key)
    }
    assert differs == {'optim_wrapper'}
    lr = baseline.optim_wrapper.optimizer.lr
    assert lr01.optim_wrapper.optimizer.lr == pytest.approx(lr / 10)


def test_resampled_filtered_mix_filters_the_resampled_set():
    """The two FreeMask steps together: the re-sampled set (its root) with
    the filtered maps tools/filter_synthetic.py writes at margin 1.25 (the
    filtered mix's folder); nothing else differs from the re-sampled mix."""
    synaug = REPO_ROOT / 'configs/synaug'
    name = 'fast_scnn-copypaste-multi-{}_1xb8-2k_camvid-256x352.py'
    resampled = Config.fromfile(synaug / name.format('resampled'))
    filtered = Config.fromfile(synaug / name.format('filtered'))
    both = Config.fromfile(synaug / name.format('resampled-filtered'))
    synthetic = both.train_dataloader.dataset.synthetic
    assert synthetic.data_prefix.seg_map_path == filtered_folder(1.25) == \
        filtered.train_dataloader.dataset.synthetic.data_prefix.seg_map_path
    assert synthetic.data_root == \
        resampled.train_dataloader.dataset.synthetic.data_root
    synthetic.data_prefix.seg_map_path = 'labels'
    assert both.train_dataloader == resampled.train_dataloader
    assert both.model == resampled.model
    assert both.optim_wrapper == resampled.optim_wrapper


def test_generated_resampled_filtered_mix_changes_the_set_only():
    """FreeMask's recipe on generated images: the filtered generated mix
    with the re-sampled set's root, nothing else."""
    synaug = REPO_ROOT / 'configs/synaug'
    name = 'fast_scnn-synaug-multi-{}_1xb8-2k_camvid-256x352.py'
    filtered = Config.fromfile(synaug / name.format('filtered'))
    both = Config.fromfile(synaug / name.format('resampled-filtered'))
    synthetic = both.train_dataloader.dataset.synthetic
    assert synthetic.data_prefix.seg_map_path == filtered_folder(1.25)
    assert Path(synthetic.data_root).resolve() == \
        REPO_ROOT / 'work_dirs/synthetic/cpu_regime/camvid_multi_resampled'
    synthetic.data_root = filtered.train_dataloader.dataset.synthetic.data_root
    assert both.train_dataloader == filtered.train_dataloader
    assert both.model == filtered.model
