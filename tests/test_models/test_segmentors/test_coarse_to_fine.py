"""CoarseToFineSegmentor: inputs, losses, discriminator, prediction."""
import copy

import pytest
import torch
from mmengine.config import Config, ConfigDict
from mmengine.optim import OptimWrapper, OptimWrapperDict, build_optim_wrapper
from mmengine.registry import init_default_scope
from mmengine.structures import PixelData
from mmseg.registry import MODELS
from mmseg.structures import SegDataSample

import mmseg_synaug  # noqa: F401
from helpers import REPO_ROOT
from mmseg_synaug.models.utils import one_hot_with_ignore
from mmseg_synaug.utils import DataError

init_default_scope('mmseg')
K = 4


def model_cfg(**kwargs) -> ConfigDict:
    norm_cfg = dict(type='BN', requires_grad=True)
    cfg = dict(
        type='CoarseToFineSegmentor',
        num_classes=K,
        data_preprocessor=dict(
            type='SegDataPreProcessor',
            mean=[0, 0, 0],
            std=[1, 1, 1],
            size=(32, 32),
            test_cfg=dict(size_divisor=8)),
        backbone=dict(
            type='UNet',
            base_channels=4,
            num_stages=4,
            strides=(1, 1, 1, 1),
            enc_num_convs=(1, 1, 1, 1),
            dec_num_convs=(1, 1, 1),
            downsamples=(True, True, True),
            enc_dilations=(1, 1, 1, 1),
            dec_dilations=(1, 1, 1),
            norm_cfg=norm_cfg),
        decode_head=dict(
            type='FCNHead',
            in_channels=4,
            in_index=3,
            channels=4,
            num_convs=1,
            num_classes=K,
            norm_cfg=norm_cfg,
            loss_decode=dict(
                type='InverseFrequencyCrossEntropyLoss', num_classes=K)),
        test_cfg=dict(mode='whole'))
    cfg.update(kwargs)
    return ConfigDict(cfg)


def sample(h: int, w: int, has_fine: bool = True) -> SegDataSample:
    data_sample = SegDataSample(
        metainfo=dict(
            img_shape=(h, w), ori_shape=(h, w), has_fine_label=has_fine))
    fine = torch.randint(0, K, (1, h, w))
    coarse = fine.clone()
    coarse[:, :2] = 255
    data_sample.gt_sem_seg = PixelData(
        data=fine if has_fine else torch.full_like(fine, 255))
    data_sample.coarse_seg_map = PixelData(data=coarse)
    data_sample.gt_coarse_seg_map = PixelData(data=coarse.clone())
    return data_sample


def batch(sizes, has_fine=None):
    has_fine = has_fine or [True] * len(sizes)
    return dict(
        inputs=[torch.randint(0, 255, (3, h, w)).float() for h, w in sizes],
        data_samples=[sample(h, w, f) for (h, w), f in zip(sizes, has_fine)])


def coarse_one_hot(coarse: torch.Tensor, num_classes: int) -> torch.Tensor:
    return one_hot_with_ignore(coarse, num_classes, ignore_index=255)


def test_coarse_values_outside_the_classes_are_a_clear_error():
    model = MODELS.build(model_cfg())
    data = model.data_preprocessor(batch([(32, 32)]), True)
    data['data_samples'][0].coarse_seg_map.data[0, 5, 5] = K + 2
    with pytest.raises(ValueError, match=f'values \\[{K + 2}\\]'):
        model.build_inputs(data['inputs'], data['data_samples'])


