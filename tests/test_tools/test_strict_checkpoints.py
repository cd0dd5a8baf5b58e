"""A checkpoint of another model is refused by every loader of the tools:
tools/test.py, tools/refine_labels.py and the web demo's command, unless
the user asks for non-strict loading."""
import subprocess
import sys
from pathlib import Path

import pytest
from mmengine.runner.checkpoint import save_checkpoint
from test_coarse_to_fine_tools import REFINER

from helpers import REPO_ROOT
from mmseg_synaug.datasets import CamVidDataset
from mmseg_synaug.utils.checkpoint import CheckpointMismatchError

PSPNET = REPO_ROOT / 'configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py'
UNET = REPO_ROOT / 'configs/unet/unet-s5-d16_fcn_1xb8-1k_camvid-256x256.py'
#: Two test images, one process: seconds instead of minutes.
SMALL_TEST = [
    '--cfg-options', 'test_dataloader.dataset.indices=2',
    'test_dataloader.num_workers=0', 'test_dataloader.persistent_workers=False'
]


@pytest.fixture(scope='module')
def unet_checkpoint(tmp_path_factory) -> str:
    """An untrained U-Net for CamVid, saved as a Runner would save it."""
    from mmseg.apis import init_model
    model = init_model(str(UNET), None, device='cpu')
    path = tmp_path_factory.mktemp('unet') / 'unet_camvid_init.pth'
    save_checkpoint(
        dict(
            state_dict=model.state_dict(),
            meta=dict(dataset_meta=dict(CamVidDataset.METAINFO))), str(path))
    return str(path)


def run(args) -> subprocess.CompletedProcess:
    """Run a tool with this Python; the exit code is the test's to check."""
    return subprocess.run([sys.executable, *args],
                          cwd=REPO_ROOT,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT,
                          text=True,
                          timeout=900)


def test_tools_test_refuses_a_unet_checkpoint_for_pspnet(
        camvid_root, unet_checkpoint, tmp_path):
    result = run([
        'tools/test.py',
        str(PSPNET), unet_checkpoint, '--work-dir',
        str(tmp_path / 'strict')
    ] + SMALL_TEST)
    log = result.stdout
    assert result.returncode != 0, log[-3000:]
    assert 'mIoU' not in log
    # One message after the tool's header, not a traceback.
    assert 'test.py: error:' in log
    assert 'Traceback' not in log
    assert 'unet_camvid_init.pth` does not match the model EncoderDecoder' \
        in log
    assert 'keys are missing (backbone.' in log
    assert 'keys of the checkpoint are unexpected (backbone.' in log
    assert 'to load the matching weights anyway, pass --non-strict' in log

    result = run([
        'tools/test.py',
        str(PSPNET), unet_checkpoint, '--work-dir',
        str(tmp_path / 'non_strict'), '--non-strict'
    ] + SMALL_TEST)
    assert result.returncode == 0, result.stdout[-3000:]
    assert 'mIoU: ' in result.stdout
    # mmengine names what it did not load.
    assert 'missing keys in source state_dict' in result.stdout


def test_tools_test_evaluates_the_matching_checkpoint(camvid_root,
                                                      segmentor_checkpoint,
                                                      tmp_path):
    result = run([
        'tools/test.py',
        str(PSPNET), segmentor_checkpoint, '--work-dir',
        str(tmp_path / 'work')
    ] + SMALL_TEST)
    assert result.returncode == 0, result.stdout[-3000:]
    assert 'mIoU: ' in result.stdout
    assert 'missing keys' not in result.stdout
    assert 'unexpected key' not in result.stdout


def load_tool(path: Path):
    import importlib.util
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_refine_labels_refuses_a_pspnet_checkpoint(fasseg_root,
                                                   segmentor_checkpoint,
                                                   tmp_path, monkeypatch):
    refine_labels = load_tool(REPO_ROOT / 'tools/refine_labels.py')
    args = [
        'refine_labels.py',
        str(REFINER), segmentor_checkpoint, '--images',
        str(Path(fasseg_root, 'images/test')), '--coarse',
        str(Path(fasseg_root, 'coarse/test')), '--out',
        str(tmp_path / 'out'), '--palette', 'fasseg'
    ]
    monkeypatch.setattr(sys, 'argv', args)
    with pytest.raises(
            CheckpointMismatchError,
            match=r'pspnet_r18_camvid_init.pth` does not match the model '
            r'CoarseToFineSegmentor.*keys are missing.*unexpected.*'
            r'Fix: .*pass --non-strict'):
        refine_labels.main()
    assert list((tmp_path / 'out').iterdir()) == []


def test_web_demo_refuses_a_unet_checkpoint(camvid_root, unet_checkpoint,
                                            monkeypatch):
    cli = load_tool(REPO_ROOT / 'demo/web_demo.py')
    monkeypatch.setattr(
        sys, 'argv',
        ['web_demo.py',
         str(PSPNET), unet_checkpoint, '--port', '0'])
    with pytest.raises(
            SystemExit,
            match=r'^web_demo.py: error: The checkpoint .*unet_camvid_init'
            r'.pth` does not match the model EncoderDecoder'):
        cli.main()


def half_without(checkpoint: str, prefix: str, out: Path):
    return run([
        'tools/model_converters/half_checkpoint.py', checkpoint,
        str(out), '--drop', prefix
    ])


def test_tools_test_evaluates_a_half_checkpoint_without_auxiliary_head(
        camvid_root, segmentor_checkpoint, tmp_path):
    """What the GPU benchmark sends back: float16, no auxiliary head, still
    evaluated strictly; the auxiliary head is the one module let go."""
    import torch
    out = tmp_path / 'half.pth'
    result = half_without(segmentor_checkpoint, 'auxiliary_head.', out)
    assert result.returncode == 0, result.stdout[-3000:]
    written = torch.load(out, map_location='cpu', weights_only=False)
    state = written['state_dict']
    assert not any(key.startswith('auxiliary_head.') for key in state)
    assert any(key.startswith('decode_head.') for key in state)
    floats = [v for v in state.values() if v.is_floating_point()]
    assert floats and all(v.dtype == torch.float16 for v in floats)
    assert written['meta']['dropped'] == ['auxiliary_head.']
    result = run([
        'tools/test.py',
        str(PSPNET),
        str(out), '--work-dir',
        str(tmp_path / 'work')
    ] + SMALL_TEST)
    assert result.returncode == 0, result.stdout[-3000:]
    assert 'mIoU: ' in result.stdout
    assert 'auxiliary_head.' in result.stdout  # the skipped keys, logged

    # Without the decode head, which inference runs, it is refused.
    out = tmp_path / 'no_decode_head.pth'
    assert half_without(segmentor_checkpoint, 'decode_head.',
                        out).returncode == 0
    result = run([
        'tools/test.py',
        str(PSPNET),
        str(out), '--work-dir',
        str(tmp_path / 'refused')
    ] + SMALL_TEST)
    assert result.returncode != 0
    assert 'keys are missing (decode_head.' in result.stdout
    assert 'mIoU' not in result.stdout


def test_half_checkpoint_refuses_a_prefix_of_no_key(segmentor_checkpoint,
                                                    tmp_path):
    result = half_without(segmentor_checkpoint, 'auxiliary_heads.',
                          tmp_path / 'half.pth')
    assert result.returncode != 0
    assert 'No key of' in result.stdout and 'auxiliary_heads.' in result.stdout
    assert not (tmp_path / 'half.pth').exists()
