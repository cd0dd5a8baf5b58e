"""MultiOptimWrapperConstructor: one optimizer per named sub-module (mmagic's
semantics), built from the real adversarial config."""
import copy
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper, OptimWrapperDict, build_optim_wrapper
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS

import mmseg_synaug  # noqa: F401
from mmseg_synaug.engine import MultiOptimWrapperConstructor

CONFIG = Path(__file__).resolve().parents[3] / 'configs/adversarial/' \
    'pspnet-adv_r18_1xb8-1k_camvid-256x256.py'
SGD = dict(optimizer=dict(type='SGD', lr=0.1))


@pytest.fixture(scope='module')
def built():
    # Runners set mmseg's scope from the config's default_scope.
    init_default_scope('mmseg')
    cfg = Config.fromfile(str(CONFIG))
    return MODELS.build(cfg.model), cfg


def ids(wrapper: OptimWrapper) -> set:
    return {
        id(p)
        for group in wrapper.optimizer.param_groups
        for p in group['params']
    }


def test_config_gives_two_optimizers_over_disjoint_parameters(built):
    model, cfg = built
    assert cfg.optim_wrapper.constructor == 'MultiOptimWrapperConstructor'
    wrappers = build_optim_wrapper(model, cfg.optim_wrapper)
    assert isinstance(wrappers, OptimWrapperDict)
    assert set(wrappers.keys()) == {'segmentor', 'discriminator'}
    assert isinstance(wrappers['segmentor'].optimizer, torch.optim.SGD)
    assert isinstance(wrappers['discriminator'].optimizer, torch.optim.Adam)
    seg, disc = ids(wrappers['segmentor']), ids(wrappers['discriminator'])
    assert not seg & disc
    assert disc == {id(p) for p in model.discriminator.parameters()}
    assert seg | disc == {id(p) for p in model.parameters()}


def test_modules_may_name_a_parameter_of_the_model(built):
    """A parameter of the model itself (e.g. CoarseToFineSegmentor's
    learnt ``coarse_skip`` scale) is selected by its name."""
    model, _ = built
    model.register_parameter('scale', torch.nn.Parameter(torch.ones(())))
    try:
        wrappers = MultiOptimWrapperConstructor(
            dict(
                segmentor=dict(
                    SGD, modules=['backbone', 'decode_head', 'scale']),
                discriminator=SGD))(
                    model)
        assert id(model.scale) in ids(wrappers['segmentor'])
        assert ids(wrappers['segmentor']) == {
            id(p)
            for name, p in model.named_parameters()
            if name.split('.')[0] in ('backbone', 'decode_head', 'scale')
        }
    finally:
        del model.scale


def test_key_names_a_sub_module(built):
    model, _ = built
    constructor = MultiOptimWrapperConstructor(
        dict(decode_head=SGD, discriminator=SGD))
    wrappers = constructor(model)
    assert ids(wrappers['decode_head']) == {
        id(p)
        for p in model.decode_head.parameters()
    }


def test_paramwise_cfg_per_wrapper_over_several_modules(built):
    """Parameter names keep their place in the model, so custom_keys match
    as on the whole model (mmagic refuses paramwise_cfg here)."""
    model, cfg = built
    optim_cfg = copy.deepcopy(cfg.optim_wrapper)
    optim_cfg.segmentor.paramwise_cfg = dict(
        custom_keys={'decode_head.conv_seg': dict(lr_mult=10.)})
    wrappers = build_optim_wrapper(model, optim_cfg)
    groups = wrappers['segmentor'].optimizer.param_groups
    fast = {id(p) for g in groups if g['lr'] == 0.1 for p in g['params']}
    assert {g['lr'] for g in groups} == {0.01, 0.1}
    assert fast == {id(p) for p in model.decode_head.conv_seg.parameters()}


