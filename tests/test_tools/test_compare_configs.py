"""compare_configs: seeds at equal iterations, resumable, a table."""
import json

import pytest

from helpers import REPO_ROOT, run_tool

TINY = [
    'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False',
    'val_dataloader.num_workers=0', 'val_dataloader.persistent_workers=False',
    'val_dataloader.dataset.indices=2'
]


def test_two_seeds_table_and_resume(camvid_root, tmp_path):
    config = str(REPO_ROOT /
                 'configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py')
    args = [
        'tools/analysis_tools/compare_configs.py', config, '--iters', '2',
        '--seeds', '0', '1', '--work-root',
        str(tmp_path), '--rare', 'Pole', 'Bicyclist', '--write',
        str(tmp_path / 'BENCH.md'), '--section', 'tiny', '--cfg-options',
        *TINY, '--cfg-options-for', 'pspnet_r18_1xb8-1k_camvid-256x256',
        'optim_wrapper.optimizer.lr=0.0123'
    ]
    first = run_tool(args)
    assert first.stdout.count('training 2 iterations') == 2
    for seed in (0, 1):
        assert (tmp_path / 'pspnet_r18_1xb8-1k_camvid-256x256' /
                f'seed{seed}' / 'iter_2.pth').is_file()
    report = (tmp_path / 'BENCH.md').read_text()
    assert report.count('<!-- tiny -->') == 2
    assert '| `pspnet_r18_1xb8-1k_camvid-256x256` |' in report
    assert 'rare mIoU' in report and '| 1.00 |' in report  # time ratio
    assert 'Pedestrian' in report  # per-class table
    assert '| config | aux.acc_seg | aux.loss_ce |' in report  # loss table
    assert 'mIoU per seed' in report
    # --cfg-options-for reaches its config's runs.
    dumped = (tmp_path / 'pspnet_r18_1xb8-1k_camvid-256x256' / 'seed0' /
              'pspnet_r18_1xb8-1k_camvid-256x256.py').read_text()
    assert 'lr=0.0123' in dumped

    second = run_tool(args)
    assert 'training 2 iterations' not in second.stdout
    assert second.stdout.count('done before') == 2
    assert (tmp_path / 'BENCH.md').read_text().count('<!-- tiny -->') == 2


def test_cfg_options_for_an_unknown_config_is_refused(tmp_path):
    config = str(REPO_ROOT /
                 'configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py')
    with pytest.raises(pytest.fail.Exception, match='not one of the configs'):
        run_tool([
            'tools/analysis_tools/compare_configs.py', config, '--iters', '2',
            '--work-root',
            str(tmp_path), '--cfg-options-for', 'pspnet_r18_typo',
            'optim_wrapper.optimizer.lr=0.5'
        ])
    assert not any(tmp_path.iterdir())  # nothing trained, nothing written


def test_extra_test_split_is_scored_beside_val(camvid_root, tmp_path):
    """An extra split holding val's images scores exactly what val does; a
    finished comparison is scored on a new split without training again."""
    config = str(REPO_ROOT /
                 'configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py')
    root = REPO_ROOT / camvid_root
    args = [
        'tools/analysis_tools/compare_configs.py', config, '--iters', '2',
        '--seeds', '0', '--work-root',
        str(tmp_path), '--rare', 'Pole', '--json',
        str(tmp_path / 'runs.json'), '--cfg-options', *TINY,
        'test_dataloader.num_workers=0',
        'test_dataloader.persistent_workers=False',
        'test_dataloader.dataset.indices=2'
    ]
    run_tool(args)
    second = run_tool(args + [
        '--extra-test', f'copy={root}/val,{root}/valannot', '--extra-test',
        f'val={root}'
    ])
    assert 'training 2 iterations' not in second.stdout
    assert second.stdout.count('scoring seed0 on ') == 2
    run = json.loads(
        (tmp_path / 'runs.json'
         ).read_text())['results']['pspnet_r18_1xb8-1k_camvid-256x256'][0]
    for split in ('copy', 'val'):
        assert run['extra'][split]['mIoU'] == run['mIoU']
        assert run['extra'][split]['IoU.Pole'] == run['IoU.Pole']
    assert '| `pspnet_r18_1xb8-1k_camvid-256x256` | copy |' in second.stdout
    assert f'--extra-test copy={root}/val,{root}/valannot' in second.stdout


def test_extra_test_folder_must_exist(tmp_path):
    config = str(REPO_ROOT /
                 'configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py')
    with pytest.raises(pytest.fail.Exception, match='does not exist'):
        run_tool([
            'tools/analysis_tools/compare_configs.py', config, '--iters', '2',
            '--work-root',
            str(tmp_path), '--extra-test', f'test={tmp_path}'
        ])
    assert not any(tmp_path.iterdir())
