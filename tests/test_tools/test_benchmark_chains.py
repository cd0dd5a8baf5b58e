"""The two synthesis benchmark chains, end to end at 1-2 iterations."""
import json
import sys
from pathlib import Path

from mmengine.config import Config

from helpers import REPO_ROOT, run_tool

TINY = ('train_dataloader.batch_size=2 train_dataloader.num_workers=0 '
        'train_dataloader.persistent_workers=False '
        'val_dataloader.num_workers=0 val_dataloader.persistent_workers=False '
        'val_dataloader.dataset.indices=2')


def run_chain(script: str, tmp_path, monkeypatch, **env: str) -> str:
    """Run a chain at one seed, tiny crops and val set; return its table."""
    settings = dict(
        PYTHON=sys.executable,
        SEEDS='0',
        CROP='64',
        WORK=str(tmp_path / 'work'),
        WRITE=str(tmp_path / 'BENCH.md'),
        EXTRA=TINY)
    settings.update(env)
    for key, value in settings.items():
        monkeypatch.setenv(key, value)
    # a chain of a dozen tools, slower where other work shares the cores
    run_tool([str(REPO_ROOT / 'tools/analysis_tools' / script)], timeout=1800)
    return (tmp_path / 'BENCH.md').read_text()


def test_image_synthesis_chain(camvid_root, tmp_path, monkeypatch):
    report = run_chain(
        'benchmark_image_synthesis.sh',
        tmp_path,
        monkeypatch,
        GEN_ITERS='2',
        NUM='3',
        ITERS='1',
        SYNTHETIC=str(tmp_path / 'synthetic'))
    assert (tmp_path / 'work/pix2pixhd/iter_2.pth').is_file()
    for name in ('camvid_multi', 'camvid_multi_copypaste'):
        images = sorted((tmp_path / 'synthetic' / name / 'images').iterdir())
        assert len(images) == 3
    assert report.count('<!-- image-synthesis -->') == 2
    for algorithm in ('pspnet', 'pspnet-synaug-multi-r05',
                      'pspnet-copypaste-multi'):
        assert f'| `{algorithm}_r18_1xb8-1k_camvid-256x256` |' in report
    # Each mix trained on its own synthetic folder, not the default one.
    dumped = (
        tmp_path / 'work/segmentors' /
        'pspnet-copypaste-multi_r18_1xb8-1k_camvid-256x256/seed0' /
        'pspnet-copypaste-multi_r18_1xb8-1k_camvid-256x256.py')
    assert str(tmp_path / 'synthetic/camvid_multi_copypaste') in \
        dumped.read_text()


def test_feature_synthesis_chain(camvid_root, segmentor_checkpoint, tmp_path,
                                 monkeypatch):
    report = run_chain(
        'benchmark_feature_synthesis.sh',
        tmp_path,
        monkeypatch,
        PSPNET=segmentor_checkpoint,
        # Three real samples and one synthetic: PSPNet's 1x1 pooling bin
        # needs more than one real sample for batch norm.
        EXTRA=TINY.replace('batch_size=2', 'batch_size=4'),
        GEN_ITERS='2',
        ITERS='1')
    assert (tmp_path / 'work/featgan/iter_2.pth').is_file()
    assert (tmp_path / 'work/feature_score.json').is_file()
    assert report.count('<!-- feature-synthesis -->') == 2
    featsyn = '| `pspnet-featsyn_r18_1xb8-1k_camvid-256x256` |'
    assert featsyn in report
    assert 'loss_synthetic' in report  # the hook's loss was logged


