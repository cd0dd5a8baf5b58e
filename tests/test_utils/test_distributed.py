"""Every GAN model trains under torchrun: 2 CPU processes with gloo.

Each model (Pix2PixHD, the feature generator, the adversarial segmentor)
trains 2 iterations through ``tools/dist_train.sh`` from a tiny config
inheriting its real one. A probe hook (``dist_probe.py``) records on each
rank, after every iteration, a checksum of every submodule's parameters,
the values the rank computed and the values logged, and the images of its
batch: the ranks must hold identical parameters after every step, see
different images, and log the mean of their values. Rank 0's checkpoint
then resumes in a 1-process and in a 2-process run. Every run is killed
with its whole process group if it fails or outlasts its timeout.
"""
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import List

import pytest
from mmengine.config import Config

from helpers import REPO_ROOT, free_port
from mmseg_synaug.utils.dist import choose_model_wrapper, setup_distributed

PROBE_DIR = Path(__file__).resolve().parent
PIX2PIXHD = (
    REPO_ROOT / 'configs/pix2pixhd/'
    'pix2pixhd_w16-d3-r3_1xb2-2k_camvid-128x128.py')
FEATGAN = (
    REPO_ROOT / 'configs/feature_synthesis/'
    'featgan-s3_pspnet-r18_1xb8-2k_camvid-128x128.py')
ADVERSARIAL = (
    REPO_ROOT / 'configs/adversarial/'
    'pspnet-adv_r18_1xb8-1k_camvid-256x256.py')
PSPNET = REPO_ROOT / 'configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py'
FEATSYN = (
    REPO_ROOT / 'configs/feature_synthesis/'
    'pspnet-featsyn_r18_1xb8-1k_camvid-256x256.py')
TIMEOUT = 600

PROBE = """
custom_imports = dict(
    imports=['mmseg_synaug', 'dist_probe'], allow_failed_imports=False)
randomness = dict(seed=0)
"""
PIPELINE = """[
    dict(type='LoadCheckedImage'),
    dict(type='LoadCheckedAnnotations'),
    dict(type='RandomCrop', crop_size=(64, 64)),
    dict(type='PackSegInputs')]"""


def pix2pixhd_config(tmp_path: Path, iters: int) -> str:
    """Widths 4-16, 2 discriminators, 64 px; the grid hook kept."""
    path = tmp_path / f'pix2pixhd_{iters}.py'
    path.write_text(f"""
_base_ = ['{PIX2PIXHD}']
{PROBE}
train_dataloader = dict(
    batch_size=1, num_workers=0, persistent_workers=False,
    dataset=dict(pipeline={PIPELINE}))
model = dict(
    generator=dict(base_channels=4, num_downsamples=2, num_blocks=1),
    discriminator=dict(base_channels=4, num_scales=2),
    data_preprocessor=dict(size=(64, 64)))
train_cfg = dict(max_iters={iters})
default_hooks = dict(checkpoint=dict(interval=1), logger=dict(interval=1))
custom_hooks = [dict(type='GeneratorGridHook', interval=2, max_samples=1),
                dict(type='DistProbeHook')]
""")
    return str(path)


def featgan_config(tmp_path: Path, iters: int, checkpoint: str) -> str:
    """Widths 8-16, 64 px patches of the frozen PSPNet's stage 3."""
    path = tmp_path / f'featgan_{iters}.py'
    path.write_text(f"""
_base_ = ['{FEATGAN}']
{PROBE}
model = dict(
    data_preprocessor=dict(checkpoint='{checkpoint}', size=(64, 64)),
    generator=dict(layout_channels=8, unet_channels=(8, 16)),
    encoder=dict(channels=(8, 16)),
    discriminator=dict(layout_channels=8, channels=(8, 16)))
train_dataloader = dict(
    batch_size=1, num_workers=0, persistent_workers=False,
    dataset=dict(pipeline={PIPELINE}))
train_cfg = dict(max_iters={iters})
default_hooks = dict(checkpoint=dict(interval=1), logger=dict(interval=1))
custom_hooks = [dict(type='DistProbeHook')]
""")
    return str(path)


def adversarial_config(tmp_path: Path, iters: int) -> str:
    """The CPU adversarial PSPNet on 64 px crops (batch 2 per rank for the
    pyramid pooling's BN), validated at the end."""
    path = tmp_path / f'adversarial_{iters}.py'
    path.write_text(f"""
_base_ = ['{ADVERSARIAL}']
{PROBE}
model = dict(data_preprocessor=dict(size=(64, 64)))
train_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(pipeline={PIPELINE}))
val_dataloader = dict(
    batch_size=1, num_workers=0, persistent_workers=False,
    dataset=dict(indices=2))
test_dataloader = val_dataloader
train_cfg = dict(max_iters={iters}, val_interval=2)
default_hooks = dict(checkpoint=dict(interval=1), logger=dict(interval=1))
custom_hooks = [dict(type='DistProbeHook')]
""")
    return str(path)


