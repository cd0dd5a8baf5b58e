"""Coarse-to-fine training (paper section 3.2): G1 alone, then G1 + G2."""
import copy

import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmengine.runner import load_checkpoint

from mmseg_synaug.utils import DataError
from pix2pixhd_tiny import camvid_batch, tiny_pix2pixhd

# G1 of width 8 alone, and the same G1 inside one enhancer of width C'=4
G1 = dict(base_channels=8, num_downsamples=2, num_blocks=1)
G1_G2 = dict(
    base_channels=8,
    num_downsamples=2,
    num_blocks=1,
    num_local_enhancers=1,
    local_base_channels=4,
    num_local_blocks=1)


def _optim(model):
    return OptimWrapperDict(
        generator=OptimWrapper(
            torch.optim.Adam(model.generator.parameters(), lr=1e-3)),
        discriminator=OptimWrapper(
            torch.optim.Adam(model.discriminator.parameters(), lr=1e-3)))


def test_enhanced_generator_has_no_global_output():
    """G1's output layer would get no gradient with an enhancer."""
    model = tiny_pix2pixhd(generator=G1_G2)
    assert model.generator.global_output is None
    assert not any(
        key.startswith('generator.global_output')
        for key in model.state_dict())
    out = model.generator(torch.rand(1, 11, 16, 16))
    out.mean().backward()
    unused = [
        name for name, p in model.generator.named_parameters()
        if p.grad is None
    ]
    assert unused == []
    assert tiny_pix2pixhd(generator=G1).generator.global_output is not None


def test_global_checkpoint_loads_into_enhanced_model(tmp_path):
    torch.manual_seed(0)
    coarse = tiny_pix2pixhd(generator=G1)
    path = str(tmp_path / 'g1.pth')
    torch.save(dict(state_dict=coarse.state_dict(), meta={}), path)
    fine = tiny_pix2pixhd(generator=G1_G2)
    before = copy.deepcopy(fine.state_dict())
    # as mmengine's runner loads `load_from`: non-strict
    load_checkpoint(fine, path, map_location='cpu', strict=False)
    torch.testing.assert_close(fine.generator.global_features.state_dict(),
                               coarse.generator.global_features.state_dict())
    torch.testing.assert_close(fine.discriminator.state_dict(),
                               coarse.discriminator.state_dict())
    # the enhancer keeps its initial weights
    for key, value in fine.state_dict().items():
        if key.startswith('generator.enhancer'):
            assert torch.equal(value, before[key])
    # a strict load (evaluation, synthesis) still refuses it: G2 is missing
    with pytest.raises(RuntimeError, match='enhancer'):
        load_checkpoint(
            tiny_pix2pixhd(generator=G1_G2),
            path,
            map_location='cpu',
            strict=True)


def test_other_global_generator_is_refused(tmp_path):
    coarse = tiny_pix2pixhd(generator=dict(G1, num_blocks=2))
    path = str(tmp_path / 'g1.pth')
    torch.save(dict(state_dict=coarse.state_dict(), meta={}), path)
    with pytest.raises(DataError, match=r"differ in \['generator'\]"):
        load_checkpoint(
            tiny_pix2pixhd(generator=G1_G2),
            path,
            map_location='cpu',
            strict=False)
    # and an enhanced checkpoint does not load into G1 alone
    fine = tiny_pix2pixhd(generator=G1_G2)
    torch.save(dict(state_dict=fine.state_dict(), meta={}), path)
    with pytest.raises(DataError):
        load_checkpoint(
            tiny_pix2pixhd(generator=G1),
            path,
            map_location='cpu',
            strict=False)


def test_global_generator_frozen_for_first_iterations(camvid_root):
    torch.manual_seed(0)
    model = tiny_pix2pixhd(generator=G1_G2, freeze_global_iters=2)
    optim = _optim(model)
    data = camvid_batch(camvid_root)
    hub = MessageHub.get_instance('test_coarse_to_fine')
    for iteration, frozen in ((0, True), (1, True), (2, False)):
        hub.update_info('iter', iteration)
        assert model.global_frozen() is frozen
        before = copy.deepcopy(model.generator.state_dict())
        model.train_step(data, optim)
        after = model.generator.state_dict()
        changed = {
            key
            for key in after if not torch.equal(after[key], before[key])
        }
        global_keys = {k for k in after if k.startswith('global_features')}
        assert changed & global_keys == (set() if frozen else global_keys)
        assert any(k.startswith('enhancer') for k in changed)