def test_input_channels_are_image_plus_one_hot_coarse():
    torch.manual_seed(0)
    model = MODELS.build(model_cfg())
    assert model.backbone.encoder[0][0].convs[0].conv.in_channels == 3 + K
    image_only = MODELS.build(model_cfg(image_only=True))
    assert image_only.backbone.encoder[0][0].convs[0].conv.in_channels == 3
    data = model.data_preprocessor(batch([(32, 32), (24, 20)]), True)
    x = model.build_inputs(data['inputs'], data['data_samples'])
    assert x.shape == (2, 3 + K, 32, 32)
    # The smaller sample's coarse map is padded bottom-right with void.
    assert x[1, 3:, 24:].sum() == 0 and x[1, 3:, :, 20:].sum() == 0
    coarse = data['data_samples'][1].coarse_seg_map.data[0]
    torch.testing.assert_close(x[1, 3:, :24, :20],
                               coarse_one_hot(coarse[None], K)[0])


def test_wrong_channels_or_classes_are_clear_errors():
    cfg = model_cfg()
    cfg['backbone']['in_channels'] = 3
    with pytest.raises(DataError, match='in_channels=3.*7 channels'):
        MODELS.build(cfg)
    with pytest.raises(DataError, match='decode_head.num_classes'):
        MODELS.build(model_cfg(num_classes=5))


def test_train_step_reduces_loss_and_uses_the_coarse_map():
    torch.manual_seed(0)
    model = MODELS.build(model_cfg())
    optim = torch.optim.Adam(model.parameters(), lr=1e-2)
    wrapper = OptimWrapper(optim)
    data = batch([(32, 32), (32, 32)])
    first = model.train_step(copy.deepcopy(data), wrapper)['loss']
    for _ in range(15):
        last = model.train_step(copy.deepcopy(data), wrapper)['loss']
    assert last < first
    model.eval()
    out = model.val_step(copy.deepcopy(data))
    changed = copy.deepcopy(data)
    for data_sample in changed['data_samples']:
        data_sample.coarse_seg_map.data[:] = 0
    out_changed = model.val_step(changed)
    assert not torch.equal(out[0].seg_logits.data,
                           out_changed[0].seg_logits.data)


def test_image_only_ignores_the_coarse_map():
    torch.manual_seed(0)
    model = MODELS.build(model_cfg(image_only=True)).eval()
    data = batch([(30, 27)])
    out = model.val_step(copy.deepcopy(data))
    data['data_samples'][0].coarse_seg_map.data[:] = 0
    torch.testing.assert_close(out[0].seg_logits.data,
                               model.val_step(data)[0].seg_logits.data)


def test_predict_pads_to_the_divisor_and_returns_original_size():
    model = MODELS.build(model_cfg()).eval()
    out = model.val_step(batch([(30, 27)]))
    assert out[0].pred_sem_seg.shape == (30, 27)
    with pytest.raises(DataError, match='coarse_seg_map'):
        data = batch([(32, 32)])
        del data['data_samples'][0].coarse_seg_map
        model.val_step(data)


def sgd_wrappers(model, refiner_lr: float, disc_lr: float):
    """Plain SGD per player (the refiner: every parameter but the
    discriminator's, coarse_skip included)."""
    refiner = [
        p for name, p in model.named_parameters()
        if not name.startswith('discriminator.')
    ]
    return OptimWrapperDict(
        segmentor=OptimWrapper(torch.optim.SGD(refiner, lr=refiner_lr)),
        discriminator=OptimWrapper(
            torch.optim.SGD(model.discriminator.parameters(), lr=disc_lr)))


def params(module) -> dict:
    return {name: p.detach().clone() for name, p in module.named_parameters()}


def disc_model():
    return MODELS.build(
        model_cfg(
            discriminator=dict(type='PixelDiscriminator', base_channels=4),
            coarse_skip=3.0,
            coarse_loss_weight=0.5))