def run_training(args: List[str], nproc: int = 2) -> str:
    """Train with ``tools/dist_train.sh`` (or tools/train.py for 1 process).

    The run gets its own process group, killed whole when the run fails or
    outlasts :data:`TIMEOUT`, and swept after a clean exit too.

    Returns:
        str: stdout and stderr of all ranks.
    """
    env = dict(
        os.environ,
        PYTHON=sys.executable,
        PORT=str(free_port()),
        PYTHONUNBUFFERED='1',
        OMP_NUM_THREADS='1',
        PYTHONPATH=os.pathsep.join(
            [str(REPO_ROOT),
             str(PROBE_DIR),
             os.environ.get('PYTHONPATH', '')]))
    if nproc == 1:
        command = [sys.executable, 'tools/train.py'] + args
    else:
        command = ['bash', 'tools/dist_train.sh', args[0], str(nproc)]
        command += args[1:]
    proc = subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True)
    try:
        output, _ = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        pytest.fail(f'{command} outlasted {TIMEOUT} s:\n{output[-6000:]}')
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    if proc.returncode != 0:
        pytest.fail(f'{command} failed ({proc.returncode}):\n'
                    f'{output[-6000:]}')
    return output


def read_probe(work_dir: Path, rank: int) -> List[dict]:
    lines = (work_dir / f'probe_rank{rank}.jsonl').read_text().splitlines()
    return [json.loads(line) for line in lines]


def check_two_ranks(work_dir: Path, iters: int, submodules: set) -> None:
    """Identical parameters after every step, own shards, mean logs."""
    ranks = [read_probe(work_dir, rank) for rank in (0, 1)]
    assert [r['iter'] for r in ranks[0]] == list(range(iters + 1))
    assert [r['iter'] for r in ranks[1]] == list(range(iters + 1))
    assert set(ranks[0][0]['params']) >= submodules
    for first, second in zip(*ranks):
        # Every rank holds the same parameters, before and after each step.
        assert first['params'] == second['params'], first['iter']
    for name in submodules:
        assert ranks[0][0]['params'][name] != ranks[0][-1]['params'][name], \
            f'{name} did not train'
    seen = [{img for r in rank[1:] for img in r['images']} for rank in ranks]
    assert seen[0] and seen[1] and not seen[0] & seen[1], \
        'the ranks did not see disjoint shards of the data'
    for first, second in zip(ranks[0][1:], ranks[1][1:]):
        assert first['logged'] == second['logged']
        assert first['local'] != second['local']
        for key, local in first['local'].items():
            mean = (local + second['local'][key]) / 2
            assert first['logged'][key] == pytest.approx(
                mean, rel=1e-5, abs=1e-6), key
    # The logger (rank 0) writes these means; mmengine's LogProcessor
    # averages the losses over its window of 10 iterations and writes the
    # current value of anything else.
    scalars = sorted(work_dir.glob('*/vis_data/scalars.json'))[-1]
    written = [json.loads(line) for line in scalars.read_text().splitlines()]
    for entry in (e for e in written if 'iter' in e and 'time' in e):
        reduced = [r['logged'] for r in ranks[0][1:entry['iter'] + 1]]
        compared = set(entry) & set(reduced[-1])
        assert any(key.startswith('loss') for key in compared), compared
        for key in compared:
            expected = reduced[-1][key]
            if 'loss' in key:
                expected = sum(r[key] for r in reduced) / len(reduced)
            assert entry[key] == pytest.approx(expected, rel=1e-4), key


def check_resumes(tmp_path: Path, work_dir: Path, make_config, iters: int,
                  submodules: set) -> None:
    """Rank 0's checkpoint resumes in a 1- and in a 2-process run."""
    for nproc in (1, 2):
        resumed = tmp_path / f'resumed_{nproc}'
        resumed.mkdir()
        checkpoint = resumed / f'iter_{iters}.pth'
        shutil.copy(work_dir / f'iter_{iters}.pth', checkpoint)
        (resumed / 'last_checkpoint').write_text(str(checkpoint))
        output = run_training(
            [make_config(iters + 1), '--work-dir',
             str(resumed), '--resume'], nproc)
        assert f'Iter(train) [{iters + 1}/{iters + 1}]' in output
        assert 'Iter(train) [1/' not in output
        probe = read_probe(resumed, 0)
        # The resumed run starts from the saved parameters.
        saved = read_probe(work_dir, 0)[-1]['params']
        assert probe[0]['iter'] == iters
        for name in submodules:
            assert probe[0]['params'][name] == pytest.approx(
                saved[name], rel=1e-9)
        if nproc == 2:
            assert read_probe(resumed, 1)[-1]['params'] == probe[-1]['params']


