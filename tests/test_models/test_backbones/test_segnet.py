"""SegNet encoder and decoder: indices drive the unpooling."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmseg.registry import MODELS

from helpers import REPO_ROOT
from mmseg_synaug.datasets import CamVidDataset
from mmseg_synaug.models import SegNetEncoder, SegNetHead

CHANNELS = (8, 16, 16)
CONVS = (1, 2, 2)


def build(conv_type='standard'):
    encoder = SegNetEncoder(
        stage_channels=CHANNELS, stage_convs=CONVS, conv_type=conv_type)
    head = SegNetHead(
        stage_channels=CHANNELS,
        stage_convs=CONVS,
        conv_type=conv_type,
        in_channels=16,
        channels=8,
        num_classes=5)
    return encoder, head


def test_odd_sizes_come_back_exactly():
    encoder, head = build()
    x = torch.randn(2, 3, 45, 61)
    features = encoder(x)
    assert [tuple(s) for s in features.sizes] == [(45, 61), (22, 30), (11, 15)]
    assert features.features[-1].shape == (2, 16, 5, 7)
    assert head(features).shape == (2, 5, 45, 61)


def test_unpooling_puts_values_where_they_were_pooled_from():
    encoder, _ = build()
    encoder.eval()
    x = torch.randn(1, 3, 32, 32)
    stage_input = encoder.stages[0](x)
    features = encoder(x)
    restored = F.max_unpool2d(
        features.features[0],
        features.indices[0],
        2,
        2,
        output_size=features.sizes[0])
    pooled, index = features.features[0], features.indices[0]
    # the indices point at each window's maximum in the stage's input ...
    torch.testing.assert_close(
        stage_input.flatten(2).gather(2, index.flatten(2)), pooled.flatten(2))
    torch.testing.assert_close(pooled, F.max_pool2d(stage_input, 2, 2))
    # ... and unpooling puts each value back there, zeros elsewhere
    torch.testing.assert_close(
        restored.flatten(2).gather(2, index.flatten(2)), pooled.flatten(2))
    assert restored.sum().item() == pytest.approx(
        pooled.sum().item(), rel=1e-5)


def test_mobilenet_variant_is_lighter():

    def count(modules):
        return sum(p.numel() for m in modules for p in m.parameters())

    assert count(build('depthwise_separable')) < count(build()) / 3


def test_mismatched_head_widths_are_a_clear_error():
    with pytest.raises(ValueError, match='in_channels=16 and channels=8'):
        SegNetHead(
            stage_channels=CHANNELS,
            stage_convs=CONVS,
            in_channels=32,
            channels=8,
            num_classes=5)


@pytest.mark.parametrize('config', [
    'segnet_vgg16-w16_1xb8-1k_camvid-256x256.py',
    'segnet_mobilenet-w32_1xb8-1k_camvid-256x256.py'
])
def test_training_step_on_real_camvid(camvid_root, config):
    cfg = Config.fromfile(REPO_ROOT / 'configs' / 'segnet' / config)
    model = MODELS.build(cfg.model)
    model.init_weights()
    dataset = CamVidDataset(
        data_root=camvid_root, pipeline=cfg.train_pipeline, indices=2)
    samples = [dataset[i] for i in range(2)]
    data = model.data_preprocessor(
        dict(
            inputs=[s['inputs'] for s in samples],
            data_samples=[s['data_samples'] for s in samples]),
        training=True)
    losses = model(**data, mode='loss')
    loss = sum(v for k, v in losses.items() if 'loss' in k)
    loss.backward()
    # cross-entropy of an untrained 11-class model is near log(11)
    assert 1.0 < loss.item() < 5.0
    first_conv = model.backbone.stages[0][0]
    weight = (
        first_conv.conv.weight if hasattr(first_conv, 'conv') else
        first_conv.depthwise_conv.conv.weight)
    assert weight.grad is not None and weight.grad.abs().sum() > 0
    model.eval()
    with torch.no_grad():
        logits = model(data['inputs'], mode='tensor')
    assert logits.shape[1:] == (11, 256, 256)
