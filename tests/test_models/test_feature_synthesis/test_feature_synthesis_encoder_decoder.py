"""FeatureSynthesisEncoderDecoder and its SyntheticFeatureSampler, real
models."""
import os
import sys
from fractions import Fraction

import pytest
import torch
import torch.multiprocessing as mp
from mmengine.optim import OptimWrapper
from mmengine.runner import save_checkpoint

from helpers.feature_synthesis import (GENERATOR, camvid_patches,
                                       featsyn_segmentor)
from mmseg_synaug.models import (FeatureBicycleGAN, SyntheticFeatureSampler,
                                 encoder_modules)
from mmseg_synaug.utils import DataError


@pytest.fixture(scope='module')
def batch(camvid_root):
    return camvid_patches(camvid_root, n=4, crop=64)


@pytest.mark.parametrize('share,batch_size', [(0.3, 8), (0.3, 2), (0.1, 8),
                                              (0.5, 2), (0.3, 1)])
def test_synthetic_samples_are_added_at_the_exact_share(share, batch_size):
    synthesizer = SyntheticFeatureSampler(GENERATOR, synthetic_share=share)
    real = synthetic = 0
    for _ in range(40):
        synthetic += synthesizer.num_synthetic(batch_size)
        real += batch_size
        # Within one sample of the share at every iteration.
        assert 0 <= share * (real + synthetic) - synthetic < 1
    assert synthesizer.realised_share == pytest.approx(synthetic /
                                                       (real + synthetic))
    # Over a whole number of periods the share is exact.
    period = Fraction(str(share)) / (1 - Fraction(str(share)))
    iters = period.denominator
    fresh = SyntheticFeatureSampler(GENERATOR, synthetic_share=share)
    total = sum(fresh.num_synthetic(batch_size) for _ in range(iters))
    assert Fraction(total, total + iters * batch_size) == Fraction(str(share))


def _count_synthetic_per_rank(rank, world, port, out):
    import torch.distributed as dist
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=world)
    synthesizer = SyntheticFeatureSampler(GENERATOR, synthetic_share=0.3)
    counts = torch.tensor([synthesizer.num_synthetic(3) for _ in range(14)])
    gathered = [torch.zeros_like(counts) for _ in range(world)]
    dist.all_gather(gathered, counts)
    if rank == 0:
        torch.save(
            dict(
                counts=torch.stack(gathered),
                share=synthesizer.realised_share), out)
    dist.destroy_process_group()


def test_share_is_exact_over_the_global_batch_of_several_processes(tmp_path):
    """Two real processes (gloo), batch 3 each: global counts, one rule."""
    out = str(tmp_path / 'counts.pt')
    port = 29500 + os.getpid() % 1000
    mp.spawn(
        _count_synthetic_per_rank, args=(2, port, out), nprocs=2, join=True)
    result = torch.load(out)
    counts = result['counts']  # (rank, iteration)
    single = SyntheticFeatureSampler(GENERATOR, synthetic_share=0.3)
    expected = [single.num_synthetic(6) for _ in range(14)]
    # Together the processes add what one process with the global batch
    # adds; each iteration's extra sample goes to the ranks in turn.
    assert counts.sum(0).tolist() == expected
    assert (counts.max(0).values - counts.min(0).values).max() <= 1
    assert abs(int(counts[0].sum()) - int(counts[1].sum())) <= 1
    assert result['share'] == pytest.approx(single.realised_share)
    assert 0 <= 0.3 * (14 * 6 + sum(expected)) - sum(expected) < 1


