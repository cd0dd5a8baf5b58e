"""The feature-synthesis ablations each change one thing of their base."""
import pytest
from mmengine.config import Config

from conftest import REPO_ROOT

FOLDER = REPO_ROOT / 'configs/feature_synthesis'
MAIN = 'pspnet-featsyn_r18_1xb8-1k_camvid-256x256.py'


def load(name):
    return Config.fromfile(FOLDER / name)


def hook(cfg):
    hooks = [h for h in cfg.custom_hooks if h.type == 'FeatureSynthesisHook']
    assert len(hooks) == 1
    return dict(hooks[0])


def diff(a, b):
    return {k for k in set(a) | set(b) if a.get(k) != b.get(k)}


@pytest.mark.parametrize('name,hook_keys,model_keys', [
    ('pspnet-featsyn-noohnm_r18_1xb8-1k_camvid-256x256.py',
     {'ohnm_interval'}, set()),
    ('pspnet-featsyn-share10_r18_1xb8-1k_camvid-256x256.py',
     {'synthetic_share'}, set()),
    ('pspnet-featsyn-share50_r18_1xb8-1k_camvid-256x256.py',
     {'synthetic_share'}, set()),
    ('pspnet-featsyn-nols_r18_1xb8-1k_camvid-256x256.py', set(),
     {'synthetic_loss'}),
    ('pspnet-featsyn-stage2_r18_1xb8-1k_camvid-256x256.py',
     {'generator', 'generator_checkpoint'}, {'stage_index'}),
])
def test_ablation_changes_one_thing(name, hook_keys, model_keys):
    base, ablation = load(MAIN), load(name)
    assert diff(hook(base), hook(ablation)) == hook_keys
    assert diff(dict(base.model), dict(ablation.model)) == model_keys
    for key in ('train_cfg', 'optim_wrapper', 'param_scheduler', 'load_from',
                'train_dataloader'):
        assert base[key] == ablation[key], key


def test_featsyn_shares_the_plain_fine_tuning_schedule():
    plain = load('pspnet-finetune_r18_1xb8-1k_camvid-256x256.py')
    featsyn = load(MAIN)
    for key in ('train_cfg', 'optim_wrapper', 'param_scheduler', 'load_from',
                'train_dataloader', 'val_dataloader'):
        assert plain[key] == featsyn[key], key
    assert hook(featsyn)['synthetic_share'] == 0.3
    assert featsyn.model.stage_index == 2
