"""LinearDecayLR: pix2pixHD's constant-then-linear-to-zero learning rate."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.runner import Runner

from mmseg_synaug.engine import LinearDecayLR

REPO_ROOT = Path(__file__).resolve().parents[3]
PIX2PIXHD_CONFIGS = sorted((REPO_ROOT / 'configs/pix2pixhd').glob('*.py'))


def _lrs(scheduler, optimizer, steps):
    lrs = []
    for _ in range(steps):
        lrs.append(optimizer.param_groups[0]['lr'])
        optimizer.step()
        scheduler.step()
    return lrs


def test_constant_then_linear_to_zero():
    optimizer = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))], lr=2e-4)
    scheduler = LinearDecayLR(optimizer, end=10, by_epoch=False)
    lrs = _lrs(scheduler, optimizer, 10)
    # iterations 0-4 at 2e-4, then 2e-4 * (4, 3, 2, 1, 0) / 4
    expected = [2e-4] * 5 + [2e-4 * k / 4 for k in (4, 3, 2, 1, 0)]
    assert lrs == pytest.approx(expected, abs=1e-12)


def test_needs_the_end_and_a_fraction():
    optimizer = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])
    with pytest.raises(ValueError, match='end of training'):
        LinearDecayLR(optimizer, by_epoch=False)
    with pytest.raises(ValueError, match='decay_start'):
        LinearDecayLR(optimizer, decay_start=1.0, end=10)


@pytest.mark.parametrize('config', PIX2PIXHD_CONFIGS, ids=lambda p: p.name)
def test_pix2pixhd_configs_decay_in_second_half(config, camvid_root, tmp_path):
    """Through the runner, with max_iters changed on the command line."""
    cfg = Config.fromfile(str(config))
    cfg.merge_from_dict({
        'train_cfg.max_iters': 8,
        'work_dir': str(tmp_path),
        'train_dataloader.num_workers': 0,
        'train_dataloader.persistent_workers': False,
        # keep the runner cheap: the schedule does not depend on the model
        'model.generator.base_channels': 4,
        'model.generator.num_blocks': 1,
        'model.discriminator.base_channels': 4,
    })
    if not torch.cuda.is_available():  # mmengine's AMP wrapper needs one
        for name in ('generator', 'discriminator'):
            cfg.optim_wrapper[name].type = 'OptimWrapper'
            cfg.optim_wrapper[name].pop('dtype', None)
    runner = Runner.from_cfg(cfg)
    runner.train_loop  # the runner sets the schedulers' end from it
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    schedulers = runner.build_param_scheduler(cfg.param_scheduler)
    assert set(schedulers) == {'generator', 'discriminator'}
    for name, (scheduler, ) in schedulers.items():
        optimizer = runner.optim_wrapper[name].optimizer
        lrs = _lrs(scheduler, optimizer, 8)
        expected = [2e-4] * 4 + [2e-4 * k / 3 for k in (3, 2, 1, 0)]
        assert lrs == pytest.approx(expected, abs=1e-12), name
