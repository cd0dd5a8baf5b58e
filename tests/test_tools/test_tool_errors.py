"""Bad input reaches the user of tools/train.py as one short message.

Each test runs the real tool as a subprocess on a tiny copy of CamVid and
checks the exit status, that the output is short, and that it names the
file and the fix (:func:`failing_tool.run_failing_tool`).
"""
import os
import shutil
import subprocess
import sys

import cv2
import pytest
from failing_tool import run_failing_tool

from helpers import REPO_ROOT, tiny_config

NAMES = {
    'train': ['0001TP_006690.png', '0001TP_006720.png'],
    'val': ['0016E5_07959.png', '0016E5_07961.png']
}


def tiny_camvid(camvid_root, root, bad=None, value=12):
    """Two train and two val samples; ``bad`` = (split, i) gets ``value``."""
    for split, names in NAMES.items():
        for sub in (split, split + 'annot'):
            (root / sub).mkdir(parents=True)
        for i, name in enumerate(names):
            shutil.copy(f'{camvid_root}/{split}/{name}', root / split / name)
            label = cv2.imread(f'{camvid_root}/{split}annot/{name}',
                               cv2.IMREAD_UNCHANGED)
            if bad == (split, i):
                label[:8, :8] = value
            cv2.imwrite(str(root / f'{split}annot' / name), label)
    return root


def roots(root):
    return [
        f'train_dataloader.dataset.data_root={root}',
        f'val_dataloader.dataset.data_root={root}'
    ]


@pytest.fixture
def config(tmp_path, camvid_root):
    return tiny_config(tmp_path, 1)


def test_bad_val_label_fails_at_start_up(config, tmp_path, camvid_root):
    root = tiny_camvid(camvid_root, tmp_path / 'camvid', bad=('val', 1))
    output = run_failing_tool([
        'tools/train.py', config, '--work-dir', tmp_path / 'work',
        '--cfg-options', *roots(root)
    ])
    assert f'{root}/valannot/0016E5_07959.png' not in output
    assert f'{root}/valannot/0016E5_07961.png' in output
    assert '[12]' in output and 'Fix: Map these values' in output
    assert 'train.py: EncoderDecoder from' in output  # the header
    assert 'Config:' not in output  # before the Runner's config dump
    assert 'Iter(train)' not in output


def test_debug_shows_the_traceback(config, tmp_path, camvid_root):
    root = tiny_camvid(camvid_root, tmp_path / 'camvid', bad=('val', 0))
    for extra, env in (([], dict(SYNAUG_DEBUG='1')), (['--debug'], {})):
        result = subprocess.run(
            [
                sys.executable, 'tools/train.py', config, '--work-dir',
                str(tmp_path / 'work'), '--cfg-options', *roots(root)
            ] + extra,
            cwd=REPO_ROOT,
            env=dict(os.environ, **env),
            capture_output=True,
            text=True)
        assert result.returncode != 0
        assert 'Traceback' in result.stderr
        assert 'DataError: The label map' in result.stderr


def test_error_in_a_dataloader_worker_is_one_message(config, tmp_path,
                                                     camvid_root):
    """A label checked only when loaded, by a worker: one message."""
    root = tiny_camvid(camvid_root, tmp_path / 'camvid', bad=('train', 1))
    output = run_failing_tool(
        [
            'tools/train.py', config, '--work-dir', tmp_path / 'work',
            '--cfg-options', *roots(root),
            'train_dataloader.dataset.check_labels=0',
            'train_dataloader.num_workers=1'
        ],
        max_lines=None)  # the Runner's logs come first here
    assert output.count(f'{root}/trainannot/0001TP_006720.png') == 1
    assert 'raised in a DataLoader worker' in output
    message = output[output.index('error: '):]
    assert len(message.splitlines()) <= 4, message


def test_empty_dataset_folder(config, tmp_path, camvid_root):
    root = tiny_camvid(camvid_root, tmp_path / 'camvid')
    for path in (root / 'train').iterdir():
        path.unlink()
    output = run_failing_tool([
        'tools/train.py', config, '--work-dir', tmp_path / 'work',
        '--cfg-options', *roots(root)
    ])
    assert f'`{root}/train` holds no `*.png` image' in output
    assert 'concatenate' not in output


def test_missing_synthetic_set(tmp_path, camvid_root):
    config = tiny_config(tmp_path, 1,
                         REPO_ROOT / 'configs/pspnet_synaug_camvid.py')
    missing = tmp_path / 'no_synthetic_set'
    output = run_failing_tool([
        'tools/train.py', config, '--work-dir', tmp_path / 'work',
        '--cfg-options',
        f'train_dataloader.dataset.synthetic.data_root={missing}'
    ])
    assert str(missing) in output
    assert 'tools/synthesize.py' in output
    assert 'train_dataloader.dataset.synthetic.data_root' in output
    assert 'dataset_converters' not in output


def test_cfg_options_typo_is_refused(config, tmp_path):
    output = run_failing_tool([
        'tools/train.py', config, '--work-dir', tmp_path / 'work',
        '--cfg-options', 'trian_cfg.max_iters=4'
    ])
    assert '`trian_cfg.max_iters`' in output
    assert 'did you mean train_cfg' in output
    output = run_failing_tool([
        'tools/train.py', config, '--work-dir', tmp_path / 'work',
        '--cfg-options', 'train_cfg.max_iter=4'
    ])
    assert 'did you mean train_cfg.max_iters' in output


def test_resume_with_nothing_to_resume(config, tmp_path):
    work_dir = tmp_path / 'empty_work_dir'
    output = run_failing_tool(
        ['tools/train.py', config, '--work-dir', work_dir, '--resume'])
    assert f'`{work_dir}` holds no checkpoint to resume' in output
    assert '--resume-or-start' in output


def test_missing_config(tmp_path):
    output = run_failing_tool(['tools/train.py', tmp_path / 'nothing.py'])
    assert f'`{tmp_path}/nothing.py` does not exist' in output
