"""A real few-iteration training on CamVid: train, resume, evaluate."""
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from helpers import free_port, run_tool, tiny_config


def test_training_writes_checkpoint_and_scores(trained):
    _, work_dir, first, _ = trained
    assert (work_dir / 'iter_2.pth').is_file()
    for key in ('aAcc', 'mAcc', 'mIoU', 'fwIoU', 'IoU.Pole'):
        assert f'{key}: ' in first, f'{key} missing from the training log'
    # the header, and the data root chosen, logged once
    assert first.count('train.py: EncoderDecoder from') == 1
    assert first.count('camvid data root: ') == 1


def test_resume_continues_from_the_checkpoint(trained):
    _, work_dir, _, resumed = trained
    assert 'resumed checkpoint' in resumed.lower() or \
        'Auto resumed' in resumed, resumed[-3000:]
    assert 'Iter(train) [3/4]' in resumed
    assert 'Iter(train) [1/4]' not in resumed
    assert (work_dir / 'iter_4.pth').is_file()


def test_evaluate_checkpoint_prints_per_class_iou(trained):
    tmp_path, work_dir, _, _ = trained
    result = run_tool([
        'tools/test.py',
        tiny_config(tmp_path, 4),
        str(work_dir / 'iter_4.pth'), '--work-dir',
        str(tmp_path / 'test'), '--out',
        str(tmp_path / 'predictions')
    ])
    assert 'per class results' in result.stdout
    predictions = sorted((tmp_path / 'predictions').glob('*.png'))
    assert len(predictions) == 3  # val indices=3
    assert np.asarray(Image.open(predictions[0])).max() < 11
    for name in ('Sky', 'Pole', 'Bicyclist'):
        assert re.search(rf'\|\s+{name}\s+\|', result.stdout), name
    assert 'fwIoU: ' in result.stdout


def test_checkpoint_loads_with_weights_only(trained):
    _, work_dir, _, _ = trained
    checkpoint = torch.load(work_dir / 'iter_4.pth', weights_only=True)
    assert checkpoint['meta']['iter'] == 4
    assert 'message_hub' in checkpoint
    # Without the plugin's allow-list, torch refuses mmengine's types: the
    # allow-list (not weights_only=False) is what makes loading work.
    probe = subprocess.run([
        sys.executable, '-c', 'import sys, torch; '
        'torch.load(sys.argv[1], weights_only=True)',
        str(work_dir / 'iter_4.pth')
    ],
                           capture_output=True,
                           text=True)
    assert probe.returncode != 0 and 'HistoryBuffer' in probe.stderr


def test_load_from_starts_a_new_run_from_weights(trained):
    tmp_path, work_dir, _, _ = trained
    result = run_tool([
        'tools/train.py',
        tiny_config(tmp_path, 2), '--work-dir',
        str(tmp_path / 'finetune'), '--cfg-options',
        f'load_from={work_dir / "iter_4.pth"}'
    ])
    assert 'Load checkpoint from' in result.stdout
    assert 'Iter(train) [1/2]' in result.stdout


def test_distributed_two_cpu_processes(camvid_root, tmp_path, monkeypatch):
    monkeypatch.setenv('PYTHON', sys.executable)
    monkeypatch.setenv('PORT', str(free_port()))
    work_dir = tmp_path / 'dist'
    result = run_tool([
        'bash', 'tools/dist_train.sh',
        tiny_config(tmp_path, 2), '2', '--work-dir',
        str(work_dir)
    ])
    assert 'Distributed training: True' in result.stdout
    assert 'rank 0/2 uses the gloo backend' in result.stdout
    assert 'Iter(train) [2/2]' in result.stdout
    assert (work_dir / 'iter_2.pth').is_file()


def test_config_trains_with_mmseg_own_train_script(camvid_root, tmp_path):
    """A config of this project runs under mmseg's tools/train.py."""
    import mmseg
    script = Path(mmseg.__file__).parent / '.mim' / 'tools' / 'train.py'
    if not script.is_file():
        pytest.skip(f'mmseg install carries no tools/train.py ({script})')
    result = run_tool([
        str(script),
        tiny_config(tmp_path, 1), '--work-dir',
        str(tmp_path / 'work')
    ],
                      cwd=tmp_path)
    assert 'Iter(train) [1/1]' in result.stdout
    assert 'fwIoU: ' in result.stdout
