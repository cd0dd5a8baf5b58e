"""Bad checkpoints, configs and paths: one short message from the tools.

Each case runs tools/train.py or tools/test.py as a user does (a
subprocess, real files, real CamVid) and checks exit status 1, a short
output without a traceback, and a message naming the file and the fix
(:func:`failing_tool.run_failing_tool`). Most fail before the Runner; those
that fail after it also show that its environment and config dump stays
in the work dir's log file.
"""
import pytest
from failing_tool import run_failing_tool
from mmengine.runner.checkpoint import save_checkpoint

from helpers import REPO_ROOT, run_tool, tiny_config

UNET = REPO_ROOT / 'configs/unet/unet-s5-d16_fcn_1xb8-1k_camvid-256x256.py'
#: Two test images, one process.
SMALL_TEST = [
    'test_dataloader.dataset.indices=2', 'test_dataloader.num_workers=0',
    'test_dataloader.persistent_workers=False'
]


@pytest.fixture(scope='module')
def unet_checkpoint(tmp_path_factory) -> str:
    """An untrained U-Net for CamVid: a checkpoint of another model."""
    from mmseg.apis import init_model
    model = init_model(str(UNET), None, device='cpu')
    path = tmp_path_factory.mktemp('unet') / 'unet_camvid_init.pth'
    save_checkpoint(dict(state_dict=model.state_dict(), meta={}), str(path))
    return str(path)


@pytest.fixture
def config(tmp_path, camvid_root):
    return tiny_config(tmp_path, 1)