def test_discriminator_losses_train_each_net_only():
    """train_step steps each player with its own optimizer: with the
    discriminator's learning rate 0 only the refiner changes, with the
    refiner's 0 only the discriminator."""
    data = batch([(32, 32), (32, 32)], has_fine=[True, False])
    for refiner_lr, disc_lr in ((0.1, 0.0), (0.0, 0.1)):
        torch.manual_seed(0)
        model = disc_model()
        assert model.discriminator.in_channels == 3 + K
        head = params(model.decode_head)
        disc = params(model.discriminator)
        skip = model.coarse_skip.item()
        log_vars = model.train_step(
            copy.deepcopy(data), sgd_wrappers(model, refiner_lr, disc_lr))
        assert {
            'loss', 'decode.loss_ce', 'decode.loss_adv', 'decode.loss_coarse',
            'disc.loss_disc'
        } <= set(log_vars)
        # The refiner's total holds its own losses only.
        refiner_total = sum(
            float(log_vars[key].detach()) for key in log_vars
            if key.startswith('decode.loss_'))
        assert float(log_vars['loss'].detach()) == pytest.approx(refiner_total)

        def changed(module, before):
            return any(not torch.equal(value, before[key])
                       for key, value in params(module).items())

        assert changed(model.decode_head, head) == (refiner_lr > 0)
        assert (model.coarse_skip.item() != skip) == (refiner_lr > 0)
        assert changed(model.discriminator, disc) == (disc_lr > 0)
        assert all(p.requires_grad for p in model.discriminator.parameters())
    # The refiner's losses (mmseg's loss()) hold no discriminator loss.
    model = disc_model()
    data = model.data_preprocessor(copy.deepcopy(data), True)
    assert 'disc.loss_disc' not in model.loss(data['inputs'],
                                              data['data_samples'])


def test_discriminator_needs_an_optimizer_per_player():
    model = disc_model()
    data = batch([(32, 32)])
    with pytest.raises(DataError, match='OptimWrapperDict'):
        model.train_step(
            copy.deepcopy(data),
            OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1)))
    head_only = OptimWrapperDict(
        segmentor=OptimWrapper(
            torch.optim.SGD(model.decode_head.parameters(), lr=0.1)),
        discriminator=OptimWrapper(
            torch.optim.SGD(model.discriminator.parameters(), lr=0.1)))
    with pytest.raises(DataError, match="'backbone', 'coarse_skip'"):
        model.train_step(copy.deepcopy(data), head_only)


def test_disc_config_optimizers_hold_every_parameter_once():
    """The discriminator config's optimizers: the refiner (coarse_skip
    included) and the discriminator, as MultiOptimWrapperConstructor
    builds them from the config."""
    cfg = Config.fromfile(
        str(REPO_ROOT / 'configs/coarse_to_fine/'
            'coarse-to-fine-disc-half-fine_unet-s5-d16_1xb4-0.4k_'
            'fasseg-256x256.py'))
    model = MODELS.build(cfg.model)
    wrappers = build_optim_wrapper(model, cfg.optim_wrapper)
    held = {
        id(p)
        for wrapper in wrappers.values()
        for group in wrapper.optimizer.param_groups
        for p in group['params']
    }
    assert held == {id(p) for p in model.parameters()}
    assert any(p is model.coarse_skip
               for group in wrappers['segmentor'].optimizer.param_groups
               for p in group['params'])


def test_coarse_skip_adds_the_scaled_one_hot_coarse_map():
    torch.manual_seed(0)
    model = MODELS.build(model_cfg(coarse_skip=3.0)).eval()
    assert MODELS.build(model_cfg(coarse_skip=3.0,
                                  image_only=True)).coarse_skip is None
    data = model.data_preprocessor(batch([(32, 32)]), False)
    with torch.no_grad():
        with_skip = model._forward(data['inputs'], data['data_samples'])
        model.coarse_skip.fill_(0)
        without = model._forward(data['inputs'], data['data_samples'])
    coarse = data['data_samples'][0].coarse_seg_map.data
    torch.testing.assert_close(with_skip - without,
                               3 * coarse_one_hot(coarse, K))
    # Prediction goes through the same logits.
    model.coarse_skip.data.fill_(100.0)
    pred = model.val_step(batch([(32, 32)]))[0].pred_sem_seg.data
    assert pred.shape == (1, 32, 32)
