"""tools/train.py's command line: AMP for every optimizer, checked
--cfg-options and --resume, and the one-message error of a worker."""
import pytest
from mmengine.config import Config

from mmseg_synaug.utils import DataError, merge_cfg_options
from mmseg_synaug.utils.errors import error_message
from mmseg_synaug.utils.train_cli import enable_amp, set_resume


def test_single_wrapper():
    wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD'))
    enable_amp(wrapper)
    assert wrapper['type'] == 'AmpOptimWrapper'
    assert wrapper['loss_scale'] == 'dynamic'


def test_each_wrapper_of_several_with_or_without_constructor():
    for constructor in ({},
                        dict(constructor='AdversarialOptimWrapper'
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


def test_cfg_options_refuse_keys_matching_nothing():
    cfg = Config(
        dict(
            train_cfg=dict(type='IterBasedTrainLoop', max_iters=10),
            model=dict(
                type='EncoderDecoder',
                decode_head=dict(
                    type='PSPHead',
                    loss_decode=dict(type='CrossEntropyLoss',
                                     loss_weight=1.0))),
            custom_hooks=[dict(type='Hook', interval=1)]))
    for key, match in (('trian_cfg.max_iters', 'did you mean train_cfg'),
                       ('train_cfg.max_iter', 'train_cfg.max_iters'),
                       ('model.decode_hed.loss_decode.loss_weight',
                        'model.decode_head'), ('custom_hooks.3.interval',
                                               'no `3`'),
                       ('model.decode_head.loss_decode.loss_weigth',
                        'loss_decode.loss_weight'), ('brand_new_key',
                                                     'no `brand_new_key`')):
        with pytest.raises(DataError, match=match) as error:
            merge_cfg_options(cfg, {key: 4})
        assert f'`{key}`' in str(error.value) and 'Fix:' in str(error.value)
    assert 'trian_cfg' not in cfg and cfg.train_cfg.max_iters == 10
    # existing keys, list indices, a new argument of a built object, and a
    # Runner argument the config leaves unset
    merge_cfg_options(
        cfg, {
            'train_cfg.max_iters': 4,
            'custom_hooks.0.interval': 2,
            'model.decode_head.loss_decode.avg_non_ignore': True,
            'model.decode_head.loss_decode.class_weight': [1.0],
            'randomness.seed': 3,
            'load_from': 'a.pth'
        })
    assert cfg.train_cfg.max_iters == 4
    assert cfg.custom_hooks[0].interval == 2
    assert cfg.model.decode_head.loss_decode.avg_non_ignore is True
    assert cfg.randomness.seed == 3 and cfg.load_from == 'a.pth'


def test_resume_with_nothing_to_resume(tmp_path, capsys):
    cfg = Config(dict(work_dir=str(tmp_path)))
    with pytest.raises(DataError, match='holds no checkpoint to resume'):
        set_resume(cfg, resume=True, resume_or_start=False)
    set_resume(cfg, resume=False, resume_or_start=True)
    assert cfg.resume is False
    assert 'nothing to resume' in capsys.readouterr().out
    (tmp_path / 'iter_2.pth').write_bytes(b'')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_2.pth'))
    for resume, resume_or_start in ((True, False), (False, True)):
        set_resume(cfg, resume, resume_or_start)
        assert cfg.resume is True
    # load_from is what mmengine resumes from when set
    cfg = Config(dict(work_dir=str(tmp_path / 'new'), load_from='a.pth'))
    set_resume(cfg, resume=True, resume_or_start=False)
    assert cfg.resume is True


def test_worker_error_message_is_the_original_one():
    original = DataError('The label map `a.png` is bad.', fix='Fix it.')
    wrapped = DataError(
        'Caught DataError in DataLoader worker process 0.\nOriginal '
        'Traceback (most recent call last):\n  File "x.py", line 1\n'
        f'mmseg_synaug.utils.errors.DataError: {original}\n')
    assert error_message(original) == \
        'The label map `a.png` is bad.\nFix: Fix it.'
    assert error_message(wrapped) == (
        'The label map `a.png` is bad.\nFix: Fix it.\n'
        '(raised in a DataLoader worker)')
