"""benchmark_train.py, benchmark_train_step.py and benchmark_image_reading.py:
the tables they write.

Speeds are not checked (a benchmark measures them); these runs check that
each tool trains every config through the real entry points and writes
one row per config, the first the reference of the ratios.
"""
import os
import shutil

import pytest
from failing_tool import run_failing_tool

from helpers import REPO_ROOT, jpeg_copy, run_tool

PSPNET = 'configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py'
UNET = 'configs/unet/unet-s5-d16_fcn_1xb8-1k_camvid-256x256.py'
TINY = [
    'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False',
    'model.data_preprocessor.size=(64,64)',
    'train_dataloader.dataset.pipeline.3.crop_size=(64,64)'
]


def test_benchmark_train_writes_one_row_per_config(camvid_root, tmp_path):
    report = tmp_path / 'BENCH.md'
    result = run_tool([
        'tools/analysis_tools/benchmark_train.py', PSPNET, UNET, '--iters',
        '3', '--warmup', '1', '--write',
        str(report), '--section', 'speed', '--cfg-options', *TINY
    ])
    assert f'{PSPNET}: ' in result.stdout
    text = report.read_text()
    assert text.count('<!-- speed -->') == 2
    rows = [line for line in text.splitlines() if line.startswith('| `')]
    assert [row.split('`')[1] for row in rows] == [PSPNET, UNET]
    assert rows[0].endswith('| 1.00 |')
    assert f'benchmark_train.py {PSPNET} {UNET} --iters 3' in text


def test_concurrency_probe_trains_each_count_at_once(camvid_root, tmp_path):
    """--concurrency 1 2: one run, then two at once (seeds 0 and 1), each
    logging its iterations; a row per count, the first the reference."""
    report = tmp_path / 'BENCH.md'
    result = run_tool([
        'tools/analysis_tools/benchmark_train.py', PSPNET, '--iters', '3',
        '--warmup', '1', '--concurrency', '1', '2', '--write',
        str(report), '--cfg-options', *TINY
    ])
    assert '2 at once: ' in result.stdout
    text = report.read_text()
    assert text.count('<!-- train-concurrency -->') == 2
    rows = [
        line.split(' | ') for line in text.splitlines()
        if line.startswith('| 1 |') or line.startswith('| 2 |')
    ]
    assert [row[0] for row in rows] == ['| 1', '| 2']
    assert rows[0][3] == '1.00 |'
    for _, s_per_iter, per_s, _ in rows:
        assert float(per_s) > 0 and float(s_per_iter) > 0
    assert f'{PSPNET} --iters 3 --warmup 1 --concurrency 1 2' in text
    assert 'Most iterations per second with' in text


def test_concurrency_probe_takes_one_config():
    with pytest.raises(
            pytest.fail.Exception,
            match='--concurrency measures one config; got 2.'):
        run_tool([
            'tools/analysis_tools/benchmark_train.py', PSPNET, UNET,
            '--concurrency', '2'
        ])


def test_benchmark_train_step_takes_turns(camvid_root):
    result = run_tool([
        'tools/analysis_tools/benchmark_train_step.py', PSPNET, UNET,
        '--iters', '3', '--warmup', '1', '--device', 'cpu', '--cfg-options',
        *TINY, '--cfg-options-for', 'unet-s5-d16_fcn_1xb8-1k_camvid-256x256',
        'optim_wrapper.optimizer.lr=0.02'
    ])
    rows = [
        line for line in result.stdout.splitlines() if line.startswith('| `')
    ]
    assert [row.split('`')[1] for row in rows] == [
        'pspnet_r18_1xb8-1k_camvid-256x256',
        'unet-s5-d16_fcn_1xb8-1k_camvid-256x256'
    ]
    assert rows[0].endswith('| 1.00 |')


@pytest.mark.parametrize(
    'tool', ['benchmark_train', 'benchmark_train_step', 'compare_configs'])
def test_unknown_key_is_refused(tool, tmp_path):
    """Before anything trains, one message with the close key."""
    extra = (['--work-root', str(tmp_path)]
             if tool == 'compare_configs' else ['--warmup', '1'])
    with pytest.raises(
            pytest.fail.Exception,
            match=r'optim_wraper.*did you mean optim_wrapper'):
        run_tool([
            f'tools/analysis_tools/{tool}.py',
            str(REPO_ROOT / PSPNET), '--iters', '3', *extra, '--cfg-options',
            'optim_wraper.optimizer.lr=0.1'
        ])
    assert not any(tmp_path.iterdir())  # nothing trained


def test_image_reading_times_a_png_folder_and_its_jpeg_copy(
        camvid_root, tmp_path):
    """benchmark_image_reading.py: a row per folder through the pipeline's
    LoadCheckedImage, the suffix each holds, one time per pass."""
    names = sorted(os.listdir(f'{camvid_root}/train'))[:3]
    (tmp_path / 'png').mkdir()
    for name in names:
        shutil.copy(f'{camvid_root}/train/{name}', tmp_path / 'png')
    jpeg = jpeg_copy(camvid_root, tmp_path / 'camvid_jpg', names) / 'train'
    report = tmp_path / 'BENCH.md'
    run_tool([
        'tools/analysis_tools/benchmark_image_reading.py',
        str(tmp_path / 'png'),
        str(jpeg), '--repeats', '2', '--write',
        str(report)
    ])
    text = report.read_text()
    assert text.count('<!-- image-reading -->') == 2
    rows = [
        line.split(' | ') for line in text.splitlines()
        if line.startswith('| `')
    ]
    assert [row[0].split('`')[3] for row in rows] == ['*.png', '*.jpg']
    assert [row[1] for row in rows] == ['3', '3']
    png_mb = sum(os.path.getsize(tmp_path / 'png' / n) for n in names) / 1e6
    assert rows[0][2] == f'{png_mb:.1f}'
    assert float(rows[1][2]) < float(rows[0][2])  # JPEG q90 is smaller
    for row in rows:  # median (pass 1, pass 2)
        median, passes = row[3].split(' (')
        times = [float(t) for t in passes.rstrip(')').split(', ')]
        assert len(times) == 2 and min(times) > 0
        assert float(median) == pytest.approx(sum(times) / 2, abs=0.011)
    assert rows[0][4] == '1.00 |'


def test_image_reading_refuses_a_folder_without_images(tmp_path):
    (tmp_path / 'empty').mkdir()
    output = run_failing_tool([
        'tools/analysis_tools/benchmark_image_reading.py',
        str(tmp_path / 'empty')
    ])
    assert f'{tmp_path / "empty"}` holds no PNG or JPEG image' in output


def test_image_reading_names_a_folder_that_does_not_exist(tmp_path):
    output = run_failing_tool([
        'tools/analysis_tools/benchmark_image_reading.py',
        str(tmp_path / 'missing')
    ])
    assert f'{tmp_path / "missing"}` does not exist' in output
