"""Every config in configs/ parses and builds its model."""

import ast
import re

import pytest
from mmengine.config import Config
from mmseg.registry import MODELS

from helpers import REPO_ROOT

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


def _project_bases(path):
    """The ``_base_`` files of a config that are this project's (not
    ``mmseg::``), as paths."""
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                getattr(target, 'id', None) == '_base_'
                for target in node.targets):
            bases = ast.literal_eval(node.value)
            bases = [bases] if isinstance(bases, str) else bases
            return [(path.parent / base).resolve() for base in bases
                    if '::' not in base]
    return []


@pytest.mark.parametrize('config', CONFIGS)
def test_custom_imports_only_where_no_base_has_it(config: str):
    """A config declares ``custom_imports`` only where none of its project
    bases brings it (those on mmseg's configs alone need it)."""
    path = REPO_ROOT / config
    if not re.search(r'^custom_imports\s*=', path.read_text(), re.M):
        return  # inherited; test_config_builds_model checks that it arrives
    for base in _project_bases(path):
        assert 'custom_imports' not in Config.fromfile(base), (
            f'{config} re-declares custom_imports, which its base '
            f'{base.relative_to(REPO_ROOT)} has')
