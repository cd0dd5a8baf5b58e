"""Pix2PixHD: one-hot input, clear errors, a real train step, checkpoints."""
import copy
import json
from contextlib import contextmanager

import pytest
import torch
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmengine.registry import DefaultScope
from mmengine.runner import load_checkpoint
from mmseg.registry import MODELS

from mmseg_synaug.models import (Pix2PixHD, Pix2PixHDGenerator,
                                 instance_boundaries)
from mmseg_synaug.utils import DataError
from pix2pixhd_tiny import NUM_CLASSES, camvid_batch, tiny_pix2pixhd


@pytest.fixture
def model() -> Pix2PixHD:
    return tiny_pix2pixhd()


def _build(registry_type: str):
    return MODELS.build(
        dict(
            type=registry_type,
            num_classes=3,
            generator=dict(
                type='Pix2PixHDGenerator',
                base_channels=4,
                num_downsamples=1,
                num_blocks=1),
            discriminator=dict(num_scales=1, base_channels=4)))


def test_registered_in_mmseg_registry():
    """type='Pix2PixHD' in mmseg's scope: no MMagic involved."""
    with DefaultScope.overwrite_default_scope('mmseg'):
        model = _build('Pix2PixHD')
    assert isinstance(model, Pix2PixHD)
    assert model.generator.in_channels == 3
    assert model.discriminator.discriminators[0].layers[0][0].in_channels \
        == 3 + 3


def test_registered_for_mmagic_configs():
    """type='mmagic.Pix2PixHD' still builds where MMagic imports fully."""
    pytest.importorskip('mmagic.models')
    from mmagic.registry import MODELS as MMAGIC_MODELS
    assert MMAGIC_MODELS.get('Pix2PixHD') is Pix2PixHD
    with DefaultScope.overwrite_default_scope('mmseg'):
        model = _build('mmagic.Pix2PixHD')
    assert isinstance(model, Pix2PixHD)
    with DefaultScope.overwrite_default_scope('mmagic'):
        model = MMAGIC_MODELS.build(
            dict(
                type='Pix2PixHD',
                num_classes=3,
                generator=dict(
                    base_channels=4, num_downsamples=1, num_blocks=1),
                discriminator=dict(num_scales=1, base_channels=4)))
    assert isinstance(model.generator, Pix2PixHDGenerator)


def test_checkpoint_of_mmagic_type_loads_into_mmseg_type(tmp_path):
    """Checkpoints trained as mmagic.Pix2PixHD(Generator) still load."""
    state = tiny_pix2pixhd().state_dict()
    arch = json.loads(bytes(state['_extra_state'].tolist()))['pix2pixhd_arch']
    # what a checkpoint trained before the mmseg registration records (as
    # a dict, the format before the record became a tensor)
    arch['generator']['type'] = 'mmagic.Pix2PixHDGenerator'
    arch['discriminator']['type'] = 'mmagic.MultiScalePatchDiscriminator'
    state['_extra_state'] = dict(pix2pixhd_arch=arch)
    path = str(tmp_path / 'gen.pth')
    torch.save(dict(state_dict=state, meta={}), path)
    load_checkpoint(tiny_pix2pixhd(), path, map_location='cpu', strict=True)


def test_one_hot_with_ignore(model):
    label = torch.tensor([[[0, 10, 255], [3, 255, 3]]])
    x = model.label_to_input(label)
    assert x.shape == (1, NUM_CLASSES, 2, 3)
    assert x[0, :, 0, 2].sum() == 0 and x[0, :, 1, 1].sum() == 0
    assert x[0, 0, 0, 0] == 1 and x[0, 10, 0, 1] == 1 and x[0, 3, 1, 0] == 1
    assert x.sum() == 4


@pytest.mark.parametrize('bad', [11, 12, 254, -1])
def test_label_out_of_range_is_clear_error(model, bad):
    label = torch.zeros(1, 4, 4, dtype=torch.long)
    label[0, 1, 1] = bad
    with pytest.raises(DataError, match=rf'\[{bad}\].*11 classes'):
        model.label_to_input(label)