@pytest.fixture
def broken(tmp_path, segmentor_checkpoint):
    """A text file named .pth, and a real checkpoint cut to a half."""
    text = tmp_path / 'notes.pth'
    text.write_text('these are notes, not weights\n')
    data = open(segmentor_checkpoint, 'rb').read()
    cut = tmp_path / 'cut.pth'
    cut.write_bytes(data[:len(data) // 2])
    return dict(text=str(text), cut=str(cut))


def log_file(work_dir):
    logs = list(work_dir.glob('*/*.log'))
    assert len(logs) == 1, logs
    return logs[0].read_text()


def test_load_from_of_another_model_is_refused(config, tmp_path,
                                               unet_checkpoint):
    work_dir = tmp_path / 'work'
    output = run_failing_tool([
        'tools/train.py', config, '--work-dir', work_dir, '--cfg-options',
        f'load_from={unet_checkpoint}'
    ])
    assert f'load_from checkpoint `{unet_checkpoint}` does not match the ' \
        'model EncoderDecoder' in output
    assert 'keys are missing (backbone.' in output
    assert 'pass --non-strict' in output
    assert 'Iter(train)' not in output
    # The Runner's dump is in the log file, not on the terminal.
    assert 'System environment' not in output and 'Config:' not in output
    assert 'hooks are in ' in output
    log = log_file(work_dir)
    assert 'System environment' in log and 'Config:' in log

    trained = run_tool([
        'tools/train.py', config, '--work-dir',
        str(tmp_path / 'non_strict'), '--non-strict', '--cfg-options',
        f'load_from={unet_checkpoint}'
    ])
    assert 'Iter(train) [1/1]' in trained.stdout
    assert 'missing keys in source state_dict' in trained.stdout


@pytest.mark.parametrize('kind', ['text', 'cut'])
def test_unreadable_checkpoint(kind, broken, config, tmp_path):
    path = broken[kind]
    output = run_failing_tool(
        ['tools/test.py', config, path, '--work-dir', tmp_path / 'test'])
    assert f'`{path}` is not a readable checkpoint' in output
    assert 'Fix: Pass a .pth file written by tools/train.py' in output
    output = run_failing_tool([
        'tools/train.py', config, '--work-dir', tmp_path / 'train',
        '--cfg-options', f'load_from={path}'
    ])
    assert f'load_from checkpoint `{path}` is not a readable' in output


def test_missing_load_from(config, tmp_path):
    missing = tmp_path / 'no_such.pth'
    output = run_failing_tool([
        'tools/train.py', config, '--work-dir', tmp_path / 'work',
        '--cfg-options', f'load_from={missing}'
    ])
    assert f'load_from `{missing}` does not exist' in output
    assert 'load_from=None' in output


def test_config_errors(config, tmp_path, segmentor_checkpoint):
    syntax = tmp_path / 'syntax.py'
    syntax.write_text(f"_base_ = ['{config}']\nmodel = dict(type='X'\n")
    output = run_failing_tool(
        ['tools/train.py', syntax, '--work-dir', tmp_path / 'work'])
    assert f'Syntax error in `{syntax}`, line 2' in output
    text = tmp_path / 'config.txt'
    text.write_text(open(config).read())
    output = run_failing_tool(['tools/test.py', text, segmentor_checkpoint])
    assert f'`{text}` is not a .py' in output
    output = run_failing_tool([
        'tools/train.py', config, '--work-dir', tmp_path / 'work',
        '--cfg-options', 'train_cfg.max_iters=abc'
    ])
    assert '`train_cfg.max_iters=abc`' in output
    assert 'holds an integer there (1)' in output
    output = run_failing_tool([
        'tools/train.py', config, '--work-dir', tmp_path / 'work',
        '--cfg-options', 'model.type=EncoderDecodr'
    ])
    assert "type='EncoderDecodr', which is not a registered model" in output
    assert 'did you mean EncoderDecoder' in output
    output = run_failing_tool([
        'tools/test.py', config, segmentor_checkpoint, '--work-dir',
        tmp_path / 'test', '--cfg-options', 'test_dataloader.dataset.indices=0'
    ])
    assert 'test_dataloader.dataset.indices=0 selects no sample' in output


def test_output_paths(config, tmp_path, segmentor_checkpoint):
    a_file = tmp_path / 'a_file'
    a_file.write_text('x')
    output = run_failing_tool(['tools/train.py', config, '--work-dir', a_file])
    assert f'--work-dir `{a_file}` is a file' in output
    test = ['tools/test.py', config, segmentor_checkpoint]
    output = run_failing_tool(test + ['--work-dir', a_file])
    assert f'--work-dir `{a_file}` is a file' in output
    output = run_failing_tool(test + ['--out', a_file])
    assert f'--out `{a_file}` is a file' in output
    below_a_file = a_file / 'predictions'
    output = run_failing_tool(test + ['--out', below_a_file])
    assert f'--out `{below_a_file}` cannot be created' in output


def test_failed_evaluation_leaves_no_folder(config, tmp_path, unet_checkpoint):
    work_dir = tmp_path / 'work_dirs' / 'tiny'
    output = run_failing_tool([
        'tools/test.py', config, unet_checkpoint, '--work-dir', work_dir,
        '--cfg-options', *SMALL_TEST
    ])
    assert 'does not match the model EncoderDecoder' in output
    assert not work_dir.exists()


def test_segmentor_checkpoint_of_another_model(tmp_path, camvid_root,
                                               unet_checkpoint):
    """The feature generator's frozen segmentor (loaded at the first batch)
    from a checkpoint of another model: one message naming the option."""
    featgan = (
        REPO_ROOT / 'configs/feature_synthesis/'
        'featgan-s3_pspnet-r18_1xb8-2k_camvid-128x128.py')
    output = run_failing_tool([
        'tools/train.py', featgan, '--work-dir', tmp_path / 'work',
        '--cfg-options',
        f'model.data_preprocessor.checkpoint={unet_checkpoint}',
        'train_dataloader.batch_size=2', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False', 'train_cfg.max_iters=1'
    ],
                              max_lines=None)
    assert 'model.data_preprocessor.checkpoint' in output
    assert f'`{unet_checkpoint}`' in output
    assert 'Iter(train) [1/1]' not in output
