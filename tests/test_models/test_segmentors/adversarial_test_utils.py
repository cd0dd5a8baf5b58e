"""Shared pieces of the adversarial segmentor tests: real CamVid batches and
tiny models built from the real configs."""
import copy
from pathlib import Path
from typing import Optional

import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmseg.registry import DATASETS, MODELS
from mmseg.utils import register_all_modules

from helpers import REPO_ROOT

ADV_CONFIG = REPO_ROOT / 'configs/adversarial/' \
    'pspnet-adv_r18_1xb8-1k_camvid-256x256.py'
HUNG_CONFIG = REPO_ROOT / 'configs/adversarial/' \
    'pspnet-adv-hung_r18_1xb8-1k_camvid-256x256.py'
PLAIN_CONFIG = REPO_ROOT / 'configs/pspnet/' \
    'pspnet_r18_1xb8-1k_camvid-256x256.py'

# Build datasets and transforms in mmseg's scope, as its configs do.
register_all_modules(init_default_scope=True)


def camvid_batch(root: str,
                 split: str = 'train',
                 indices=(0, 1),
                 size: int = 64) -> dict:
    """Real CamVid pairs resized to ``size`` x ``size``, as a raw batch.

    Deterministic (no random crop), so that two models see the same data.
    """
    pipeline = [
        dict(type='LoadCheckedImage'),
        dict(type='LoadCheckedAnnotations'),
        dict(type='Resize', scale=(size, size), keep_ratio=False),
        dict(type='PackSegInputs')
    ]
    dataset = DATASETS.build(
        dict(
            type='CamVidDataset',
            data_root=root,
            data_prefix=dict(img_path=split, seg_map_path=split + 'annot'),
            pipeline=pipeline))
    return pseudo_collate([dataset[i] for i in indices])


def build_model(config: Path = ADV_CONFIG,
                size: int = 64,
                model_overrides: Optional[dict] = None):
    """Build (and initialise) the model of a real config for ``size`` px."""
    cfg = Config.fromfile(str(config))
    cfg.model.data_preprocessor.size = (size, size)
    if model_overrides:
        cfg.merge_from_dict(dict(model=model_overrides))
    model = MODELS.build(cfg.model)
    model.init_weights()
    return model, cfg


def clone_batch(batch: dict) -> dict:
    return copy.deepcopy(batch)


def parameters_of(module: torch.nn.Module) -> dict:
    return {
        name: param.detach().clone()
        for name, param in module.named_parameters()
    }