def test_instance_channel():
    model = tiny_pix2pixhd(use_instance_map=True)
    instance = torch.zeros(1, 8, 8, dtype=torch.long)
    instance[0, :, 4:] = 7
    edges = instance_boundaries(instance)
    assert edges.shape == (1, 1, 8, 8)
    assert edges[0, 0, :, 3:5].eq(1).all() and edges.sum() == 16
    label = torch.zeros(1, 8, 8, dtype=torch.long)
    x = model.label_to_input(label, instance)
    assert x.shape == (1, NUM_CLASSES + 1, 8, 8)
    assert model.generator.in_channels == NUM_CLASSES + 1
    assert model.generator(x).shape == (1, 3, 8, 8)
    fake = model.synthesize(
        torch.zeros(1, 10, 13, dtype=torch.long),
        torch.zeros(1, 10, 13, dtype=torch.long))
    assert fake.shape == (1, 3, 10, 13)
    with pytest.raises(DataError, match='use_instance_map'):
        model.label_to_input(label)


def test_synthesize_pads_and_crops(model):
    fake = model.synthesize(torch.randint(0, NUM_CLASSES, (2, 30, 45)))
    assert fake.shape == (2, 3, 30, 45)
    assert 0 <= fake.min() and fake.max() <= 1
    assert model.training  # mode restored


def test_train_step_updates_generator_and_discriminator(camvid_root):
    torch.manual_seed(0)
    model = tiny_pix2pixhd(
        perceptual_loss=dict(
            pretrained=None,
            allow_random_weights=True,
            layer_weights=dict(relu1_1=1.0, relu2_1=1.0)))
    data = camvid_batch(camvid_root)
    optim = OptimWrapperDict(
        generator=OptimWrapper(
            torch.optim.Adam(model.generator.parameters(), lr=1e-3)),
        discriminator=OptimWrapper(
            torch.optim.Adam(model.discriminator.parameters(), lr=1e-3)))
    before_g = copy.deepcopy(model.generator.state_dict())
    before_d = copy.deepcopy(model.discriminator.state_dict())
    log_vars = model.train_step(data, optim)
    for key in ('loss_gan_d_real', 'loss_gan_d_fake', 'loss_gan_g',
                'loss_feat', 'loss_vgg', 'loss_d', 'loss_g'):
        assert torch.isfinite(torch.as_tensor(log_vars[key])), key
    assert log_vars['loss_feat'] > 0
    changed_g = [
        k for k, v in model.generator.state_dict().items()
        if not torch.equal(v, before_g[k])
    ]
    changed_d = [
        k for k, v in model.discriminator.state_dict().items()
        if not torch.equal(v, before_d[k])
    ]
    assert len(changed_g) == len(before_g)
    assert len(changed_d) == len(before_d)
    # the VGG stays frozen
    assert all(not p.requires_grad for p in model.perceptual_loss.parameters())
    assert all(p.requires_grad for p in model.discriminator.parameters())


def test_train_step_needs_both_optimizers(model, camvid_root):
    optim = OptimWrapperDict(
        generator=OptimWrapper(torch.optim.Adam(model.generator.parameters())))
    with pytest.raises(DataError, match="'discriminator'"):
        model.train_step(camvid_batch(camvid_root), optim)


def test_amp_optim_wrapper_builds():
    if not torch.cuda.is_available():
        pytest.skip('mmengine AmpOptimWrapper needs a GPU (it asserts '
                    'CUDA/NPU/MLU/MUSA); this machine has none')
    from mmengine.optim import AmpOptimWrapper
    model = tiny_pix2pixhd().cuda()
    wrapper = AmpOptimWrapper(
        optimizer=torch.optim.Adam(model.generator.parameters()),
        loss_scale='dynamic')
    with wrapper.optim_context(model.generator):
        out = model.generator(torch.rand(1, NUM_CLASSES, 16, 16).cuda())
    assert out.dtype == torch.float16


class CPUAutocastOptimWrapper(OptimWrapper):
    """OptimWrapper whose context autocasts to bfloat16 on the CPU.

    mmengine's AmpOptimWrapper needs a GPU; this drives the same
    mixed-precision code path of train_step (forward and losses under
    autocast, the wrapper's optim_context) on this machine.
    """

    @contextmanager
    def optim_context(self, model):
        with super().optim_context(model), torch.autocast(
                'cpu', dtype=torch.bfloat16):
            yield