def test_cpu_regime_chain(camvid_root, tmp_path, monkeypatch):
    """Copy-paste set, baseline and mix, the filter by the seed-0 baseline,
    the generator, its set, score and filter, the copy-paste set filtered
    boundary-aware, the five mixes and the adversarial variant, one table;
    the two-phase schedule; the re-sampled copy-paste set, its mix and its
    filtered mix, the generated re-sampled set's filtered mix; each
    seed's feature generator, its score and the fine-tuning pair; the
    quarter-label regime (its sets, generator, score, three runs): the CPU
    regime's benchmark at 2 iterations (run twice: the second reuses every
    step)."""
    settings = dict(
        ITERS='2',
        GEN_ITERS='2',
        NUM='3',
        NUM_REAL='2',
        SCORE_NUM='2',
        RESAMPLE_NUM='3',
        RENDERINGS='0 20',
        FEATGAN_ITERS='2',
        SCORE_BATCHES='1',
        SYNTHETIC=str(tmp_path / 'synthetic'))
    report = run_chain('benchmark_cpu_regime.sh', tmp_path, monkeypatch,
                       **settings)
    assert (tmp_path / 'work/pix2pixhd_w32-d3-r6/iter_2.pth').is_file()
    assert (tmp_path / 'work/synthesis_score.json').is_file()
    for folder in ('camvid_multi_copypaste', 'camvid_multi'):
        synthetic = tmp_path / 'synthetic' / folder
        assert len(list((synthetic / 'images').iterdir())) == 3
        assert len(list((synthetic / 'labels_filtered_m1.25').iterdir())) == 3
    copypaste = tmp_path / 'synthetic/camvid_multi_copypaste'
    assert len(list((copypaste / 'labels_filtered_m1.25_b3').iterdir())) == 3
    assert report.count('<!-- cpu-regime -->') == 2
    for name in ('fast_scnn', 'fast_scnn-copypaste-multi',
                 'fast_scnn-copypaste-multi-filtered',
                 'fast_scnn-copypaste-multi-filtered-b3',
                 'fast_scnn-synaug-multi', 'fast_scnn-synaug-multi-filtered',
                 'fast_scnn-adv-hung'):
        name += '_1xb8-2k_camvid-256x352'
        assert f'| `{name}` |' in report
        assert f'| `{name}` | 2 |' in report  # the curve's row
    # Each filtered mix trained on the filtered maps of its own set.
    for name, folder, labels in (
        ('fast_scnn-copypaste-multi-filtered', 'camvid_multi_copypaste',
         'labels_filtered_m1.25'),
        ('fast_scnn-synaug-multi-filtered', 'camvid_multi',
         'labels_filtered_m1.25'),
        ('fast_scnn-copypaste-multi-filtered-b3', 'camvid_multi_copypaste',
         'labels_filtered_m1.25_b3'),
    ):
        name += '_1xb8-2k_camvid-256x352'
        dumped = (tmp_path / 'work' / name / 'seed0' /
                  f'{name}.py').read_text()
        synthetic = tmp_path / 'synthetic' / folder
        assert f"'{synthetic}'" in dumped
        assert f"seg_map_path='{labels}'" in dumped
    # The two-phase schedule: each phase half the iterations, phase 2 of
    # each seed from that seed's phase 1.
    two_phase = tmp_path / 'work/two_phase'
    pretrain = 'fast_scnn-copypaste-multi-pretrain_1xb8-1k_camvid-256x352'
    finetune = 'fast_scnn-copypaste-multi-finetune_1xb8-1k_camvid-256x352'
    assert (two_phase / pretrain / 'seed0/iter_1.pth').is_file()
    dumped = (two_phase / finetune / 'seed0' / f'{finetune}.py').read_text()
    assert f"load_from = '{two_phase / pretrain}/seed0/iter_1.pth'" in dumped
    assert (two_phase / finetune / 'seed0/iter_1.pth').is_file()
    assert f'| `{pretrain}` | 1 |' in report
    assert f'| `{finetune}` | 1 |' in report
    lr01 = 'fast_scnn-copypaste-multi-finetune-lr01_1xb8-1k_camvid-256x352'
    assert f'| `{lr01}` | 1 |' in report
    dumped = (two_phase / lr01 / 'seed0' / f'{lr01}.py').read_text()
    assert f"load_from = '{two_phase / pretrain}/seed0/iter_1.pth'" in dumped
    assert report.count('<!-- cpu-regime-two-phase -->') == 2
    # Re-sampling: the seed-0 baseline's allocation over CamVid train's
    # 367 maps, 3 renderings of the 3 hardest; the mix trained on that set.
    resampled = tmp_path / 'synthetic/camvid_multi_copypaste_resampled'
    allocation = json.loads((resampled / 'resampling.json').read_text())
    counts = allocation['counts']
    assert len(counts) == 367 and sum(counts) == 3
    hardest = sorted(range(367), key=lambda i: allocation['hardness'][i])
    assert all(counts[i] == 1 for i in hardest[-3:])
    assert len(list((resampled / 'images').iterdir())) == 3
    name = 'fast_scnn-copypaste-multi-resampled_1xb8-2k_camvid-256x352'
    assert f'| `{name}` | 2 |' in report
    assert report.count('<!-- cpu-regime-resampled -->') == 2
    dumped = (tmp_path / 'work' / name / 'seed0' / f'{name}.py').read_text()
    assert f"'{resampled}'" in dumped
    # ... and the same set filtered, trained on its filtered maps; the
    # maps of the same allocation rendered by the generator, filtered too.
    generated = tmp_path / 'synthetic/camvid_multi_resampled'
    assert json.loads(
        (generated / 'resampling.json').read_text())['counts'] == counts
    assert len(list((generated / 'images').iterdir())) == 3
    for name, synthetic in (('fast_scnn-copypaste-multi-resampled-filtered',
                             resampled),
                            ('fast_scnn-synaug-multi-resampled-filtered',
                             generated)):
        assert len(list((synthetic / 'labels_filtered_m1.25').iterdir())) == 3
        name += '_1xb8-2k_camvid-256x352'
        assert f'| `{name}` | 2 |' in report
        dumped = (tmp_path / 'work' / name / 'seed0' /
                  f'{name}.py').read_text()
        assert f"'{synthetic}'" in dumped
        assert "seg_map_path='labels_filtered_m1.25'" in dumped
    # Feature synthesis: each seed's generator on that seed's baseline, its
    # score, the seed's baseline fine-tuned with and without synthetic
    # features from its own generator.
    featgan = tmp_path / 'work/featgan-s0_fast-scnn-seed0/iter_2.pth'
    assert featgan.is_file()
    generator_cfg = Config.fromfile(
        tmp_path / 'work/featgan-s0_fast-scnn-seed0' /
        'featgan-s0_fast-scnn_1xb8-2k_camvid-128x128.py')
    baseline = (
        tmp_path / 'work/fast_scnn_1xb8-2k_camvid-256x352' /
        'seed0/iter_2.pth')
    assert generator_cfg.model.data_preprocessor.checkpoint == str(baseline)
    scores = json.loads(
        (tmp_path / 'work/feature_score_seed0.json').read_text())
    assert set(scores) == {'real', 'synthetic'}
    assert report.count('<!-- cpu-regime-feature-perseed -->') == 2
    for name in ('fast_scnn-finetune', 'fast_scnn-featsyn'):
        name += '_1xb8-1k_camvid-256x352'
        assert f'| `{name}` | 1 |' in report
        # (one seed here: {seed} in load_from became the run's seed)
        dumped = (tmp_path / 'work/feature_perseed' / name / 'seed0' /
                  f'{name}.py').read_text()
        assert f"load_from = '{baseline}'" in dumped
    featsyn = Config.fromfile(tmp_path / 'work/feature_perseed' / name /
                              'seed0' / f'{name}.py')
    assert featsyn.model.synthesizer.generator_checkpoint == str(featgan)
    # The quarter-label regime: sets from the 92 images, its own generator.
    assert (tmp_path / 'work/pix2pixhd_w32-d3-r6_quarter/iter_2.pth').is_file()
    assert (tmp_path / 'work/synthesis_score_quarter.json').is_file()
    quarter = set(
        (REPO_ROOT / 'configs/_base_/datasets/splits/camvid_train_quarter.txt'
         ).read_text().split())
    for folder in ('camvid_quarter_multi_copypaste', 'camvid_quarter_multi'):
        synthetic = tmp_path / 'synthetic' / folder
        assert len(list((synthetic / 'images').iterdir())) == 3
        for line in (synthetic / 'manifest.jsonl').read_text().splitlines():
            record = json.loads(line)
            assert Path(record['source']).stem in quarter
    assert report.count('<!-- cpu-regime-quarter -->') == 2
    for name in ('fast_scnn', 'fast_scnn-copypaste-multi',
                 'fast_scnn-synaug-multi'):
        name += '_1xb8-2k_camvid-quarter-256x352'
        assert f'| `{name}` | 2 |' in report
        dumped = (tmp_path / 'work' / name / 'seed0' /
                  f'{name}.py').read_text()
        assert 'camvid_train_quarter.txt' in dumped
    # Every table's validation curves drawn beside it.
    for section in ('cpu-regime', 'cpu-regime-pretrain',
                    'cpu-regime-two-phase', 'cpu-regime-resampled',
                    'cpu-regime-feature-perseed', 'cpu-regime-quarter'):
        assert (tmp_path / 'work' / f'curves_{section}.png').is_file()
    again = run_chain('benchmark_cpu_regime.sh', tmp_path, monkeypatch,
                      **settings)
    assert again == report
