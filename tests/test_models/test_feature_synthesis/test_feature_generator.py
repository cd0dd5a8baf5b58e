"""Feature generator: layout encoder sizes, ignore handling, a real step."""
import pytest
import torch
from mmseg.registry import MODELS

from helpers.feature_synthesis import PSPNET, camvid_patches
from mmseg_synaug.engine import MultiOptimWrapperConstructor
from mmseg_synaug.models import (ASPPLayoutEncoder, FeatureBicycleGAN,
                                 forward_to_stage, one_hot_with_ignore)

WIDTHS = (8, 16, 16)


@pytest.mark.parametrize('size', [(64, 64), (75, 100), (33, 47)])
@pytest.mark.parametrize('dilated', [False, True])
def test_layout_encoder_matches_every_resnet_stage(size, dilated):
    strides, dilations = ((1, 2, 1, 1),
                          (1, 1, 2, 4)) if dilated else ((1, 2, 2, 2), (1, 1,
                                                                        1, 1))
    backbone = MODELS.build(
        dict(
            type='ResNetV1c',
            depth=18,
            strides=strides,
            dilations=dilations,
            base_channels=8,
            stem_channels=8))
    backbone.eval()
    image = torch.randn(1, 3, *size)
    masks = torch.randint(0, 5, (1, *size))
    for stage in range(4):
        factor = 2**(2 + sum(s == 2 for s in strides[1:stage + 1]))
        feature = forward_to_stage(backbone, image, stage)
        layout = ASPPLayoutEncoder(5, factor, channels=4).eval()(masks)
        assert layout.shape[-2:] == feature.shape[-2:], (stage, factor)
        assert layout.shape[1] == 4


def test_layout_encoder_stage_count_and_bad_factor():
    assert len(ASPPLayoutEncoder(3, 16, channels=4).stages) == 4
    assert len(ASPPLayoutEncoder(3, 2, channels=4).stages) == 1
    with pytest.raises(ValueError, match='power of 2'):
        ASPPLayoutEncoder(3, 12)
    with pytest.raises(ValueError, match='one width per stage'):
        ASPPLayoutEncoder(3, 8, channels=(4, 8))


def test_ignored_pixels_are_zero_vectors():
    masks = torch.tensor([[[0, 2], [255, 1]]])
    onehot = one_hot_with_ignore(masks, 3)
    assert onehot.shape == (1, 3, 2, 2)
    assert onehot[0, :, 1, 0].tolist() == [0, 0, 0]
    assert onehot[0, :, 0, 1].tolist() == [0, 0, 1]
    assert onehot.sum(1).tolist() == [[[1, 1], [0, 1]]]
    # A mask that is all ignore encodes like an all-zero one-hot input.
    encoder = ASPPLayoutEncoder(3, 2, channels=4).eval()
    ignored = encoder(torch.full((1, 4, 4), 255))
    x = torch.zeros(1, 3, 4, 4)
    stage = encoder.stages[0]
    expected = stage['down'](torch.cat(stage['aspp'](x), 1))
    torch.testing.assert_close(ignored, expected)
    with pytest.raises(ValueError, match='outside'):
        encoder(torch.tensor([[[3, 0], [0, 0]]]))
    # The frozen generator of feature synthesis skips the (host-syncing)
    # check: a bad label encodes as a zero vector.
    torch.testing.assert_close(
        encoder(torch.tensor([[[3, 255], [255, 255]]]), check_labels=False),
        encoder(torch.full((1, 2, 2), 255)))


def build_gan(checkpoint=None, crop=64, **kwargs):
    return FeatureBicycleGAN(
        **kwargs,
        data_preprocessor=dict(
            type='SegFeatureDataPreProcessor',
            segmentor=PSPNET,
            checkpoint=checkpoint,
            stage_index=2,
            size=(crop, crop)),
        generator=dict(
            type='FeatureGenerator',
            num_classes=11,
            feature_channels=256,
            downsample_factor=16,
            layout_channels=8,
            unet_channels=WIDTHS),
        encoder=dict(type='FeatureEncoder', in_channels=256, channels=WIDTHS),
        discriminator=dict(
            type='FeatureDiscriminator',
            num_classes=11,
            feature_channels=256,
            downsample_factor=16,
            layout_channels=8,
            channels=WIDTHS))


def test_bicyclegan_train_step_on_real_patches(camvid_root,
                                               segmentor_checkpoint):
    torch.manual_seed(0)
    model = build_gan(segmentor_checkpoint)
    model.init_weights()
    model.train()
    adam = dict(optimizer=dict(type='Adam', lr=1e-3))
    optim = MultiOptimWrapperConstructor(
        dict(generator=adam, encoder=adam, discriminator=adam))(
            model)
    before = {
        name: {
            k: v.clone()
            for k, v in getattr(model, name).state_dict().items()
        }
        for name in ('generator', 'encoder', 'discriminator')
    }
    model.data_preprocessor.load_segmentor()
    frozen = {
        k: v.clone()
        for k, v in model.data_preprocessor.segmentor.state_dict().items()
    }
    data = camvid_patches(camvid_root)
    log_vars = model.train_step(data, optim)
    for key in ('loss_gan', 'loss_gan_vae', 'loss_l1', 'loss_kl', 'loss_z',
                'loss_d', 'loss'):
        assert torch.isfinite(torch.as_tensor(log_vars[key])), key
    for name, state in before.items():
        params = dict(getattr(model, name).named_parameters())
        changed = [k for k in params if not torch.equal(params[k], state[k])]
        assert changed, f'{name} did not change'
    # The frozen segmentor: no parameter and no BN statistic moved.
    for k, v in model.data_preprocessor.segmentor.state_dict().items():
        assert torch.equal(v, frozen[k]), k
    # Generation: features of the stage's shape.
    masks = torch.randint(0, 11, (3, 64, 64))
    assert model.generate(masks).shape == (3, 256, 4, 4)


def test_kl_term_sums_over_the_batch_as_the_reference():
    """BicycleGAN's reference sums the KL divergence over the latent
    dimensions and the batch; ``kl_reduction='mean'`` averages it over the
    batch."""
    torch.manual_seed(0)
    mu, logvar = torch.randn(6, 8), torch.randn(6, 8)
    # The reference's expression, element-wise then summed.
    element = 1 + logvar - mu.pow(2) - logvar.exp()
    reference = -0.5 * element.sum()
    model = build_gan()
    assert model.kl_reduction == 'sum'
    torch.testing.assert_close(model.kl_divergence(mu, logvar), reference)
    model = build_gan(kl_reduction='mean')
    torch.testing.assert_close(model.kl_divergence(mu, logvar), reference / 6)
    with pytest.raises(ValueError, match='kl_reduction'):
        build_gan(kl_reduction='batchmean')


def test_missing_segmentor_checkpoint_is_a_clear_error(camvid_root):
    model = build_gan('no/such/pspnet.pth')
    with pytest.raises(ValueError, match='tools/train.py'):
        model.data_preprocessor(camvid_patches(camvid_root, n=1), True)
