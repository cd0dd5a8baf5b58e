"""tools/train.py on a feature generator, a resume, and feature_score.py."""
import importlib.util

from mmengine.config import Config
from mmengine.runner import Runner

from helpers import REPO_ROOT, run_tool

GENERATOR = REPO_ROOT / ('configs/feature_synthesis/'
                         'featgan-s3_pspnet-r18_1xb8-2k_camvid-128x128.py')


def tiny_generator_config(tmp_path, iters, checkpoint):
    path = tmp_path / f'featgan_{iters}.py'
    path.write_text(f"""
_base_ = ['{GENERATOR}']
crop_size = (64, 64)
widths = (8, 16)
model = dict(
    data_preprocessor=dict(checkpoint='{checkpoint}', size=crop_size),
    generator=dict(layout_channels=8, unet_channels=widths),
    encoder=dict(channels=widths),
    discriminator=dict(layout_channels=8, channels=widths))
train_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False,
    dataset=dict(pipeline=[
        dict(type='LoadCheckedImage'),
        dict(type='LoadCheckedAnnotations'),
        dict(type='RandomCrop', crop_size=crop_size),
        dict(type='PackSegInputs')]))
score_dataloader = dict(
    batch_size=2, num_workers=0,
    dataset=dict(indices=4, pipeline=[
        dict(type='LoadCheckedImage'),
        dict(type='LoadCheckedAnnotations'),
        dict(type='RandomCrop', crop_size=crop_size),
        dict(type='PackSegInputs')]))
train_cfg = dict(max_iters={iters})
default_hooks = dict(
    checkpoint=dict(interval={iters}), logger=dict(interval=1))
randomness = dict(seed=0)
""")
    return str(path)


def load_tool(path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_train_resume_and_score(tmp_path, camvid_root, segmentor_checkpoint):
    """The tool trains 2 iterations; a Runner resumes to 3; scores."""
    work_dir = tmp_path / 'work'
    trained = run_tool([
        'tools/train.py',
        tiny_generator_config(tmp_path, 2, segmentor_checkpoint), '--work-dir',
        str(work_dir), '--cfg-options', 'default_hooks.checkpoint.interval=1'
    ])
    assert 'loss_z' in trained.stdout and 'loss_d' in trained.stdout
    assert (work_dir / 'iter_2.pth').is_file()

    # --resume is the Runner's: the same as the tool does, in-process.
    cfg = Config.fromfile(
        tiny_generator_config(tmp_path, 3, segmentor_checkpoint))
    cfg.work_dir, cfg.resume = str(work_dir), True
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 3
    assert (work_dir / 'iter_3.pth').is_file()

    tool = load_tool(REPO_ROOT / 'tools/analysis_tools/feature_score.py')
    scores = tool.score_features(cfg, str(work_dir / 'iter_3.pth'), 2)
    assert set(scores) == {'real', 'synthetic'}
    for values in scores.values():
        assert 0 <= values['mIoU'] <= 100
        assert 'IoU.Road' in values
