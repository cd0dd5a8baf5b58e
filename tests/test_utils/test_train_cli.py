"""The training tools' shared command line: AMP for every optimizer."""
from mmseg_synaug.utils.train_cli import enable_amp


def test_single_wrapper():
    wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD'))
    enable_amp(wrapper)
    assert wrapper['type'] == 'AmpOptimWrapper'
    assert wrapper['loss_scale'] == 'dynamic'


def test_each_wrapper_of_several_with_or_without_constructor():
    for constructor in ({}, dict(constructor='AdversarialOptimWrapper'
                                 'Constructor')):
        wrappers = dict(
            generator=dict(optimizer=dict(type='Adam')),
            discriminator=dict(
                type='AmpOptimWrapper', optimizer=dict(type='Adam')),
            **constructor)
        enable_amp(wrappers)
        assert wrappers['generator']['type'] == 'AmpOptimWrapper'
        assert wrappers['discriminator']['type'] == 'AmpOptimWrapper'
        assert 'type' not in wrappers and 'loss_scale' not in wrappers
