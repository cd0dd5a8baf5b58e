"""Every config in configs/ parses and builds its model."""

import pytest
from mmengine.config import Config
from mmseg.registry import MODELS

from conftest import REPO_ROOT

CONFIGS = sorted(
    str(path.relative_to(REPO_ROOT))
    for path in (REPO_ROOT / 'configs').rglob('*.py')
    if '_base_' not in path.parts)


def test_configs_found():
    assert len(CONFIGS) >= 3, CONFIGS


@pytest.mark.parametrize('config', CONFIGS)
def test_config_builds_model(config: str):
    cfg = Config.fromfile(REPO_ROOT / config)
    assert cfg.custom_imports['imports'] == [
        'mmseg_synaug'
    ], (f'{config} must pull the plugin in with custom_imports')
    model = MODELS.build(cfg.model)
    assert sum(p.numel() for p in model.parameters()) > 0
