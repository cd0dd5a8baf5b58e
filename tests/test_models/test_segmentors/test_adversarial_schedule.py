"""Hung et al.'s schedule: the discriminator's learning rate decays with the
segmentor's (poly, power 0.9), through a real Runner on CamVid."""
import pytest
from mmengine.config import Config
from mmengine.runner import Runner

from adversarial_test_utils import ADV_CONFIG, HUNG_CONFIG

ITERS = 3


def tiny_runner(config, work_dir) -> Runner:
    cfg = Config.fromfile(str(config))
    cfg.work_dir = str(work_dir)
    cfg.model.data_preprocessor.size = (64, 64)
    cfg.train_dataloader.update(
        batch_size=2, num_workers=0, persistent_workers=False)
    cfg.train_dataloader.dataset.pipeline[3].crop_size = (64, 64)
    cfg.train_cfg.max_iters = ITERS
    cfg.default_hooks.logger.interval = 1
    cfg.randomness = dict(seed=0)
    cfg.default_hooks.checkpoint = None
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.test_dataloader = cfg.test_cfg = cfg.test_evaluator = None
    return Runner.from_cfg(cfg)


def lrs(runner: Runner) -> dict:
    return {
        name: wrapper.param_groups[0]['lr']
        for name, wrapper in runner.optim_wrapper.items()
    }


def test_discriminator_lr_follows_the_poly_schedule(camvid_root, tmp_path):
    runner = tiny_runner(HUNG_CONFIG, tmp_path)
    (scheduler, ) = runner.cfg.param_scheduler
    assert scheduler.type == 'PolyLR' and scheduler.eta_min == 0
    runner.train()
    assert runner.iter == ITERS
    # mmengine's PolyLR decays over end - begin - 1 steps:
    # lr_k = base_lr * (1 - k / T) ** power.
    steps = scheduler.end - scheduler.begin - 1
    factor = (1 - ITERS / steps)**scheduler.power
    got = lrs(runner)
    assert got['discriminator'] == pytest.approx(1e-4 * factor, rel=1e-9)
    assert got['segmentor'] == pytest.approx(0.01 * factor, rel=1e-9)
    assert got['discriminator'] < 1e-4


def test_luc_config_keeps_the_discriminator_lr(camvid_root, tmp_path):
    """The Luc et al. config inherits the baseline's PolyLR whose eta_min
    equals the discriminator's lr: constant, as documented there."""
    runner = tiny_runner(ADV_CONFIG, tmp_path)
    runner.train()
    assert lrs(runner)['discriminator'] == pytest.approx(1e-4, rel=1e-9)
