"""tools/synthesize.py's messages keep their word: the ``--non-strict``
they advise is accepted, and an empty split file is named as such."""
from pathlib import Path

import pytest
import torch
from failing_tool import run_failing_tool
from mmagic.registry import MODELS
from mmengine.config import Config

from helpers import REPO_ROOT, run_tool
from helpers.pix2pixhd_tiny_config import tiny_generator_config

BASE = REPO_ROOT / 'configs/_base_/datasets/camvid.py'


@pytest.fixture(scope='module')
def data_config(camvid_root, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp('synthesize_errors') / 'camvid_4.py'
    path.write_text(f"""
_base_ = ['{BASE}']
train_dataloader = dict(dataset=dict(data_root='{camvid_root}', indices=4))
""")
    return str(path)


def test_non_strict_is_accepted_where_advised(data_config, tmp_path):
    config = tiny_generator_config(tmp_path)
    model = MODELS.build(Config.fromfile(config).model)
    state = model.state_dict()
    dropped = next(key for key in state if key.startswith('generator.'))
    del state[dropped]  # a checkpoint that lacks one of the model's keys
    checkpoint = tmp_path / 'partial.pth'
    torch.save(dict(meta={}, state_dict=state), checkpoint)
    args = [
        'tools/synthesize.py', config, checkpoint, data_config, '--out',
        tmp_path / 'out', '--num', '1', '--mode', 'overlay', '--device', 'cpu'
    ]
    output = run_failing_tool(args)
    assert f'`{checkpoint}` does not match the model Pix2PixHD' in output
    assert 'to load the matching weights anyway, pass --non-strict' in output
    # ... and --non-strict does what the message says.
    result = run_tool([str(a) for a in args] + ['--non-strict'])
    assert (tmp_path / 'out' / 'images' / '000000.png').is_file(), \
        result.stdout[-3000:]


@pytest.mark.parametrize('split', ['empty', 'missing'])
def test_split_file_is_named(data_config, tmp_path, split):
    ann_file = tmp_path / f'{split}.txt'
    if split == 'empty':
        ann_file.write_text('')
    output = run_failing_tool([
        'tools/synthesize.py', 'none', 'none', data_config, '--out',
        tmp_path / 'out', '--num', '1', '--copy-paste', '--cfg-options',
        f'train_dataloader.dataset.ann_file={ann_file}'
    ])
    expected = 'lists no image' if split == 'empty' else 'does not exist'
    assert f'the split file (ann_file) `{ann_file}` {expected}' in output
    assert "ann_file=''" in output
    assert 'img_suffix' not in output
    assert not Path(tmp_path / 'out' / 'manifest.jsonl').exists()
