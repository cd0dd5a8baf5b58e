"""AdversarialOptimWrapperConstructor: two optimizers over disjoint
parameters, built from the real configs."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapperDict, build_optim_wrapper
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

import mmseg_synaug  # noqa: F401
from mmseg_synaug.engine import AdversarialOptimWrapperConstructor

CONFIG = Path(__file__).resolve().parents[3] / 'configs/adversarial/' \
    'adv-pspnet_r18_1xb8-1k_camvid-256x256.py'


@pytest.fixture(scope='module')
def built():
    # Runners set mmseg's scope from the config's default_scope.
    init_default_scope('mmseg')
    cfg = Config.fromfile(str(CONFIG))
    return MODELS.build(cfg.model), cfg


def test_two_optimizers_over_disjoint_parameters(built):
    model, cfg = built
    wrappers = build_optim_wrapper(model, cfg.optim_wrapper)
    assert isinstance(wrappers, OptimWrapperDict)
    assert set(wrappers.keys()) == {'segmentor', 'discriminator'}
    assert isinstance(wrappers['segmentor'].optimizer, torch.optim.SGD)
    assert isinstance(wrappers['discriminator'].optimizer, torch.optim.Adam)

    def ids(wrapper):
        return {
            id(p)
            for group in wrapper.optimizer.param_groups
            for p in group['params']
        }

    seg, disc = ids(wrappers['segmentor']), ids(wrappers['discriminator'])
    assert not seg & disc
    assert disc == {id(p) for p in model.discriminator.parameters()}
    assert seg | disc == {id(p) for p in model.parameters()}


def test_paramwise_cfg_per_wrapper(built):
    model, cfg = built
    optim_cfg = cfg.optim_wrapper.copy()
    optim_cfg['segmentor'] = dict(
        optim_cfg['segmentor'],
        paramwise_cfg=dict(custom_keys={'decode_head': dict(lr_mult=10.)}))
    wrappers = build_optim_wrapper(model, optim_cfg)
    lrs = {g['lr'] for g in wrappers['segmentor'].optimizer.param_groups}
    assert lrs == {0.01, 0.1}


@pytest.mark.parametrize('cfg, error, match', [
    (dict(optimizer=dict(type='SGD', lr=0.1)), ValueError, '_delete_'),
    (dict(segmentor=dict()), ValueError, 'exactly the keys'),
    (dict(segmentor=1, discriminator=dict()), TypeError, 'segmentor'),
])
def test_bad_configs(cfg, error, match):
    with pytest.raises(error, match=match):
        AdversarialOptimWrapperConstructor(cfg)


def test_top_level_paramwise_cfg_refused():
    with pytest.raises(ValueError, match='inside'):
        AdversarialOptimWrapperConstructor(
            dict(segmentor=dict(), discriminator=dict()),
            paramwise_cfg=dict(norm_decay_mult=0))


def test_model_without_discriminator_refused():
    constructor = AdversarialOptimWrapperConstructor(
        dict(
            segmentor=dict(optimizer=dict(type='SGD', lr=0.1)),
            discriminator=dict(optimizer=dict(type='SGD', lr=0.1))))
    with pytest.raises(TypeError, match='AdversarialEncoderDecoder'):
        constructor(torch.nn.Linear(2, 2))