def test_regular_expressions_select_nested_modules(built):
    model, _ = built
    constructor = MultiOptimWrapperConstructor(
        dict(late=dict(SGD, modules=r'backbone\.layer[34]')))
    wrappers = constructor(model)
    expected = [
        *model.backbone.layer3.parameters(),
        *model.backbone.layer4.parameters()
    ]
    assert ids(wrappers['late']) == {id(p) for p in expected}


def test_top_level_modules_give_one_wrapper(built):
    model, _ = built
    constructor = MultiOptimWrapperConstructor(
        dict(SGD, modules=['backbone', 'decode_head']))
    wrapper = constructor(model)
    assert type(wrapper) is OptimWrapper
    assert ids(wrapper) == {
        id(p)
        for m in (model.backbone, model.decode_head)
        for p in m.parameters()
    }


@pytest.mark.parametrize('cfg, error, match', [
    (dict(optimizer=dict(type='SGD', lr=0.1)), TypeError, '_delete_'),
    (dict(segmentor=1, discriminator=dict()), TypeError, 'segmentor'),
    (dict(), TypeError, 'one optim-wrapper config'),
])
def test_bad_configs(cfg, error, match):
    with pytest.raises(error, match=match):
        MultiOptimWrapperConstructor(cfg)


def test_top_level_paramwise_cfg_refused():
    with pytest.raises(ValueError, match='inside each'):
        MultiOptimWrapperConstructor(
            dict(generator=SGD), paramwise_cfg=dict(norm_decay_mult=0))


def test_unknown_module_and_overlap_are_clear_errors(built):
    model, _ = built
    with pytest.raises(ValueError, match="'generator'.*children"):
        MultiOptimWrapperConstructor(dict(generator=SGD))(model)
    constructor = MultiOptimWrapperConstructor(
        dict(
            segmentor=dict(SGD, modules=['backbone', 'decode_head']),
            head=dict(SGD, modules='decode_head')))
    with pytest.raises(ValueError, match='share parameters'):
        constructor(model)


@pytest.mark.parametrize(
    'cfg', [
        dict(decode_head=SGD, discriminator=SGD),
        dict(late=dict(SGD, modules=r'backbone\.layer[34]'), head=SGD),
        dict(SGD, modules=['backbone', 'decode_head']),
    ],
    ids=['per-module', 'regex', 'one-wrapper'])
def test_same_parameters_as_mmagics_constructor(built, cfg):
    """Where mmagic imports, its constructor builds the same optimizers
    from the same config (head: a key naming the module decode_head)."""
    module = pytest.importorskip(
        'mmagic.engine.optimizers.multi_optimizer_constructor')
    model, _ = built
    cfg = copy.deepcopy(cfg)
    if 'head' in cfg:
        cfg['head'] = dict(cfg['head'], modules='decode_head')
    ours = MultiOptimWrapperConstructor(copy.deepcopy(cfg))(model)
    theirs = module.MultiOptimWrapperConstructor(copy.deepcopy(cfg))(model)
    if isinstance(ours, OptimWrapperDict):
        assert set(ours.keys()) == set(theirs.keys())
        pairs = [(ours[key], theirs[key]) for key in ours.keys()]
    else:
        pairs = [(ours, theirs)]
    for a, b in pairs:
        assert type(a) is type(b)
        assert type(a.optimizer) is type(b.optimizer)
        assert ids(a) == ids(b)


def test_distributed_wrapper_that_bypasses_train_step_is_refused(
        built, tmp_path):
    """MMDistributedDataParallel runs its own train_step, not the
    adversarial segmentor's: a clear refusal instead of plain training."""
    import torch.distributed as dist
    from mmengine.model import MMDistributedDataParallel
    _, cfg = built
    model = MODELS.build(cfg.model)
    dist.init_process_group(
        'gloo', init_method=f'file://{tmp_path}/pg', rank=0, world_size=1)
    try:
        wrapped = MMDistributedDataParallel(module=model, device_ids=None)
        with pytest.raises(NotImplementedError, match='one process'):
            build_optim_wrapper(wrapped, cfg.optim_wrapper)
    finally:
        dist.destroy_process_group()