def test_wrapper_chosen_from_the_model(tmp_path):
    """Own train_step: each submodule wrapped; else one DDP; cfg wins."""
    c2f = REPO_ROOT / 'configs/coarse_to_fine'
    refiner = c2f / 'coarse-to-fine_unet-s5-d16_1xb4-0.4k_fasseg-256x256.py'
    refiner_disc = c2f / ('coarse-to-fine-disc-half-fine_unet-s5-d16_1xb4-'
                          '0.4k_fasseg-256x256.py')
    for config, expected in ((PIX2PIXHD, 'Separate'), (FEATGAN, 'Separate'),
                             (ADVERSARIAL, 'Separate'), (PSPNET, 'LogMean'),
                             (refiner, 'LogMean'), (refiner_disc, 'Separate')):
        cfg = Config.fromfile(str(config))
        assert expected in choose_model_wrapper(cfg), config
    cfg = Config.fromfile(str(ADVERSARIAL))
    cfg.launcher = 'none'
    setup_distributed(cfg)
    assert cfg.get('model_wrapper_cfg') is None  # single process: untouched
    cfg.launcher = 'pytorch'
    cfg.model_wrapper_cfg = dict(type='MMSeparateDistributedDataParallel')
    cfg.model_wrapper_cfg['device_ids'] = None
    cfg.launcher = 'none'  # keep this test's process out of gloo
    setup_distributed(cfg)
    assert cfg.model_wrapper_cfg['type'] == 'MMSeparateDistributedDataParallel'


def test_pix2pixhd_two_processes(camvid_root, tmp_path):
    work_dir = tmp_path / 'work'

    def make_config(iters):
        return pix2pixhd_config(tmp_path, iters)

    output = run_training([make_config(2), '--work-dir', str(work_dir)])
    assert 'rank 1/2 uses the gloo backend' in output
    assert 'SeparateDistributedDataParallel' in output
    assert 'Iter(train) [2/2]' in output
    submodules = {'generator', 'discriminator'}
    check_two_ranks(work_dir, 2, submodules)
    assert list(work_dir.glob('generator_grids/*')), \
        'the generator grid hook wrote nothing'
    check_resumes(tmp_path, work_dir, make_config, 2, submodules)


def test_pix2pixhd_coarse_to_fine_frozen_g1(camvid_root, tmp_path):
    """G1 frozen for the first step (no gradient): still in sync."""
    config = tmp_path / 'c2f.py'
    config.write_text(
        Path(pix2pixhd_config(tmp_path, 2)).read_text() + """
model = dict(
    generator=dict(num_local_enhancers=1, local_base_channels=4),
    freeze_global_iters=1)
custom_hooks = [dict(type='DistProbeHook')]
""")
    work_dir = tmp_path / 'work'
    output = run_training([str(config), '--work-dir', str(work_dir)])
    assert 'find_unused_parameters=True' in output
    check_two_ranks(work_dir, 2, {'generator', 'discriminator'})


def test_feature_generator_two_processes(camvid_root, tmp_path,
                                         segmentor_checkpoint):
    work_dir = tmp_path / 'work'

    def make_config(iters):
        return featgan_config(tmp_path, iters, segmentor_checkpoint)

    output = run_training([make_config(2), '--work-dir', str(work_dir)])
    assert 'SeparateDistributedDataParallel' in output
    submodules = {'generator', 'encoder', 'discriminator'}
    check_two_ranks(work_dir, 2, submodules)
    check_resumes(tmp_path, work_dir, make_config, 2, submodules)


def test_adversarial_segmentor_two_processes(camvid_root, tmp_path):
    work_dir = tmp_path / 'work'

    def make_config(iters):
        return adversarial_config(tmp_path, iters)

    output = run_training([make_config(2), '--work-dir', str(work_dir)])
    assert 'SeparateDistributedDataParallel' in output
    assert 'mIoU: ' in output  # validation through the wrapped submodules
    submodules = {'backbone', 'decode_head', 'auxiliary_head', 'discriminator'}
    check_two_ranks(work_dir, 2, submodules)
    check_resumes(tmp_path, work_dir, make_config, 2, submodules)


