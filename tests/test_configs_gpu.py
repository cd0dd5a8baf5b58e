"""The GPU-scale CamVid configs: stride-8 PSPNet-R18, full-resolution crops,
batch 16, AMP, and the variants that inherit the baseline."""
import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmseg.registry import MODELS

from helpers import REPO_ROOT

SCALE = 'r18-d8_1xb16-2k_camvid-352x480.py'
BASELINE = f'configs/pspnet/pspnet_{SCALE}'
MIXES = {
    'copypaste-multi': 'camvid_multi_copypaste',
    'synaug-multi-r05': 'camvid_multi',
    'synaug-reconstruct-r05': 'camvid_reconstruct',
}
ADVERSARIAL = f'configs/adversarial/pspnet-adv_{SCALE}'


def load(path: str) -> Config:
    return Config.fromfile(REPO_ROOT / path)


def test_baseline_is_stride_8_at_full_resolution():
    cfg = load(BASELINE)
    assert cfg.model.pretrained is None
    assert cfg.train_dataloader.batch_size == 16
    assert cfg.train_dataloader.dataset.pipeline[3].crop_size == (352, 480)
    assert cfg.model.data_preprocessor.size == (352, 480)
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.optim_wrapper.optimizer.lr == 0.02
    assert cfg.param_scheduler[0].type == 'PolyLR'
    assert cfg.param_scheduler[0].end == cfg.train_cfg.max_iters == 2000
    assert cfg.train_cfg.val_interval == 1000  # mid-way and at the end
    model = MODELS.build(cfg.model).eval()
    with torch.no_grad():
        features = model.backbone(torch.zeros(1, 3, 64, 96))
    assert features[-1].shape == (1, 512, 8, 12)  # output stride 8
    assert model.decode_head.num_classes == 11


@pytest.mark.parametrize('method', sorted(MIXES))
def test_mixes_inherit_the_baseline(method: str):
    cfg = load(f'configs/synaug/pspnet-{method}_{SCALE}')
    dataset = cfg.train_dataloader.dataset
    assert dataset.type == 'SyntheticMixDataset'
    assert dataset.synthetic_ratio == 0.5
    assert dataset.synthetic.data_root.endswith(MIXES[method])
    for part in (dataset.real, dataset.synthetic):
        assert part.pipeline[3].crop_size == (352, 480)
    assert cfg.train_dataloader.batch_size == 16
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'
    assert cfg.model == load(BASELINE).model


def test_adversarial_variant_builds_with_amp():
    cfg = load(ADVERSARIAL)
    model = MODELS.build(cfg.model)
    assert type(model).__name__ == 'AdversarialEncoderDecoder'
    assert cfg.model.backbone == load(BASELINE).model.backbone
    expected = 'AmpOptimWrapper'
    if not torch.cuda.is_available():
        # mmengine builds AmpOptimWrapper only where a GPU is: check the
        # constructor with plain wrappers here.
        assert cfg.optim_wrapper.segmentor.type == expected
        assert cfg.optim_wrapper.discriminator.type == expected
        expected = 'OptimWrapper'
        for key in ('segmentor', 'discriminator'):
            cfg.optim_wrapper[key].type = expected
            cfg.optim_wrapper[key].pop('loss_scale')
    wrappers = build_optim_wrapper(model, cfg.optim_wrapper)
    assert {
        k: type(w).__name__
        for k, w in wrappers.items()
    } == {
        'segmentor': expected,
        'discriminator': expected
    }
    assert type(wrappers['segmentor'].optimizer).__name__ == 'SGD'
