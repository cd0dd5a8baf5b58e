"""A real few-iteration coarse-to-fine training on FASSEG, its evaluation,
and tools/refine_labels.py with the trained checkpoint."""
import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image

from helpers import REPO_ROOT, run_tool
from mmseg_synaug.utils import DataError

CONFIGS = REPO_ROOT / 'configs/coarse_to_fine'
REFINER = CONFIGS / 'coarse-to-fine_unet-s5-d16_1xb4-0.4k_fasseg-256x256.py'
DISC = CONFIGS / ('coarse-to-fine-disc-half-fine_unet-s5-d16_1xb4-0.4k_'
                  'fasseg-256x256.py')


def tiny_config(tmp_path: Path, base: Path, iters: int,
                val_interval: int) -> str:
    """Inherit a real config: 64 px crops, batch 2, 2 test images."""
    path = tmp_path / f'tiny_{base.stem}.py'
    path.write_text(f"""
_base_ = ['{base}']
crop_size = (64, 64)
model = dict(data_preprocessor=dict(size=crop_size))
train_dataloader = dict(batch_size=2, num_workers=0, persistent_workers=False)
val_dataloader = dict(
    num_workers=0, persistent_workers=False, dataset=dict(indices=2))
test_dataloader = val_dataloader
train_cfg = dict(max_iters={iters}, val_interval={val_interval})
param_scheduler = [dict(type='PolyLR', eta_min=1e-5, power=0.9, begin=0,
                        end={iters}, by_epoch=False)]
default_hooks = dict(
    checkpoint=dict(interval={iters}), logger=dict(interval=1))
randomness = dict(seed=0)
""")
    cfg = Config.fromfile(str(path))
    # Shrink the crops of every training pipeline (ConcatDataset included).
    datasets = cfg.train_dataloader.dataset.get('datasets',
                                                [cfg.train_dataloader.dataset])
    for dataset in datasets:
        for step in dataset.pipeline:
            if step['type'] == 'RandomCrop':
                step['crop_size'] = (64, 64)
            if step['type'] == 'RandomResize':
                step['scale'] = (128, 180)
    cfg.dump(str(path))
    return str(path)


@pytest.fixture(scope='module')
def trained(fasseg_root, tmp_path_factory):
    """Train the refiner 3 iterations, then evaluate with tools/test.py."""
    tmp_path = tmp_path_factory.mktemp('c2f')
    config = tiny_config(tmp_path, REFINER, 3, 3)
    work_dir = tmp_path / 'work'
    train = run_tool(['tools/train.py', config, '--work-dir', str(work_dir)])
    test = run_tool([
        'tools/test.py', config,
        str(work_dir / 'iter_3.pth'), '--work-dir',
        str(tmp_path / 'test'), '--out',
        str(tmp_path / 'pred')
    ])
    return tmp_path, config, work_dir, train.stdout, test.stdout


def test_training_reports_refined_and_coarse_scores(trained):
    _, _, work_dir, train, test = trained
    assert (work_dir / 'iter_3.pth').is_file()
    assert 'decode.loss_ce: ' in train
    for log in (train, test):
        for key in ('aAcc', 'mIoU', 'bF', 'coarse.aAcc', 'coarse.bF'):
            assert f' {key}: ' in log, f'{key} missing'
    # The coarse reference of test images 1 and 10 is a fixed number.
    coarse = float(test.split('coarse.aAcc: ')[1].split()[0])
    assert 80 < coarse < 95


def test_discriminator_variant_trains(fasseg_root, tmp_path):
    result = run_tool([
        'tools/train.py',
        tiny_config(tmp_path, DISC, 2, 1000), '--work-dir',
        str(tmp_path / 'work')
    ])
    assert 'disc.loss_disc: ' in result.stdout
    assert 'decode.loss_adv: ' in result.stdout
    assert 'Iter(train) [2/2]' in result.stdout


def copy_pairs(fasseg_root: str, folder: Path, names=('1', '10')):
    for kind, sub in (('images', 'images'), ('coarse', 'coarse')):
        (folder / sub).mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copy(
                Path(fasseg_root) / kind / 'test' / f'{name}.png',
                folder / sub / f'{name}.png')


def load_refine_labels():
    sys.path.insert(0, str(REPO_ROOT / 'tools'))
    try:
        import refine_labels
    finally:
        sys.path.pop(0)
    return refine_labels


def refine(monkeypatch, capsys, config, checkpoint, folder: Path, *extra):
    refine_labels = load_refine_labels()
    monkeypatch.setattr(sys, 'argv', [
        'refine_labels.py', config,
        str(checkpoint), '--images',
        str(folder / 'images'), '--coarse',
        str(folder / 'coarse'), '--out',
        str(folder / 'out'), *extra
    ])
    refine_labels.main()
    return capsys.readouterr()