def test_train_step_under_autocast(camvid_root):
    torch.manual_seed(0)
    model = tiny_pix2pixhd()
    optim = OptimWrapperDict(
        generator=CPUAutocastOptimWrapper(
            torch.optim.Adam(model.generator.parameters(), lr=1e-3)),
        discriminator=CPUAutocastOptimWrapper(
            torch.optim.Adam(model.discriminator.parameters(), lr=1e-3)))
    with optim['generator'].optim_context(model.generator):
        out = model.generator(torch.rand(1, NUM_CLASSES, 16, 16))
    assert out.dtype == torch.bfloat16
    before = copy.deepcopy(model.state_dict())
    log_vars = model.train_step(camvid_batch(camvid_root), optim)
    assert all(torch.isfinite(torch.as_tensor(v)) for v in log_vars.values())
    assert not torch.equal(model.generator.global_output[1].weight,
                           before['generator.global_output.1.weight'])
    assert not torch.equal(
        model.discriminator.discriminators[0].layers[0][0].weight,
        before['discriminator.discriminators.0.layers.0.0.weight'])
    assert model.generator.global_output[1].weight.dtype == torch.float32


def test_checkpoint_records_architecture(tmp_path):
    trained = tiny_pix2pixhd()
    path = str(tmp_path / 'gen.pth')
    torch.save(dict(state_dict=trained.state_dict(), meta={}), path)
    same = tiny_pix2pixhd()
    load_checkpoint(same, path, map_location='cpu', strict=True)
    torch.testing.assert_close(same.generator.state_dict(),
                               trained.generator.state_dict())

    wider = tiny_pix2pixhd(
        generator=dict(base_channels=8, num_downsamples=2, num_blocks=1))
    with pytest.raises(DataError) as error:
        load_checkpoint(wider, path, map_location='cpu', strict=True)
    message = str(error.value)
    assert "'base_channels': 4" in message and "'base_channels': 8" in message
    assert "differ in ['generator']" in message

    other_classes = tiny_pix2pixhd(num_classes=12)
    with pytest.raises(
            DataError, match="'num_classes': 11.*'num_classes': 12"):
        load_checkpoint(other_classes, path, map_location='cpu')


def test_perceptual_loss_off_or_missing_weights(tmp_path):
    off = tiny_pix2pixhd(
        perceptual_loss=dict(pretrained=None, loss_weight=0.0))
    assert off.perceptual_loss is None
    with pytest.raises(DataError, match=r'model\.perceptual_loss\.pretrained'):
        tiny_pix2pixhd(
            perceptual_loss=dict(
                pretrained=str(tmp_path / 'vgg19.pth'), loss_weight=10.0))


def _record_order(model, optim):
    """What one train_step does, in order: each discriminator forward with
    a fingerprint of the discriminator's weights, and each optimizer
    step."""
    events = []

    def fingerprint():
        return sum(
            float(p.detach().double().sum())
            for p in model.discriminator.parameters())

    model.discriminator.register_forward_pre_hook(
        lambda module, args: events.append(('forward', fingerprint())))
    for name, wrapper in optim.items():
        wrapper.optimizer.register_step_pre_hook(
            lambda opt, args, kwargs, name=name: events.append(('step', name)))
    return events


@pytest.mark.parametrize('discriminator_first', [False, True])
def test_train_step_order(camvid_root, discriminator_first):
    """The reference's order (pix2pixHD's train.py): the generator's and
    the discriminators' losses against the same discriminators, then the
    generator stepped, then the discriminators; ``discriminator_first``
    steps the discriminators first and judges the generator with the
    updated ones."""
    torch.manual_seed(0)
    model = tiny_pix2pixhd(discriminator_first=discriminator_first)
    optim = OptimWrapperDict(
        generator=OptimWrapper(
            torch.optim.Adam(model.generator.parameters(), lr=1e-2)),
        discriminator=OptimWrapper(
            torch.optim.Adam(model.discriminator.parameters(), lr=1e-2)))
    events = _record_order(model, optim)
    model.train_step(camvid_batch(camvid_root), optim)
    steps = [name for kind, name in events if kind == 'step']
    weights = [value for kind, value in events if kind == 'forward']
    if discriminator_first:
        assert steps == ['discriminator', 'generator']
        # Real and fake for D; then fake (and real, for feature matching)
        # for G, against the updated discriminators.
        assert len(weights) == 4
        assert weights[0] == weights[1] != weights[2] == weights[3]
    else:
        assert steps == ['generator', 'discriminator']
        # Fake and real (feature matching) for G, then fake and real for
        # D after G's step: one set of weights, as the reference's losses
        # computed before either step.
        assert len(weights) == 4
        assert weights[0] == weights[1] == weights[2] == weights[3]
    assert all(p.requires_grad for p in model.discriminator.parameters())
