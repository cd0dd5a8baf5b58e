"""Ctrl-C during tools/train.py, and images cut short, through the tools.

Ctrl-C: a real training of the tiny CamVid config gets SIGINT after its
first logged iteration; it must save that iteration's checkpoint (named in
``last_checkpoint`` for ``--resume``), say so in one line and exit 130.
Truncated images: OpenCV decodes a JPEG cut to a quarter with grey fill;
tools/train.py and tools/refine_labels.py must refuse it, naming the file.
"""
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import cv2
from failing_tool import run_failing_tool
from mmengine.runner.checkpoint import save_checkpoint

from helpers import REPO_ROOT, tiny_config

NAMES = ['0001TP_006690', '0001TP_006720']
REFINER = REPO_ROOT / ('configs/coarse_to_fine/'
                       'coarse-to-fine_unet-s5-d16_1xb4-0.4k_fasseg-'
                       '256x256.py')


def test_ctrl_c_saves_the_iteration_and_exits_130(camvid_root, tmp_path):
    work_dir = tmp_path / 'work'
    process = subprocess.Popen([
        sys.executable, 'tools/train.py',
        tiny_config(tmp_path, 500), '--work-dir',
        str(work_dir)
    ],
                               cwd=REPO_ROOT,
                               env=dict(
                                   os.environ,
                                   PYTHONUNBUFFERED='1',
                                   OMP_NUM_THREADS='1'),
                               stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT,
                               text=True)
    lines = []
    for line in process.stdout:
        lines.append(line)
        if 'Iter(train) [' in line:
            process.send_signal(signal.SIGINT)
            break
    rest, _ = process.communicate(timeout=600)
    output = ''.join(lines) + rest
    assert process.returncode == 130, output[-3000:]
    assert 'Traceback' not in output, output[-3000:]
    message = output[output.index('train.py: interrupted'):]
    assert len(message.strip().splitlines()) <= 2, message
    saved = (work_dir / 'last_checkpoint').read_text().strip()
    assert 'saved the checkpoint of iteration ' in message
    assert saved in message and Path(saved).is_file()
    assert '--resume' in message
    assert 'Iter(train) [500/500]' not in output


def camvid_with_jpegs(camvid_root, root: Path) -> Path:
    """Two CamVid training samples with JPEG images, the second cut to a
    quarter of its bytes; two val samples as they are."""
    for sub in ('train', 'trainannot', 'val', 'valannot'):
        (root / sub).mkdir(parents=True)
    for i, name in enumerate(NAMES):
        image = cv2.imread(f'{camvid_root}/train/{name}.png')
        data = cv2.imencode('.jpg', image)[1].tobytes()
        if i == 1:
            data = data[:len(data) // 4]
        (root / 'train' / f'{name}.jpg').write_bytes(data)
        shutil.copy(f'{camvid_root}/trainannot/{name}.png',
                    root / 'trainannot')
    for name in ('0016E5_07959', '0016E5_07961'):
        shutil.copy(f'{camvid_root}/val/{name}.png', root / 'val')
        shutil.copy(f'{camvid_root}/valannot/{name}.png', root / 'valannot')
    return root


def test_truncated_jpeg_in_the_training_set(camvid_root, tmp_path):
    root = camvid_with_jpegs(camvid_root, tmp_path / 'camvid')
    cut = root / 'train' / f'{NAMES[1]}.jpg'
    # OpenCV decodes it without an error: the check is the project's.
    assert cv2.imread(str(cut)) is not None
    output = run_failing_tool(
        [
            'tools/train.py',
            tiny_config(tmp_path, 1), '--work-dir', tmp_path / 'work',
            '--cfg-options', f'train_dataloader.dataset.data_root={root}',
            'train_dataloader.dataset.img_suffix=.jpg',
            f'val_dataloader.dataset.data_root={root}'
        ],
        max_lines=None)  # the Runner's progress comes first
    message = output[output.index('error: '):]
    assert f'`{cut}` is cut short' in message
    assert 'end-of-image marker' in message
    assert 'Fix: Copy the complete file again' in message
    assert len(message.strip().splitlines()) <= 4
    assert 'Iter(train) [1/1]' not in output


def test_refine_labels_refuses_a_truncated_image(fasseg_root, tmp_path):
    from mmseg.apis import init_model
    model = init_model(str(REFINER), None, device='cpu')
    checkpoint = tmp_path / 'refiner_init.pth'
    save_checkpoint(
        dict(state_dict=model.state_dict(), meta={}), str(checkpoint))
    for sub in ('images', 'coarse'):
        (tmp_path / sub).mkdir()
        shutil.copy(f'{fasseg_root}/{sub}/test/1.png', tmp_path / sub)
    image = tmp_path / 'images' / '1.png'
    data = image.read_bytes()
    image.write_bytes(data[:len(data) // 2])
    out = tmp_path / 'out'
    output = run_failing_tool([
        'tools/refine_labels.py', REFINER, checkpoint, '--images',
        tmp_path / 'images', '--coarse', tmp_path / 'coarse', '--out', out,
        '--palette', 'fasseg'
    ])
    assert f'`{image}` is cut short' in output
    assert 'IEND' in output
    assert not list(out.glob('*.png'))