def test_train_step_adds_the_synthetic_samples_and_logs_the_share(batch):
    torch.manual_seed(0)
    model = featsyn_segmentor(dict(ohnm_interval=2, ohnm_topk=1))
    model.train()
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=1e-3))
    seen = []
    for _ in range(3):
        log_vars = model.train_step(dict(batch), optim)
        seen.append(log_vars)
    # 4 real per iteration, 30%: floor(3/7 * 4k) = 1, 3, 5 synthetic.
    assert model.synthesizer.num_synthetic_seen == 5
    assert float(seen[-1]['synthetic_share']) == pytest.approx(5 / 17)
    assert 'loss_synthetic' in seen[0] and 'decode.loss_ce' in seen[0]
    assert torch.isfinite(torch.as_tensor(seen[-1]['loss_synthetic']))
    # synthetic_share is logged, not optimised.
    loss_sum = sum(
        float(v.detach()) for k, v in seen[-1].items()
        if k.startswith(('decode', 'aux', 'loss_syn')) and 'loss' in k)
    total = float(seen[-1]['loss'].detach())
    assert total == pytest.approx(loss_sum, rel=1e-5)
    # OHNM mined at iteration 3 from the samples of 1 and 2.
    assert model.synthesizer.mined_at == 3
    assert model.synthesizer.last_hard_loss is not None


def test_synthetic_loss_trains_the_rest_not_the_encoder(batch):
    torch.manual_seed(0)
    model = featsyn_segmentor()
    model.synthesizer.prepare(model)
    masks = torch.randint(0, 11, (3, 64, 64))
    masks[0, :8] = 255
    model.train()
    model.zero_grad()
    running = model.backbone.layer4[0].bn1.running_mean.clone()
    features = model.synthesizer.generate(masks)
    assert features.shape == (3, 256, 4, 4)
    loss, per_sample = model.loss_synthetic(features, masks)
    assert torch.isfinite(loss) and loss > 0 and per_sample.shape == (3, )
    loss.backward()
    for module in encoder_modules(model.backbone, 2):
        for name, p in module.named_parameters():
            assert p.grad is None or not p.grad.any(), name
    assert all(p.grad is None for p in model.auxiliary_head.parameters())
    # (Residual branches start at zero, init_cfg of ResNet: the shortcut
    # convolution of layer4 gets the gradient first.)
    assert model.backbone.layer4[0].downsample[0].weight.grad.abs().sum() > 0
    assert model.decode_head.conv_seg.weight.grad.abs().sum() > 0
    # Running statistics are used, not updated, and train mode comes back.
    assert torch.equal(model.backbone.layer4[0].bn1.running_mean, running)
    assert model.backbone.layer4[0].bn1.training


def test_synthetic_loss_reduces_as_the_loss_module_does():
    torch.manual_seed(0)
    model = featsyn_segmentor()
    model.eval()
    masks = torch.randint(0, 11, (2, 64, 64))
    masks[1, 10:] = 255
    features = torch.rand(2, 256, 4, 4)
    loss, per_sample = model.loss_synthetic(features, masks)
    logits = model.logits_from_stage(features, (64, 64))
    is_synthetic = torch.ones(2, dtype=torch.bool)
    reference = model.synthetic_loss(
        logits, masks, ignore_index=255, is_synthetic=is_synthetic)
    torch.testing.assert_close(loss, reference)
    for i in range(2):
        one = model.synthetic_loss(
            logits[i:i + 1],
            masks[i:i + 1],
            ignore_index=255,
            is_synthetic=is_synthetic[:1])
        torch.testing.assert_close(per_sample[i], one)


def test_the_synthetic_path_reads_nothing_back_to_the_host(batch, monkeypatch):
    """No .item(), .tolist(), bool() or .cpu() of a tensor: no host sync."""
    model = featsyn_segmentor(dict(ohnm_interval=1, ohnm_topk=2))
    model.train()
    model.synthesizer.prepare(model)
    masks = torch.randint(0, 11, (4, 64, 64))

    def refuse(name):

        def call(*args, **kwargs):
            raise AssertionError(f'Tensor.{name} in the synthetic path')

        return call

    for name in ('item', 'tolist', '__bool__', 'cpu', 'numpy'):
        monkeypatch.setattr(torch.Tensor, name, refuse(name))
    for _ in range(3):
        features, layouts = model.synthesizer.synthesize(masks)
        loss, per_sample = model.loss_synthetic(features, layouts)
        model.synthesizer.record(layouts, per_sample.detach())
    monkeypatch.undo()
    assert model.synthesizer.mined_at == 3


