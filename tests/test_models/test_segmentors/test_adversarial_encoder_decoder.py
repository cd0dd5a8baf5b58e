"""AdversarialEncoderDecoder: real train steps on CamVid, masking of ignored
pixels, the lambda switch, Hung et al.'s per-pixel variant, and inference
identical to the plain model."""
import copy

import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapper, OptimWrapperDict, build_optim_wrapper
from mmengine.runner import load_checkpoint
from mmseg.models.segmentors import EncoderDecoder

from adversarial_test_utils import (ADV_CONFIG, HUNG_CONFIG, PLAIN_CONFIG,
                                    build_model, camvid_batch, parameters_of)
from mmseg_synaug.utils import DataError


def sgd_wrappers(model, seg_lr: float = 1.0, disc_lr: float = 1.0):
    """Plain SGD (no momentum, no decay): an update is -lr * gradient."""
    seg_params = [
        p for name, p in model.named_parameters()
        if not name.startswith('discriminator.')
    ]
    return OptimWrapperDict(
        segmentor=OptimWrapper(torch.optim.SGD(seg_params, lr=seg_lr)),
        discriminator=OptimWrapper(
            torch.optim.SGD(model.discriminator.parameters(), lr=disc_lr)))


def step(model, batch, optim_wrapper, seed: int = 0) -> dict:
    torch.manual_seed(seed)  # the heads' dropout
    return model.train_step(copy.deepcopy(batch), optim_wrapper)


@pytest.fixture(scope='module')
def train_batch(camvid_root):
    return camvid_batch(camvid_root, 'train', indices=(0, 1), size=64)


def test_train_step_updates_segmentor_and_discriminator(train_batch):
    model, cfg = build_model()
    assert type(model).__name__ == 'AdversarialEncoderDecoder'
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    before = parameters_of(model)
    log_vars = step(model, train_batch, optim_wrapper)
    after = parameters_of(model)

    for key in ('loss', 'decode.loss_ce', 'aux.loss_ce', 'loss_adv',
                'disc.loss_real', 'disc.loss_fake', 'disc.acc_real'):
        assert key in log_vars, key
        assert torch.isfinite(log_vars[key]).all(), key
    # The segmentor's total includes the adversarial term.
    total = (
        log_vars['decode.loss_ce'] + log_vars['aux.loss_ce'] +
        log_vars['loss_adv'])
    torch.testing.assert_close(log_vars['loss'], total)

    def changed(prefix):
        return [
            name for name in before if name.startswith(prefix)
            and not torch.equal(before[name], after[name])
        ]

    assert changed('backbone.'), 'the backbone was not updated'
    assert changed('decode_head.'), 'the decode head was not updated'
    assert changed('discriminator.'), 'the discriminator was not updated'
    assert len(changed('discriminator.')) == len(
        [n for n in before if n.startswith('discriminator.')])


def test_adversarial_term_changes_only_the_segmentor_update(train_batch):
    """lambda=0 is exactly the plain segmentor's update; lambda>0 changes
    it; the discriminator's update does not depend on lambda (no gradient
    of the adversarial term leaks into the discriminator)."""
    model, _ = build_model()
    init = copy.deepcopy(model.state_dict())

    def run(weight):
        m, _ = build_model()
        m.load_state_dict(init)
        m.adversarial_loss.loss_weight = weight
        step(m, train_batch, sgd_wrappers(m))
        return parameters_of(m)

    with_adv, without_adv = run(0.5), run(0.0)

    plain, plain_cfg = build_model(PLAIN_CONFIG)
    assert type(plain) is EncoderDecoder
    plain.load_state_dict({
        k: v
        for k, v in init.items() if not k.startswith('discriminator.')
    })
    seg_params = [p for p in plain.parameters()]
    torch.manual_seed(0)
    plain.train_step(
        copy.deepcopy(train_batch),
        OptimWrapper(torch.optim.SGD(seg_params, lr=1.0)))
    for name, value in parameters_of(plain).items():
        torch.testing.assert_close(
            without_adv[name], value, msg=f'lambda=0 differs at {name}')

    seg_diff = [
        name for name in with_adv if not name.startswith('discriminator.')
        and not torch.allclose(with_adv[name], without_adv[name])
    ]
    assert 'decode_head.conv_seg.weight' in seg_diff
    assert any(name.startswith('backbone.') for name in seg_diff)
    # The auxiliary head is not behind the adversarial term.
    assert not any(name.startswith('auxiliary_head.') for name in seg_diff)
    for name in with_adv:
        if name.startswith('discriminator.'):
            torch.testing.assert_close(with_adv[name], without_adv[name])


