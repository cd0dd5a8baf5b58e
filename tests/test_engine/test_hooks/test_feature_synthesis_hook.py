"""FeatureSynthesisHook: start-up checks and the OHNM log, real model."""
from types import SimpleNamespace

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.logging import MessageHub

from helpers.feature_synthesis import featsyn_segmentor
from mmseg_synaug.engine import FeatureSynthesisHook
from mmseg_synaug.utils import DataError


def mock_runner(model, **cfg):
    return SimpleNamespace(
        model=model,
        iter=0,
        cfg=Config(cfg),
        message_hub=MessageHub.get_instance('test_feature_synthesis_hook'))


def test_before_train_prepares_the_models_synthesizer():
    model = featsyn_segmentor()
    assert model.synthesizer.generator is None
    FeatureSynthesisHook().before_train(mock_runner(model))
    assert model.synthesizer.prepared
    generator = model.synthesizer.generator
    assert generator.feature_channels == 256
    assert not any(p.requires_grad for p in generator.parameters())
    # The frozen generator is not part of the segmentor's state.
    assert not any('generator' in key for key in model.state_dict())


def test_after_train_iter_logs_the_mined_loss():
    model = featsyn_segmentor(dict(ohnm_interval=2, ohnm_topk=1))
    synthesizer = model.synthesizer
    runner = mock_runner(model)
    hook = FeatureSynthesisHook()
    layouts = torch.zeros(3, 8, 8, dtype=torch.long)
    synthesizer.iteration = 1
    synthesizer.record(layouts, torch.tensor([0.5, 2.5, 1.0]))
    hook.after_train_iter(runner, 0)
    assert 'train/ohnm_hard_loss' not in runner.message_hub.log_scalars
    synthesizer.mine()
    hook.after_train_iter(runner, 0)
    logged = runner.message_hub.get_scalar('train/ohnm_hard_loss')
    assert logged.current() == pytest.approx(2.5)


def test_missing_load_from_and_wrong_model_are_clear_errors(tmp_path):
    model = featsyn_segmentor()
    hook = FeatureSynthesisHook()
    with pytest.raises(DataError, match='load_from'):
        hook.before_run(mock_runner(model, load_from='no/such/pspnet.pth'))
    hook.before_run(mock_runner(model, load_from=None, resume=True))
    FeatureSynthesisHook(require_load_from=False).before_run(
        mock_runner(model))
    with pytest.raises(TypeError, match='FeatureSynthesisEncoderDecoder'):
        hook.before_train(mock_runner(nn.Linear(1, 1)))
    model.synthesizer = None
    with pytest.raises(ValueError, match='model.synthesizer'):
        hook.before_train(mock_runner(model))


def test_the_share_counts_travel_in_the_checkpoint():
    model = featsyn_segmentor()
    for _ in range(3):
        model.synthesizer.num_synthetic(8)
    checkpoint = dict(meta=dict(seed=0))
    FeatureSynthesisHook().before_save_checkpoint(
        mock_runner(model), checkpoint)
    resumed = featsyn_segmentor()
    FeatureSynthesisHook().after_load_checkpoint(
        mock_runner(resumed), checkpoint)
    assert resumed.synthesizer.state_dict() == model.synthesizer.state_dict()
    # The next draw continues the exact sequence.
    assert resumed.synthesizer.num_synthetic(
        8) == model.synthesizer.num_synthetic(8)
