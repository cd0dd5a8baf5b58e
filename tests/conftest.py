"""Shared fixtures: the real datasets and trained or saved models.

The first line of a run says where the real datasets come from, or that
the tests that need them skip and which setting brings them. Helper
functions (a tool runner, tiny configs) are in :mod:`helpers`.
"""
import os
import os.path as osp
from typing import Optional

import pytest
from mmseg.utils import register_all_modules

from helpers import REPO_ROOT, run_tool, tiny_config
from mmseg_synaug.utils import DataError, resolve_data_root
from mmseg_synaug.utils.data_root import DATA_ROOT_ENV, data_root_candidates

#: The real datasets of the tests: folder name -> sub-folders of a root.
DATASETS = {
    'camvid': ('train', 'trainannot', 'val', 'valannot'),
    'fasseg_frontal': ('images/train', 'coarse/train', 'fine/train'),
}
#: Start of the skip reason of a test that lacks a real dataset.
NO_DATA = 'real data not found'

# Build datasets and transforms in mmseg's scope, as its configs do.
register_all_modules(init_default_scope=True)


def _dataset_root(name: str) -> str:
    try:
        return resolve_data_root(name, required=DATASETS[name])
    except DataError as error:
        pytest.skip(f'{NO_DATA}: {name}: {error}')


@pytest.fixture(scope='session')
def camvid_root() -> str:
    """Root of the real CamVid data (skips the test where it is missing)."""
    return _dataset_root('camvid')


@pytest.fixture(scope='session')
def fasseg_root() -> str:
    """Root of the real FASSEG frontal data (skips where it is missing)."""
    return _dataset_root('fasseg_frontal')


def find_dataset(name: str) -> Optional[str]:
    """``'<root> (<origin>)'`` as the fixtures will find it, or None.

    The order of :func:`~mmseg_synaug.utils.resolve_data_root`, without its
    log line: ``$SYNAUG_DATA_ROOT`` when set (and nothing after it), then
    ``data/`` and ``../shared/data/``.
    """
    for path, origin in data_root_candidates(name):
        if all(osp.isdir(osp.join(path, sub)) for sub in DATASETS[name]):
            return f'{path} ({origin})'
        if origin.startswith('$'):
            return None
    return None


def data_source_line() -> str:
    """Where the real data comes from, or what skips and how to fix it."""
    found = {name: find_dataset(name) for name in DATASETS}
    missing = [name for name, root in found.items() if root is None]
    if not missing:
        return 'real data: ' + ', '.join(f'{name} from {root}'
                                         for name, root in found.items())
    env = os.environ.get(DATA_ROOT_ENV)
    looked = (f'${DATA_ROOT_ENV}={env}'
              if env else f'${DATA_ROOT_ENV} (unset), {REPO_ROOT / "data"}, '
              f'{REPO_ROOT.parent / "shared" / "data"}')
    folders = ' and '.join(f'{name}/' for name in missing)
    return (f'real data: {", ".join(missing)} not found in {looked}: the '
            'tests that need it SKIP. To run them, set '
            f'{DATA_ROOT_ENV} to the folder that holds {folders} (README.md, '
            'Data)')


def pytest_sessionstart(session: pytest.Session) -> None:
    """Say where the data comes from first, also under ``-q``."""
    reporter = session.config.pluginmanager.get_plugin('terminalreporter')
    if reporter is not None:
        reporter.write_line(data_source_line())


def pytest_terminal_summary(terminalreporter, exitstatus: int) -> None:
    """Count the tests skipped for want of the real data, at the end."""
    skipped = [
        report for report in terminalreporter.stats.get('skipped', [])
        if isinstance(report.longrepr, tuple)
        and NO_DATA in str(report.longrepr[-1])
    ]
    if skipped:
        terminalreporter.write_line(
            f'{len(skipped)} tests skipped without the real data: '
            f'{data_source_line()}')


@pytest.fixture(scope='session')
def segmentor_checkpoint(tmp_path_factory) -> str:
    """An untrained CPU PSPNet for CamVid, saved as a Runner would save it.

    Built from the baseline config with its initial weights (seconds, no
    training) and ``meta.dataset_meta`` holding CamVid's classes and
    palette. Good enough for tests of the plumbing around a model.
    """
    from mmengine.runner.checkpoint import save_checkpoint
    from mmseg.apis import init_model

    from mmseg_synaug.datasets import CamVidDataset
    config = REPO_ROOT / 'configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py'
    model = init_model(str(config), None, device='cpu')
    path = tmp_path_factory.mktemp('segmentor') / 'pspnet_r18_camvid_init.pth'
    save_checkpoint(
        dict(
            state_dict=model.state_dict(),
            meta=dict(dataset_meta=dict(CamVidDataset.METAINFO))), str(path))
    return str(path)


@pytest.fixture(scope='session')
def trained(camvid_root, tmp_path_factory):
    """Train 2 iterations, then resume the same work dir to 4."""
    tmp_path = tmp_path_factory.mktemp('train')
    work_dir = tmp_path / 'work'
    first = run_tool([
        'tools/train.py',
        tiny_config(tmp_path, 2), '--work-dir',
        str(work_dir)
    ])
    resumed = run_tool([
        'tools/train.py',
        tiny_config(tmp_path, 4), '--work-dir',
        str(work_dir), '--resume'
    ])
    return tmp_path, work_dir, first.stdout, resumed.stdout
