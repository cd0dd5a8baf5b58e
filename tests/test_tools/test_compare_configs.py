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


@pytest.mark.parametrize('options, match', [
    ([
        '--cfg-options-for', 'pspnet_r18_typo',
        'optim_wrapper.optimizer.lr=0.5'
    ], 'not one of the configs'),
    (['--curve-plot', 'missing/curves.png'], 'folder does not exist'),
])
def test_bad_options_are_refused_before_training(tmp_path, options, match):
    """--cfg-options-for a config not compared, --curve-plot into a folder
    that does not exist (given under tmp_path): refused by the parser."""
    config = str(REPO_ROOT /
                 'configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py')
    options = [
        str(tmp_path / option) if option.endswith('.png') else option
        for option in options
    ]
    with pytest.raises(pytest.fail.Exception, match=match):
        run_tool([
            'tools/analysis_tools/compare_configs.py', config, '--iters', '2',
            '--work-root',
            str(tmp_path / 'runs'), *options
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


def test_curve_plot_draws_each_seeds_validations(camvid_root, tmp_path):
    """--curve-plot draws the validations during training: the series it
    plots are the seeds' logged validations; runs with no logged curve
    (a summary.json copied alone, written before curves were kept) are
    refused with the option that gives one, and one left out of a
    comparison with others is named."""
    from PIL import Image

    from mmseg_synaug.benchmark import curve_series
    from mmseg_synaug.visualization import plot_comparison_curves

    config = str(REPO_ROOT /
                 'configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py')
    name = 'pspnet_r18_1xb8-1k_camvid-256x256'
    png = tmp_path / 'curves.png'
    run_tool([
        'tools/analysis_tools/compare_configs.py', config, '--iters', '2',
        '--seeds', '0', '1', '--work-root',
        str(tmp_path / 'runs'), '--rare', 'Pole', 'Bicyclist', '--json',
        str(tmp_path / 'runs.json'), '--curve-plot',
        str(png), '--cfg-options', *TINY, 'train_cfg.val_interval=1'
    ])
    records = json.loads((tmp_path / 'runs.json').read_text())['results'][name]
    series = curve_series(records, ['Pole', 'Bicyclist'])
    assert [entry['step'] for entry in series] == [1, 2]
    for entry in series:
        points = [
            point for record in records for point in record['curve']
            if point['step'] == entry['step']
        ]
        assert len(points) == 2  # both seeds
        assert entry['mIoU'] == [point['mIoU'] for point in points]
        assert entry['rare mIoU'] == pytest.approx([
            (point['IoU.Pole'] + point['IoU.Bicyclist']) / 2
            for point in points
        ])
    with Image.open(png) as image:
        width, height = image.size
    assert width > 2 * height  # two panels: mIoU and rare mIoU
    assert not list(tmp_path.glob('*.tmp.png'))
    # A config whose runs logged no validation is named, not dropped.
    assert plot_comparison_curves({
        name: series,
        'no-curve': []
    }, str(tmp_path / 'partial.png')) == ['no-curve']
    assert plot_comparison_curves({name: series},
                                  str(tmp_path / 'full.png')) == []

    summary = json.loads(
        (tmp_path / 'runs' / name / 'seed0' / 'summary.json').read_text())
    del summary['curve']
    alone = tmp_path / 'alone' / name / 'seed0'
    alone.mkdir(parents=True)
    (alone / 'summary.json').write_text(json.dumps(summary))
    with pytest.raises(pytest.fail.Exception, match='train_cfg.val_interval'):
        run_tool([
            'tools/analysis_tools/compare_configs.py', config, '--iters', '2',
            '--seeds', '0', '--work-root',
            str(tmp_path / 'alone'), '--curve-plot',
            str(tmp_path / 'none.png')
        ])
    assert not (tmp_path / 'none.png').exists()