def test_ignored_pixels_are_zero_for_real_and_fake(train_batch):
    model, _ = build_model()
    data = model.data_preprocessor(copy.deepcopy(train_batch), True)
    samples = data['data_samples']
    gt = torch.stack([s.gt_sem_seg.data for s in samples])[:, 0]
    ignored = gt == 255
    assert ignored.any(), 'the test images should contain void pixels'
    logits = torch.randn(2, 11, 8, 8)
    fake, real = model.discriminator_inputs(logits, samples, (64, 64))
    assert fake.shape == real.shape == (2, 11, 64, 64)
    for label_map in (fake, real):
        assert label_map.permute(0, 2, 3, 1)[ignored].abs().max() == 0
        torch.testing.assert_close(
            label_map.sum(1)[~ignored], torch.ones(int((~ignored).sum())))
    # The one-hot ground truth is the label map; the fake is a softmax.
    assert torch.equal(real.argmax(1)[~ignored], gt[~ignored])
    # Whatever the prediction, the discriminator's input does not change
    # at ignored pixels.
    other, _ = model.discriminator_inputs(logits * 5 + 1, samples, (64, 64))
    assert other.permute(0, 2, 3, 1)[ignored].abs().max() == 0


def test_label_out_of_range_is_a_clear_error(train_batch):
    model, _ = build_model()
    data = model.data_preprocessor(copy.deepcopy(train_batch), True)
    samples = data['data_samples']
    samples[0].gt_sem_seg.data[0, 0, 0] = 11
    with pytest.raises(ValueError, match='ignore index'):
        model.discriminator_inputs(torch.randn(2, 11, 8, 8), samples, (64, 64))


def test_hung_discriminator_sees_no_image(train_batch):
    model, cfg = build_model(HUNG_CONFIG)
    assert type(model.discriminator).__name__ == 'FCDiscriminator'
    assert model.discriminator.with_image is False
    seen = []
    model.discriminator.register_forward_pre_hook(
        lambda module, args: seen.append(
            len(args) > 1 and args[1] is not None))
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    before = parameters_of(model.discriminator)
    log_vars = step(model, train_batch, optim_wrapper)
    assert torch.isfinite(log_vars['loss_adv'])
    assert seen == [False, False, False]  # adversarial term, real, fake
    after = parameters_of(model.discriminator)
    assert any(not torch.equal(before[n], after[n]) for n in before)


def test_hung_losses_are_per_pixel_bce_masked_at_ignored_pixels(train_batch):
    """Hung et al.: one logit per pixel at the input size; the adversarial
    term (lambda 0.01) and the discriminator's real and fake losses are the
    binary cross-entropies averaged over the labelled pixels only."""
    model, cfg = build_model(HUNG_CONFIG)
    assert cfg.model.adversarial_loss.loss_weight == 0.01
    outputs = []
    model.discriminator.register_forward_hook(
        lambda module, args, out: outputs.append(out.detach().clone()))
    gt = torch.stack([
        s.gt_sem_seg.data for s in model.data_preprocessor(
            copy.deepcopy(train_batch), True)['data_samples']
    ])
    valid = (gt != 255).float()
    assert 0 < valid.mean() < 1, 'the images should contain void pixels'
    log_vars = step(model, train_batch,
                    build_optim_wrapper(model, cfg.optim_wrapper))

    assert len(outputs) == 3
    for out in outputs:
        assert out.shape == (2, 1, 64, 64)
    adv, real, fake = outputs

    def masked_mean(loss):
        return (loss * valid).sum() / valid.sum()

    # -log(sigmoid(x)) = softplus(-x); -log(1 - sigmoid(x)) = softplus(x).
    torch.testing.assert_close(log_vars['loss_adv'],
                               0.01 * masked_mean(F.softplus(-adv)))
    torch.testing.assert_close(log_vars['disc.loss_real'],
                               masked_mean(F.softplus(-real)))
    torch.testing.assert_close(log_vars['disc.loss_fake'],
                               masked_mean(F.softplus(fake)))
    # Not the unmasked means.
    assert not torch.allclose(log_vars['disc.loss_fake'],
                              F.softplus(fake).mean())
    torch.testing.assert_close(log_vars['disc.acc_real'], 100 * masked_mean(
        (real > 0).float()))