def test_segmentor_two_processes_log_the_mean(camvid_root, tmp_path):
    """A segmentor (one DDP): identical steps, own shards, mean logs."""
    config = tmp_path / 'pspnet.py'
    config.write_text(f"""
_base_ = ['{PSPNET}']
{PROBE}
model = dict(data_preprocessor=dict(size=(64, 64)))
train_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(pipeline={PIPELINE}))
train_cfg = dict(max_iters=2, val_interval=100)
default_hooks = dict(checkpoint=dict(interval=2), logger=dict(interval=1))
custom_hooks = [dict(type='DistProbeHook')]
""")
    work_dir = tmp_path / 'work'
    output = run_training([str(config), '--work-dir', str(work_dir)])
    assert 'DistributedDataParallelLogMean' in output
    check_two_ranks(work_dir, 2, {'backbone', 'decode_head', 'auxiliary_head'})


def test_feature_synthesis_finetuning_two_processes(camvid_root, tmp_path,
                                                    segmentor_checkpoint):
    """Fine-tuning with synthetic features (one DDP): identical steps."""
    config = tmp_path / 'featsyn.py'
    config.write_text(f"""
_base_ = ['{FEATSYN}']
{PROBE}
load_from = '{segmentor_checkpoint}'
model = dict(
    data_preprocessor=dict(size=(128, 128)),
    synthesizer=dict(generator_checkpoint=None))
train_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(pipeline={PIPELINE.replace('64, 64', '128, 128')}))
train_cfg = dict(max_iters=2, val_interval=100)
default_hooks = dict(checkpoint=dict(interval=2), logger=dict(interval=1))
custom_hooks = [
    dict(type='FeatureSynthesisHook'), dict(type='DistProbeHook')]
""")
    work_dir = tmp_path / 'work'
    output = run_training([str(config), '--work-dir', str(work_dir)])
    assert 'DistributedDataParallelLogMean' in output
    check_two_ranks(work_dir, 2, {'backbone', 'decode_head', 'auxiliary_head'})
    scalars = sorted(work_dir.glob('*/vis_data/scalars.json'))[-1]
    assert 'synthetic_share' in scalars.read_text()


def test_ranks_drifting_apart_stop_the_run(camvid_root, tmp_path):
    """A submodule used behind DDP's back: the run stops, naming it."""
    config = tmp_path / 'drift.py'
    config.write_text(f"""
_base_ = ['{PSPNET}']
{PROBE}
model = dict(
    _delete_=True, type='DriftProbeModel',
    data_preprocessor=dict(type='SegDataPreProcessor', size=(64, 64)))
train_dataloader = dict(
    batch_size=1, num_workers=0, persistent_workers=False,
    dataset=dict(pipeline={PIPELINE}))
train_cfg = dict(max_iters=2, val_interval=100)
val_dataloader = None
val_cfg = None
val_evaluator = None
test_dataloader = None
test_cfg = None
test_evaluator = None
optim_wrapper = dict(_delete_=True, optimizer=dict(type='SGD', lr=0.1))
param_scheduler = []
""")
    with pytest.raises(pytest.fail.Exception) as failure:
        run_training([str(config), '--work-dir', str(tmp_path / 'work')])
    message = str(failure.value)
    assert "After step 1 the parameters of ['b'] differ across ranks" \
        in message, message[-3000:]


def test_sync_bn_becomes_bn_on_cpu_processes(monkeypatch):
    """torch's SyncBatchNorm is GPU-only: CPU ranks get BN, and say so."""
    import torch
    import torch.distributed as dist
    if torch.cuda.is_available():
        pytest.skip('SyncBN stays SyncBN on GPUs')
    for key, value in dict(
            MASTER_ADDR='127.0.0.1',
            MASTER_PORT=str(free_port()),
            RANK='0',
            WORLD_SIZE='1',
            LOCAL_RANK='0').items():
        monkeypatch.setenv(key, value)
    cfg = Config.fromfile(str(ADVERSARIAL))
    cfg.launcher = 'pytorch'
    cfg.model.backbone.norm_cfg = dict(type='SyncBN', requires_grad=True)
    cfg.sync_bn = 'torch'
    try:
        setup_distributed(cfg)
        assert dist.get_backend() == 'gloo'
    finally:
        if dist.is_initialized():
            dist.destroy_process_group()
    assert cfg.model.backbone.norm_cfg['type'] == 'BN'
    assert cfg.sync_bn is None
    assert cfg.model_wrapper_cfg['type'].endswith(
        'SeparateDistributedDataParallel')
    assert cfg.model_wrapper_cfg['device_ids'] is None
