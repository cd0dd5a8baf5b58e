"""FeatureSynthesisHook with a mock runner around a tiny real segmentor."""
import copy
from types import SimpleNamespace

import pytest
import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper
from mmseg.registry import MODELS

from mmseg_synaug.engine import FeatureSynthesisHook
from mmseg_synaug.models import encoder_modules
from mmseg_synaug.utils import DataError
from feature_synthesis_helpers import PSPNET, camvid_patches

GENERATOR = dict(
    type='FeatureGenerator',
    num_classes=11,
    feature_channels=256,
    downsample_factor=16,
    layout_channels=8,
    unet_channels=(8, 16))


def tiny_segmentor():
    cfg = copy.deepcopy(Config.fromfile(PSPNET).model)
    cfg.type = 'FeatureSynthesisEncoderDecoder'
    cfg.stage_index = 2
    cfg.data_preprocessor.size = (64, 64)
    model = MODELS.build(cfg)
    model.init_weights()
    return model


def mock_runner(model, iteration=0, load_from=None):
    return SimpleNamespace(
        model=model,
        iter=iteration,
        _load_from=load_from,
        _resume=False,
        message_hub=MessageHub.get_instance('test_feature_synthesis_hook'))


@pytest.fixture(scope='module')
def batch(camvid_root):
    return camvid_patches(camvid_root, n=10, crop=64)


@pytest.fixture(scope='module')
def model():
    torch.manual_seed(0)
    return tiny_segmentor()


def test_share_of_the_batch_is_synthetic(model, batch):
    hook = FeatureSynthesisHook(
        GENERATOR, synthetic_share=0.3, ohnm_interval=0, seed=0)
    runner = mock_runner(model)
    hook.before_train(runner)
    data = dict(inputs=list(batch['inputs']),
                data_samples=list(batch['data_samples']))
    hook.before_train_iter(runner, 0, data)
    assert len(data['inputs']) == len(data['data_samples']) == 7
    features, masks, weight = model._synthetic
    assert features.shape == (3, 256, 4, 4)
    assert weight == pytest.approx(3 / 7)
    # The 'batch' source: the layouts are the masks of the samples taken.
    taken = torch.stack([
        s.gt_sem_seg.data[0] for s in batch['data_samples'][7:]
    ]).long()
    assert torch.equal(masks, taken)
    assert [hook.num_synthetic(n) for n in (1, 2, 8, 10)] == [0, 1, 2, 3]
    assert FeatureSynthesisHook(
        GENERATOR, synthetic_share=0.5).num_synthetic(8) == 4
    model._synthetic = None


def test_synthetic_loss_trains_the_rest_not_the_encoder(model):
    hook = FeatureSynthesisHook(GENERATOR, ohnm_interval=0)
    hook.generator = hook.build_generator()
    masks = torch.randint(0, 11, (3, 64, 64))
    masks[0, :8] = 255
    model.train()
    model.zero_grad()
    running = model.backbone.layer4[0].bn1.running_mean.clone()
    loss = model.loss_synthetic(hook.generate(masks), masks)['loss_synthetic']
    assert torch.isfinite(loss) and loss > 0
    loss.backward()
    for module in encoder_modules(model.backbone, 2):
        for name, p in module.named_parameters():
            assert p.grad is None or not p.grad.any(), name
    assert all(p.grad is None for p in model.auxiliary_head.parameters())
    # (Residual branches start at zero, init_cfg of ResNet: the shortcut
    # convolution of layer4 gets the gradient first.)
    assert model.backbone.layer4[0].downsample[0].weight.grad.abs().sum() > 0
    assert model.decode_head.conv_seg.weight.grad.abs().sum() > 0
    # Running statistics are used, not updated, and train mode comes back.
    assert torch.equal(model.backbone.layer4[0].bn1.running_mean, running)
    assert model.backbone.layer4[0].bn1.training
    model.zero_grad()


def test_train_step_adds_the_synthetic_loss(model, batch):
    hook = FeatureSynthesisHook(GENERATOR, ohnm_interval=1, ohnm_pool_size=4,
                                ohnm_topk=2, ohnm_chunk=2, seed=0)
    runner = mock_runner(model)
    hook.before_train(runner)
    data = dict(inputs=list(batch['inputs'][:4]),
                data_samples=list(batch['data_samples'][:4]))
    hook.before_train_iter(runner, 0, data)
    assert len(data['inputs']) == 3
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=1e-3))
    model.train()
    log_vars = model.train_step(data, optim)
    assert torch.isfinite(torch.as_tensor(log_vars['loss_synthetic']))
    assert 'decode.loss_ce' in log_vars
    assert model._synthetic is None
    assert len(hook.hard_layouts) == 1  # 2 mined, 1 used this iteration


class KnownLossModel(nn.Module):
    """Scores a mask by its mean label: the losses are known in advance."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(1))

    def loss_synthetic_per_sample(self, features, masks):
        return masks.float().mean(dim=(1, 2))


def test_ohnm_picks_the_highest_loss_masks():
    hook = FeatureSynthesisHook(
        GENERATOR, ohnm_pool_size=10, ohnm_topk=3, ohnm_chunk=4, seed=0)
    hook.generator = nn.Conv2d(1, 1, 1)  # stands in; ignored by the model
    hook.generate = lambda masks: masks.float().unsqueeze(1)
    values = torch.tensor([4, 9, 1, 7, 0, 8, 2, 5, 3, 6])
    pool = values.view(-1, 1, 1).expand(-1, 8, 8).clone()
    model = KnownLossModel().train()
    hard = hook.mine_hard_layouts(model, pool)
    assert hard[:, 0, 0].tolist() == [9, 8, 7]
    assert model.training
    hook.hard_layouts.extend(hard)
    layouts = hook.next_layouts(2, (8, 8), [torch.zeros(8, 8).long()] * 2)
    assert layouts[:, 0, 0].tolist() == [9, 8]


def test_missing_load_from_and_wrong_model_are_clear_errors(model):
    hook = FeatureSynthesisHook(GENERATOR)
    with pytest.raises(DataError, match='load_from'):
        hook.before_run(mock_runner(model, load_from='no/such/pspnet.pth'))
    with pytest.raises(TypeError, match='FeatureSynthesisEncoderDecoder'):
        hook.before_train(mock_runner(nn.Linear(1, 1)))
    with pytest.raises(ValueError, match='synthetic_share'):
        FeatureSynthesisHook(GENERATOR, synthetic_share=1.0)
    with pytest.raises(DataError, match='generator checkpoint'):
        FeatureSynthesisHook(
            GENERATOR, generator_checkpoint='no/such.pth').build_generator()
