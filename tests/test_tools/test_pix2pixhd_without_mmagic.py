"""pix2pixHD where MMagic is not installed at all (the extra is optional)."""
from blocked_env import run_blocked

SCRIPT = """
import sys
import torch
import mmseg_synaug
from mmengine.registry import init_default_scope
from mmseg.registry import MODELS
from mmseg_synaug.models import Pix2PixHD
init_default_scope('mmseg')
cfg = dict(num_classes=3,
           generator=dict(base_channels=4, num_downsamples=1, num_blocks=1),
           discriminator=dict(num_scales=1, base_channels=4))
model = MODELS.build(dict(type='Pix2PixHD', **cfg))
assert isinstance(model, Pix2PixHD)
image = model.synthesize(torch.zeros(1, 6, 10, dtype=torch.long))
print('synthesized', tuple(image.shape))
try:
    MODELS.build(dict(type='mmagic.Pix2PixHD', **cfg))
except ModuleNotFoundError as error:
    print('ERROR', error)
print('mmagic imported:', 'mmagic' in sys.modules)
"""


def test_import_and_build_without_mmagic(tmp_path):
    log = tmp_path / 'blocked.txt'
    out = run_blocked(['-c', SCRIPT], log, block='mmagic').stdout
    assert 'synthesized (1, 3, 6, 10)' in out
    assert 'mmagic imported: False' in out
    # the mmagic type says what to install and what to use instead
    error = out.split('ERROR', 1)[1]
    assert "type='mmagic.Pix2PixHD' needs MMagic" in error
    assert "pip install 'mmseg_synaug[synthesis]'" in error
    assert "type='Pix2PixHD'" in error
    # only the optional registration tried, once
    assert set(log.read_text().split()) == {'mmagic'}
