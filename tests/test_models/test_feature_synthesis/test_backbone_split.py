"""Splitting a backbone at a stage: the two halves compute its forward."""
import pytest
import torch
from mmengine.config import Config
from mmseg.registry import MODELS

from helpers import REPO_ROOT
from mmseg_synaug.models import forward_to_stage
from mmseg_synaug.models.feature_synthesis.backbone_split import (
    check_splittable, encoder_modules, forward_from_stage, stage_channels)


def fast_scnn() -> torch.nn.Module:
    """mmseg's Fast-SCNN as the CPU regime configures it (every output)."""
    cfg = Config.fromfile(
        str(REPO_ROOT /
            'configs/fast_scnn/fast_scnn_1xb8-2k_camvid-256x352.py'))
    backbone = MODELS.build(cfg.model.backbone)
    return backbone.eval()


def test_fast_scnn_halves_give_its_outputs():
    backbone = fast_scnn()
    image = torch.randn(2, 3, 64, 96)
    with torch.no_grad():
        whole = backbone(image)
        feature = forward_to_stage(backbone, image, 0)
        halves = forward_from_stage(backbone, feature, 0)
    assert feature.shape == (2, stage_channels(backbone, 0), 8, 12)
    assert len(halves) == len(whole) == 3
    for a, b in zip(halves, whole):
        assert torch.equal(a, b)
    # The encoder is the learning-to-downsample module: its parameters
    # are what the feature depends on.
    assert encoder_modules(backbone, 0) == [backbone.learning_to_downsample]


def test_fast_scnn_keeps_its_out_indices():
    backbone = fast_scnn()
    backbone.out_indices = (2, )
    image = torch.randn(1, 3, 32, 32)
    with torch.no_grad():
        outs = forward_from_stage(backbone,
                                  forward_to_stage(backbone, image, 0), 0)
        assert len(outs) == 1
        assert torch.equal(outs[0], backbone(image)[0])


def test_fast_scnn_splits_at_stage_0_only():
    with pytest.raises(ValueError, match='Fast-SCNN splits at stage_index 0'):
        check_splittable(fast_scnn(), 1)


def test_other_backbones_are_refused_by_name():
    backbone = MODELS.build(dict(type='MobileNetV2', widen_factor=0.25))
    with pytest.raises(TypeError, match='MobileNetV2 cannot be split'):
        check_splittable(backbone, 0)
