"""The feature-synthesis ablations each change one thing of their base."""
import pytest
from mmengine.config import Config

from helpers import REPO_ROOT

FOLDER = REPO_ROOT / 'configs/feature_synthesis'
MAIN = 'pspnet-featsyn_r18_1xb8-1k_camvid-256x256.py'


def load(name):
    return Config.fromfile(FOLDER / name)


def synthesizer(cfg):
    assert cfg.model.synthesizer.type == 'SyntheticFeatureSampler'
    assert [h.type for h in cfg.custom_hooks] == ['FeatureSynthesisHook']
    return dict(cfg.model.synthesizer)


def model_without_synthesizer(cfg):
    return {k: v for k, v in cfg.model.items() if k != 'synthesizer'}


def diff(a, b):
    return {k for k in set(a) | set(b) if a.get(k) != b.get(k)}


@pytest.mark.parametrize('name,synthesizer_keys,model_keys', [
    ('pspnet-featsyn-noohnm_r18_1xb8-1k_camvid-256x256.py', {'ohnm_interval'
                                                             }, set()),
    ('pspnet-featsyn-share10_r18_1xb8-1k_camvid-256x256.py',
     {'synthetic_share'}, set()),
    ('pspnet-featsyn-share50_r18_1xb8-1k_camvid-256x256.py',
     {'synthetic_share'}, set()),
    ('pspnet-featsyn-nols_r18_1xb8-1k_camvid-256x256.py', set(),
     {'synthetic_loss'}),
    ('pspnet-featsyn-stage2_r18_1xb8-1k_camvid-256x256.py',
     {'generator', 'generator_checkpoint'}, {'stage_index'}),
])
def test_ablation_changes_one_thing(name, synthesizer_keys, model_keys):
    base, ablation = load(MAIN), load(name)
    assert diff(synthesizer(base), synthesizer(ablation)) == synthesizer_keys
    assert diff(
        model_without_synthesizer(base),
        model_without_synthesizer(ablation)) == model_keys
    for key in ('train_cfg', 'optim_wrapper', 'param_scheduler', 'load_from',
                'train_dataloader'):
        assert base[key] == ablation[key], key


def test_featsyn_shares_the_plain_fine_tuning_schedule():
    plain = load('pspnet-finetune_r18_1xb8-1k_camvid-256x256.py')
    featsyn = load(MAIN)
    for key in ('train_cfg', 'optim_wrapper', 'param_scheduler', 'load_from',
                'train_dataloader', 'val_dataloader'):
        assert plain[key] == featsyn[key], key
    assert synthesizer(featsyn)['synthetic_share'] == 0.3
    assert featsyn.model.stage_index == 2
    # The method is switched on in the model: the plain model is the same
    # but for its type, the stage and the synthesis.
    assert diff(dict(plain.model), model_without_synthesizer(featsyn)) == {
        'type', 'stage_index', 'synthetic_loss'
    }


GPU_BASE = REPO_ROOT / 'configs/pspnet' / (
    'pspnet_r18-d8_1xb16-2k_camvid-352x480.py')


@pytest.mark.skipif(
    not GPU_BASE.is_file(),
    reason='the GPU baseline config (gpubench branch) is not in this tree')
def test_gpu_pair_and_its_generator_fit_the_d8_segmentor():
    from mmseg.registry import MODELS

    from mmseg_synaug.models import forward_to_stage
    plain = load('pspnet-finetune_r18-d8_1xb16-1k_camvid-352x480.py')
    featsyn = load('pspnet-featsyn_r18-d8_1xb16-1k_camvid-352x480.py')
    for key in ('train_cfg', 'optim_wrapper', 'param_scheduler', 'load_from',
                'train_dataloader', 'val_dataloader'):
        assert plain[key] == featsyn[key], key
    assert plain.optim_wrapper.type == 'AmpOptimWrapper'
    assert diff(dict(plain.model), model_without_synthesizer(featsyn)) == {
        'type', 'stage_index', 'synthetic_loss'
    }
    # The generator makes features of the d8 segmentor's stage 3.
    featgan = Config.fromfile(synthesizer(featsyn)['generator'])
    generator = MODELS.build(featgan.model.generator).eval()
    segmentor = MODELS.build(featsyn.model).eval()
    import torch
    with torch.no_grad():
        real = forward_to_stage(segmentor.backbone, torch.zeros(1, 3, 64, 96),
                                2)
        fake = generator(torch.zeros(1, 64, 96, dtype=torch.long))
    assert fake.shape == real.shape
