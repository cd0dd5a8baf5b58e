"""Shared pieces of the adversarial segmentor tests: real CamVid batches,
tiny models built from the real configs, and a tool runner."""
import copy
import os
import subprocess
import sys
from pathlib import Path
from typing import List, Optional

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmseg.registry import DATASETS, MODELS
from mmseg.utils import register_all_modules

from mmseg_synaug.utils import DataError, resolve_data_root

REPO_ROOT = Path(__file__).resolve().parents[3]
ADV_CONFIG = REPO_ROOT / 'configs/adversarial/' \
    'adv-pspnet_r18_1xb8-1k_camvid-256x256.py'
PROB_ONLY_CONFIG = REPO_ROOT / 'configs/adversarial/' \
    'adv-pspnet_r18_1xb8-1k_camvid-256x256_prob-only.py'
PLAIN_CONFIG = REPO_ROOT / 'configs/pspnet/' \
    'pspnet_r18_1xb8-1k_camvid-256x256.py'

# Build datasets and transforms in mmseg's scope, as its configs do.
register_all_modules(init_default_scope=True)


@pytest.fixture(scope='session')
def camvid_root() -> str:
    """Root of the real CamVid data (skips the test where it is missing)."""
    try:
        return resolve_data_root(
            'camvid', required=('train', 'trainannot', 'val', 'valannot'))
    except DataError as error:
        pytest.skip(f'real CamVid data not found: {error}')


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


def run_tool(args: List[str], timeout: int = 600) -> str:
    """Run a tool with this Python from the repository; fail on error."""
    if args[0].endswith('.py'):
        args = [sys.executable] + args
    env = dict(
        os.environ,
        PYTHONUNBUFFERED='1',
        OMP_NUM_THREADS='2',
        PYTHONPATH=os.pathsep.join(
            [str(REPO_ROOT)] +
            [p for p in [os.environ.get('PYTHONPATH')] if p]))
    result = subprocess.run(
        args,
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout)
    if result.returncode != 0:
        pytest.fail(f'{" ".join(map(str, args))} failed '
                    f'({result.returncode}):\n{result.stdout[-6000:]}')
    return result.stdout
