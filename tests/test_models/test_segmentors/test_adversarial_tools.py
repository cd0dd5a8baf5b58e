"""tools/train.py trains the adversarial config; tools/test.py evaluates its
checkpoint with the PLAIN config; the converter strips the discriminator."""
import re
from pathlib import Path

import pytest
import torch

from adversarial_test_utils import ADV_CONFIG, PLAIN_CONFIG
from helpers import run_tool

TINY = [
    'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
    'train_dataloader.persistent_workers=False',
    'train_dataloader.dataset.pipeline.3.crop_size=(64,64)',
    'model.data_preprocessor.size=(64,64)', 'val_dataloader.num_workers=0',
    'val_dataloader.persistent_workers=False',
    'val_dataloader.dataset.indices=3', 'test_dataloader.num_workers=0',
    'test_dataloader.persistent_workers=False',
    'test_dataloader.dataset.indices=3', 'val_dataloader.batch_size=1'
]


@pytest.fixture(scope='module')
def trained(camvid_root, tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('adv') / 'work'
    log = run_tool([
        'tools/train.py',
        str(ADV_CONFIG), '--work-dir',
        str(work_dir), '--cfg-options', 'train_cfg.max_iters=2',
        'train_cfg.val_interval=2', 'default_hooks.checkpoint.interval=2',
        'default_hooks.logger.interval=1', 'randomness.seed=0'
    ] + TINY).stdout
    return work_dir, log


def test_train_logs_both_players_and_scores(trained):
    work_dir, log = trained
    assert 'Iter(train) [2/2]' in log
    for key in ('loss_adv: ', 'disc.loss_real: ', 'disc.loss_fake: ',
                'decode.loss_ce: ', 'segmentor.lr: ', 'discriminator.lr: ',
                'mIoU: ', 'IoU.Pole: '):
        assert key in log, f'{key!r} missing from the training log'
    checkpoint = torch.load(work_dir / 'iter_2.pth', weights_only=True)
    keys = checkpoint['state_dict']
    assert any(k.startswith('discriminator.') for k in keys)
    assert set(checkpoint['optimizer']) >= {'segmentor', 'discriminator'}


def test_plain_config_evaluates_adversarial_checkpoint(trained):
    work_dir, _ = trained
    log = run_tool([
        'tools/test.py',
        str(PLAIN_CONFIG),
        str(work_dir / 'iter_2.pth'), '--work-dir',
        str(work_dir / 'test_plain'), '--cfg-options'
    ] + TINY).stdout
    assert 'mIoU: ' in log and 'per class results' in log
    # mmengine loads non-strictly: it names the discriminator's keys as
    # unexpected, and no segmentor key may be missing.
    assert 'unexpected key in source state_dict: discriminator.' in log
    assert 'missing keys in source state_dict' not in log
    unexpected = re.search(r'unexpected key in source state_dict: (.*)', log)
    assert all(k.strip().startswith('discriminator.')
               for k in unexpected.group(1).split(','))


def test_stripped_checkpoint_loads_cleanly(trained):
    work_dir, _ = trained
    out = Path(work_dir) / 'plain.pth'
    log = run_tool([
        'tools/model_converters/strip_discriminator.py',
        str(work_dir / 'iter_2.pth'),
        str(out)
    ]).stdout
    assert 'Removed' in log
    state = torch.load(out, weights_only=True)['state_dict']
    assert state and not any(k.startswith('discriminator.') for k in state)
    log = run_tool([
        'tools/test.py',
        str(PLAIN_CONFIG),
        str(out), '--work-dir',
        str(work_dir / 'test_stripped'), '--cfg-options'
    ] + TINY).stdout
    assert 'mIoU: ' in log
    assert 'unexpected key' not in log and 'missing keys' not in log
    # A plain checkpoint has nothing to strip: a clear refusal.
    with pytest.raises(pytest.fail.Exception, match='not a checkpoint'):
        run_tool([
            'tools/model_converters/strip_discriminator.py',
            str(out),
            str(Path(work_dir) / 'again.pth')
        ])