@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs CUDA')
def test_no_host_synchronisation_on_the_gpu(batch):
    model = featsyn_segmentor(dict(ohnm_interval=1, ohnm_topk=2)).cuda()
    model.train()
    model.synthesizer.prepare(model)
    masks = torch.randint(0, 11, (4, 64, 64), device='cuda')
    model.synthesizer.generate(masks)  # moves the generator: a copy
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode('error')
    try:
        with torch.autocast('cuda', dtype=torch.float16):
            for _ in range(3):
                features, layouts = model.synthesizer.synthesize(masks)
                loss, per_sample = model.loss_synthetic(features, layouts)
                model.synthesizer.record(layouts, per_sample.detach())
        assert features.dtype == torch.float16  # generator under autocast
    finally:
        torch.cuda.set_sync_debug_mode('default')


def test_ohnm_brings_the_highest_loss_layouts_back_first():
    synthesizer = SyntheticFeatureSampler(
        GENERATOR, ohnm_interval=10, ohnm_pool_size=10, ohnm_topk=3)
    values = torch.tensor([4, 9, 1, 7, 0, 8, 2, 5, 3, 6])
    layouts = values.view(-1, 1, 1).expand(-1, 8, 8).clone()
    synthesizer.record(layouts[:6], values[:6].float())
    synthesizer.record(layouts[6:], values[6:].float())
    assert float(synthesizer.mine()) == pytest.approx((9 + 8 + 7) / 3)
    batch_masks = torch.full((4, 8, 8), 10)
    drawn = synthesizer.sample_layouts(2, batch_masks)
    assert drawn[:, 0, 0].tolist() == [9, 8]
    drawn = synthesizer.sample_layouts(3, batch_masks)
    assert drawn[:, 0, 0].tolist() == [7, 10, 10]
    # The pool was emptied by the mining.
    assert synthesizer.mine() is None


def test_generator_checkpoint_loads_strictly(tmp_path):
    gan = FeatureBicycleGAN(
        generator=GENERATOR,
        encoder=dict(type='FeatureEncoder', in_channels=256, channels=(8, )),
        discriminator=dict(
            type='FeatureDiscriminator',
            num_classes=11,
            feature_channels=256,
            downsample_factor=16,
            layout_channels=8,
            channels=(8, )))
    path = str(tmp_path / 'featgan.pth')
    save_checkpoint(dict(state_dict=gan.state_dict()), path)
    generator = SyntheticFeatureSampler(GENERATOR, path).build_generator()
    for key, value in gan.generator.state_dict().items():
        assert torch.equal(generator.state_dict()[key], value), key
    other = dict(GENERATOR, unet_channels=(8, 8))
    with pytest.raises(DataError, match='not a checkpoint of this'):
        SyntheticFeatureSampler(other, path).build_generator()
    with pytest.raises(DataError, match='generator checkpoint'):
        SyntheticFeatureSampler(GENERATOR, 'no/such.pth').build_generator()
    with pytest.raises(ValueError, match='synthetic_share'):
        SyntheticFeatureSampler(GENERATOR, synthetic_share=1.0)


def test_a_generator_of_another_stage_is_refused():
    model = featsyn_segmentor(
        dict(generator=dict(GENERATOR, feature_channels=128)))
    with pytest.raises(ValueError, match='128-channel'):
        model.synthesizer.prepare(model)


if __name__ == '__main__':
    sys.exit(pytest.main([__file__]))


def test_the_name_before_the_rename_still_builds():
    """Configs written with type='FeatureSynthesizer' keep working."""
    from mmseg.registry import TASK_UTILS
    for name in ('SyntheticFeatureSampler', 'FeatureSynthesizer'):
        built = TASK_UTILS.build(
            dict(type=name, generator=GENERATOR, ohnm_interval=0))
        assert isinstance(built, SyntheticFeatureSampler)
