"""tools/train.py on a feature generator, a resume, and feature_score.py."""
import importlib.util

from mmengine.config import Config
from mmengine.runner import Runner
from mmengine.runner.utils import set_random_seed

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
    """The tool trains 2 iterations; a Runner resumes to 3; scores, the
    generator alone with the config's segmentor as the whole checkpoint."""
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
    # --generator-only: the generator from the checkpoint, the segmentor
    # from the config; with the segmentor it was trained on, the same.
    set_random_seed(0)
    full = tool.score_features(cfg, str(work_dir / 'iter_3.pth'), 2)
    set_random_seed(0)
    alone = tool.score_features(
        cfg, str(work_dir / 'iter_3.pth'), 2, generator_only=True)
    assert alone == full
    set_random_seed(0)
    untrained = tool.score_features(cfg, None, 2)
    assert untrained['real'] == full['real']
    assert untrained['synthetic'] != full['synthetic']


REGIME = REPO_ROOT / 'configs/fast_scnn/fast_scnn_1xb8-2k_camvid-256x352.py'
FEATGAN_S0 = REPO_ROOT / ('configs/feature_synthesis/'
                          'featgan-s0_fast-scnn_1xb8-2k_camvid-128x128.py')
FINETUNE = REPO_ROOT / ('configs/feature_synthesis/'
                        'fast_scnn-finetune_1xb8-1k_camvid-256x352.py')
FEATSYN = REPO_ROOT / ('configs/feature_synthesis/'
                       'fast_scnn-featsyn_1xb8-1k_camvid-256x352.py')


def test_regime_pair_shares_the_fine_tuning_schedule():
    plain, featsyn = Config.fromfile(FINETUNE), Config.fromfile(FEATSYN)
    for key in ('train_cfg', 'optim_wrapper', 'param_scheduler', 'load_from',
                'train_dataloader', 'val_dataloader'):
        assert plain[key] == featsyn[key], key
    changed = {
        k
        for k in set(plain.model) | set(featsyn.model)
        if plain.model.get(k) != featsyn.model.get(k)
    }
    assert changed == {'type', 'stage_index', 'synthesizer', 'synthetic_loss'}
    # A tenth of the regime's learning rate, from its 2000-iteration run.
    assert plain.optim_wrapper.optimizer.lr == 0.005
    assert plain.load_from.endswith(
        'fast_scnn_1xb8-2k_camvid-256x352/seed0/iter_2000.pth')


def test_regime_feature_generator_and_fine_tuning(tmp_path, camvid_root):
    """The CPU regime's feature pair through tools/train.py: a Fast-SCNN
    checkpoint, its stage-0 feature generator (1 iteration), then
    fine-tuning with its synthetic features (2 iterations), and from
    another backbone, with the warning that its features are noise there."""
    import torch
    from mmengine.runner.checkpoint import save_checkpoint
    from mmseg.apis import init_model

    from mmseg_synaug.datasets import CamVidDataset

    def initial_segmentor(path):
        save_checkpoint(
            dict(
                state_dict=init_model(str(REGIME), None,
                                      device='cpu').state_dict(),
                meta=dict(dataset_meta=dict(CamVidDataset.METAINFO))),
            str(path))
        return path

    segmentor = initial_segmentor(tmp_path / 'fast_scnn_init.pth')
    config = tmp_path / 'featgan_s0.py'
    config.write_text(
        open(tiny_generator_config(tmp_path, 1, segmentor)).read().replace(
            str(GENERATOR), str(FEATGAN_S0)))
    generator_dir = tmp_path / 'featgan'
    run_tool(['tools/train.py', str(config), '--work-dir', str(generator_dir)])
    generator = generator_dir / 'iter_1.pth'
    assert generator.is_file()

    def fine_tune(load_from, work_dir):
        return run_tool([
            'tools/train.py',
            str(FEATSYN), '--work-dir',
            str(work_dir), '--cfg-options', f'load_from={load_from}',
            f'model.synthesizer.generator={config}',
            f'model.synthesizer.generator_checkpoint={generator}',
            'train_cfg.max_iters=2', 'val_dataloader.dataset.indices=2',
            'train_dataloader.batch_size=4', 'train_dataloader.num_workers=0',
            'train_dataloader.persistent_workers=False',
            'default_hooks.logger.interval=1',
            'train_dataloader.dataset.pipeline.3.crop_size=(64,64)',
            'model.data_preprocessor.size=(64,64)'
        ]).stdout

    output = fine_tune(segmentor, tmp_path / 'featsyn')
    assert 'loss_synthetic' in output
    assert (tmp_path / 'featsyn/iter_2.pth').is_file()
    assert 'trained on the features of another backbone' not in output
    # Another backbone (another seed's initialisation) than the generator
    # learned: trained all the same, with the warning and its fix.
    torch.manual_seed(1)
    output = fine_tune(
        initial_segmentor(tmp_path / 'fast_scnn_other.pth'),
        tmp_path / 'featsyn_other')
    assert 'trained on the features of another backbone' in output
    assert 'data_preprocessor.checkpoint = your load_from' in output