def test_segmentor_optimizer_must_hold_every_segmentor_module(train_batch):
    model, cfg = build_model()
    optim_cfg = copy.deepcopy(cfg.optim_wrapper)
    optim_cfg.segmentor.modules = ['backbone', 'decode_head']
    with pytest.raises(ValueError, match="auxiliary_head"):
        step(model, train_batch, build_optim_wrapper(model, optim_cfg))


def test_image_discriminator_sees_the_image(train_batch):
    model, cfg = build_model()
    seen = []
    model.discriminator.register_forward_pre_hook(
        lambda module, args: seen.append(args[1] is not None))
    step(model, train_batch, build_optim_wrapper(model, cfg.optim_wrapper))
    assert seen == [True, True, True]


def test_single_optimizer_is_a_clear_error(train_batch):
    model, _ = build_model()
    with pytest.raises(DataError, match='OptimWrapperDict'):
        model.train_step(
            copy.deepcopy(train_batch),
            OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1)))
    with pytest.raises(DataError, match='discriminator'):
        model.train_step(
            copy.deepcopy(train_batch),
            OptimWrapperDict(
                segmentor=OptimWrapper(
                    torch.optim.SGD(model.parameters(), lr=0.1))))


def test_checkpoint_loads_into_plain_model_with_identical_predictions(
        camvid_root, train_batch, tmp_path):
    model, cfg = build_model()
    # Train a step so that the weights (and BN statistics) are not the
    # initial ones, then save as the runner does.
    step(model, train_batch, build_optim_wrapper(model, cfg.optim_wrapper))
    path = tmp_path / 'adv.pth'
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)

    plain, _ = build_model(PLAIN_CONFIG)
    load_checkpoint(plain, str(path), map_location='cpu', strict=False)
    adv_state = model.state_dict()
    plain_state = plain.state_dict()
    assert set(adv_state) - set(plain_state) == {
        k
        for k in adv_state if k.startswith('discriminator.')
    }
    assert set(plain_state) <= set(adv_state)

    val = camvid_batch(camvid_root, 'val', indices=(0, 1), size=96)
    model.eval()
    plain.eval()
    with torch.no_grad():
        adv_out = model.test_step(copy.deepcopy(val))
        plain_out = plain.test_step(copy.deepcopy(val))
    for a, p in zip(adv_out, plain_out):
        assert torch.equal(a.seg_logits.data, p.seg_logits.data)
        assert torch.equal(a.pred_sem_seg.data, p.pred_sem_seg.data)
    # ... and the plain model's prediction is not the untrained one.
    fresh, _ = build_model(PLAIN_CONFIG)
    fresh.eval()
    with torch.no_grad():
        fresh_out = fresh.test_step(copy.deepcopy(val))
    assert not torch.equal(fresh_out[0].seg_logits.data,
                           plain_out[0].seg_logits.data)


def test_inference_is_the_plain_segmentors():
    from mmseg_synaug.models import AdversarialEncoderDecoder
    for name in ('predict', '_forward', 'extract_feat', 'encode_decode',
                 'inference', 'loss'):
        assert getattr(AdversarialEncoderDecoder,
                       name) is getattr(EncoderDecoder, name), name


def test_discriminator_classes_must_match():
    with pytest.raises(ValueError, match='num_classes=11'):
        build_model(model_overrides=dict(discriminator=dict(num_classes=5)))


def test_adv_config_inherits_the_plain_segmentor():
    _, adv_cfg = build_model(ADV_CONFIG)
    _, plain_cfg = build_model(PLAIN_CONFIG)
    for key in ('backbone', 'decode_head', 'auxiliary_head',
                'data_preprocessor', 'test_cfg'):
        assert adv_cfg.model[key] == plain_cfg.model[key], key
    assert adv_cfg.train_cfg == plain_cfg.train_cfg
    assert adv_cfg.train_dataloader == plain_cfg.train_dataloader
