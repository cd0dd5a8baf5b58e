"""Every adversarial config builds its model and its two optimizers, and
pairs with a plain config whose segmentor is the same."""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapperDict, build_optim_wrapper
from mmseg.registry import MODELS

from helpers import REPO_ROOT

# adversarial config -> the plain config its checkpoint loads into
PAIRS = {
    'pspnet-adv_r18_1xb8-1k_camvid-256x256.py':
    'pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py',
    'pspnet-adv-hung_r18_1xb8-1k_camvid-256x256.py':
    'pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py',
    'pspnet-adv-hung-w64_r18_1xb8-1k_camvid-256x256.py':
    'pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py',
    'fcn-adv_vgg16-d8_1xb8-80k_cityscapes-512x1024.py':
    'fcn/fcn_vgg16-d8_1xb8-80k_cityscapes-512x1024.py',
    'pspnet-adv_r50-d8_1xb8-80k_cityscapes-512x1024.py':
    'pspnet/pspnet_r50-d8_4xb2-80k_cityscapes-512x1024.py',
    'pspnet-adv_r50-d8_4xb2-80k_cityscapes-512x1024.py':
    'pspnet/pspnet_r50-d8_4xb2-80k_cityscapes-512x1024.py',
    'pspnet-adv_r18-d8_1xb16-2k_camvid-352x480.py':
    'pspnet/pspnet_r18-d8_1xb16-2k_camvid-352x480.py',
    'fast_scnn-adv-hung_1xb8-2k_camvid-256x352.py':
    'fast_scnn/fast_scnn_1xb8-2k_camvid-256x352.py',
}


def test_every_adversarial_config_is_listed():
    found = {p.name for p in (REPO_ROOT / 'configs/adversarial').glob('*.py')}
    assert found == set(PAIRS)


@pytest.mark.parametrize('name', sorted(PAIRS))
def test_config_builds_and_matches_its_plain_config(name):
    cfg = Config.fromfile(str(REPO_ROOT / 'configs/adversarial' / name))
    plain = Config.fromfile(str(REPO_ROOT / 'configs' / PAIRS[name]))
    assert cfg.custom_imports['imports'] == ['mmseg_synaug']
    # (Compared before building: EncoderDecoder writes `pretrained` into
    # the backbone's config.)
    for key in ('backbone', 'decode_head', 'auxiliary_head'):
        assert cfg.model.get(key) == plain.model.get(key), key
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'AdversarialEncoderDecoder'
    assert model.discriminator.num_classes == model.num_classes
    optim_wrapper = cfg.optim_wrapper.copy()
    if not torch.cuda.is_available():
        # mmengine builds an AmpOptimWrapper only with a GPU: build the
        # same optimizers in plain wrappers.
        for key, wrapper in optim_wrapper.items():
            if isinstance(wrapper, dict) and \
                    wrapper.get('type') == 'AmpOptimWrapper':
                optim_wrapper[key] = dict(
                    wrapper, type='OptimWrapper', loss_scale=None)
                optim_wrapper[key].pop('loss_scale')
    wrappers = build_optim_wrapper(model, optim_wrapper)
    assert isinstance(wrappers, OptimWrapperDict)
    plain_model = MODELS.build(plain.model)
    adv_keys = {
        k
        for k in model.state_dict() if not k.startswith('discriminator.')
    }
    assert adv_keys == set(plain_model.state_dict())


def test_hung_configs_quarter_and_full_width_discriminators():
    """The CPU config's discriminator is a quarter of the paper's widths;
    the -w64 config has the paper's (64, 128, 256, 512), all else equal."""
    folder = REPO_ROOT / 'configs/adversarial'
    cpu = Config.fromfile(
        str(folder / 'pspnet-adv-hung_r18_1xb8-1k_camvid-256x256.py'))
    full = Config.fromfile(
        str(folder / 'pspnet-adv-hung-w64_r18_1xb8-1k_camvid-256x256.py'))
    assert tuple(cpu.model.discriminator.channels) == (16, 32, 64, 128)
    assert tuple(full.model.discriminator.channels) == (64, 128, 256, 512)
    model = MODELS.build(full.model)
    widths = [
        m.out_channels for m in model.discriminator.modules()
        if isinstance(m, torch.nn.Conv2d)
    ]
    assert widths == [64, 128, 256, 512, 1]
    full.model.discriminator.channels = cpu.model.discriminator.channels
    assert full.model == cpu.model
    assert full.optim_wrapper == cpu.optim_wrapper
    assert full.param_scheduler == cpu.param_scheduler


def test_vgg_config_needs_local_weights():
    cfg = Config.fromfile(
        str(REPO_ROOT / 'configs/fcn/fcn_vgg16-d8_1xb8-80k_cityscapes-'
            '512x1024.py'))
    assert cfg.model.backbone.type == 'VGG'
    model = MODELS.build(cfg.model)
    if not Path(cfg.model.backbone.init_cfg.checkpoint).is_file():
        with pytest.raises(FileNotFoundError, match='vgg16-397923af.pth'):
            model.backbone.init_weights()