def test_refine_labels_writes_the_model_predictions_and_resumes(
        trained, fasseg_root, monkeypatch, capsys):
    tmp_path, config, work_dir, _, _ = trained
    folder = tmp_path / 'refine'
    copy_pairs(fasseg_root, folder)
    checkpoint = work_dir / 'iter_3.pth'
    first = refine(monkeypatch, capsys, config, checkpoint, folder,
                   '--palette', 'fasseg')
    assert '2 images, 0 already refined, 2 to refine' in first.out
    assert 'refining: 2/2 map (' in first.err  # progress, one line per tenth
    for name in ('1', '10'):
        refined = Image.open(folder / 'out' / f'{name}.png')
        image = Image.open(folder / 'images' / f'{name}.png')
        assert refined.mode == 'L' and refined.size == image.size
        # The same maps as tools/test.py --out, with the same pipeline.
        np.testing.assert_array_equal(
            np.asarray(refined),
            np.asarray(Image.open(tmp_path / 'pred' / f'{name}.png')))
    assert sorted(os.listdir(folder / 'out')) == ['1.png', '10.png']

    # Resume: existing maps are skipped; a half-written leftover is
    # replaced by the complete map.
    kept = (folder / 'out' / '1.png').stat().st_mtime_ns
    (folder / 'out' / '10.png').unlink()
    (folder / 'out' / '.10.png.partial').write_bytes(b'half')
    second = refine(monkeypatch, capsys, config, checkpoint, folder,
                    '--palette', 'fasseg')
    assert '2 images, 1 already refined, 1 to refine' in second.out
    assert (folder / 'out' / '1.png').stat().st_mtime_ns == kept
    assert sorted(os.listdir(folder / 'out')) == ['1.png', '10.png']
    third = refine(monkeypatch, capsys, config, checkpoint, folder)
    assert '2 already refined, 0 to refine' in third.out


def test_refine_labels_errors_name_the_file_and_the_fix(
        trained, fasseg_root, monkeypatch, capsys):
    tmp_path, config, work_dir, _, _ = trained
    checkpoint = work_dir / 'iter_3.pth'

    missing = tmp_path / 'missing'
    copy_pairs(fasseg_root, missing)
    (missing / 'coarse' / '10.png').unlink()
    with pytest.raises(
            DataError,
            match=r'10.png` has no coarse label map'
            r'.*Fix: Add the coarse map'):
        refine(monkeypatch, capsys, config, checkpoint, missing)

    mismatched = tmp_path / 'mismatched'
    copy_pairs(fasseg_root, mismatched)
    coarse = Image.open(mismatched / 'coarse' / '1.png')
    coarse.resize((100, 120)).save(mismatched / 'coarse' / '1.png')
    with pytest.raises(
            DataError,
            match=r'1.png` is 100x120 \(WxH\) but its '
            r'image .* is \d+x512.*Fix: Resize'):
        refine(monkeypatch, capsys, config, checkpoint, mismatched)

    colour = tmp_path / 'colour'
    copy_pairs(fasseg_root, colour, names=('1', ))
    with pytest.raises(DataError, match=r'1.png` has 3 channels.*--palette'):
        refine(monkeypatch, capsys, config, checkpoint, colour)
    assert not (colour / 'out' / '1.png').exists()

    # A photo given as the coarse map is not snapped to the palette.
    photo = tmp_path / 'photo'
    copy_pairs(fasseg_root, photo, names=('1', ))
    shutil.copy(photo / 'images' / '1.png', photo / 'coarse' / '1.png')
    with pytest.raises(
            DataError,
            match=r'coarse label map `.*photo/coarse/1.png` is not coded '
            r'with the palette: (9\d|100)\.\d% of its pixels are farther '
            r'than 40 from every palette colour \(at most 5.0% may be'):
        refine(monkeypatch, capsys, config, checkpoint, photo, '--palette',
               'fasseg')
    assert not (photo / 'out' / '1.png').exists()


def test_palette_check_takes_every_fasseg_coarse_map_and_no_photo(fasseg_root):
    """All real colour-coded maps pass (anti-aliased edges and all); every
    photo of the same faces is refused."""
    from mmseg_synaug.apis import refinement
    palette = refinement.PALETTES['fasseg']
    coarse = sorted(Path(fasseg_root).glob('coarse/*/*.png'))
    fine = sorted(Path(fasseg_root).glob('fine/*/*.png'))
    photos = sorted(Path(fasseg_root).glob('images/*/*.png'))
    assert len(coarse) == len(fine) == len(photos) >= 50
    for path in coarse + fine:
        rgb = np.asarray(Image.open(path).convert('RGB'))
        refinement.check_palette_colours(rgb, palette, str(path),
                                         refinement.COLOUR_TOLERANCE,
                                         refinement.MAX_OFF_PALETTE)
    for path in photos:
        rgb = np.asarray(Image.open(path).convert('RGB'))
        with pytest.raises(DataError, match='is not coded with the palette'):
            refinement.check_palette_colours(rgb, palette, str(path),
                                             refinement.COLOUR_TOLERANCE,
                                             refinement.MAX_OFF_PALETTE)


def test_other_configs_build(camvid_root):
    """The CamVid (simulated coarse) and Cityscapes (gtCoarse) configs."""
    from mmengine.registry import init_default_scope
    from mmseg.registry import DATASETS
    init_default_scope('mmseg')
    camvid = Config.fromfile(
        str(CONFIGS / 'coarse-to-fine_unet-s5-d16_1xb4-0.4k_camvid-'
            'simcoarse-256x256.py'))
    dataset = DATASETS.build(camvid.val_dataloader.dataset)
    sample = dataset[0]['data_samples']
    assert sample.gt_coarse_seg_map.shape == sample.gt_sem_seg.shape
    assert (sample.gt_coarse_seg_map.data == 255).any()  # simulated void
    cityscapes = Config.fromfile(
        str(CONFIGS / 'coarse-to-fine_unet-s5-d16_1xb4-0.4k_cityscapes-'
            'gtcoarse-512x512.py'))
    assert cityscapes.model.num_classes == 19
    assert cityscapes.train_dataloader.dataset.type == \
        'CityscapesCoarseFineDataset'
