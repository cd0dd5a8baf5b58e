"""VGG backbone: strides, dilations, torchvision's layer numbering and
pretrained weights from a local file only."""
import pytest
import torch

from mmseg_synaug.models import VGG


def test_vgg16_stage_outputs():
    model = VGG(depth=16, out_indices=(0, 2, 4))
    outs = model(torch.randn(1, 3, 64, 64))
    assert [tuple(o.shape) for o in outs] == [(1, 64, 32, 32), (1, 256, 8, 8),
                                              (1, 512, 2, 2)]
    # 13 convolutions, numbered as torchvision's vgg16().features.
    convs = [
        name for name, m in model.features.named_children()
        if isinstance(m, torch.nn.Conv2d)
    ]
    assert len(convs) == 13
    assert convs[:3] == ['0', '2', '5'] and convs[-1] == '28'


def test_largefov_output_stride_8():
    model = VGG(
        strides=(2, 2, 2, 1, 1), dilations=(1, 1, 1, 1, 2), out_indices=(4, ))
    (out, ) = model(torch.randn(1, 3, 64, 64))
    assert out.shape == (1, 512, 8, 8)
    assert model.features[24].dilation == (2, 2)


def test_norm_layers():
    model = VGG(depth=11, norm_cfg=dict(type='BN'))
    assert any(isinstance(m, torch.nn.BatchNorm2d) for m in model.modules())
    assert model(torch.randn(2, 3, 32, 32))[0].shape == (2, 512, 1, 1)


def test_pretrained_from_local_file(tmp_path):
    source = VGG(depth=11)
    state = {
        f'features.{k}': v
        for k, v in source.features.state_dict().items()
    }
    state['classifier.0.weight'] = torch.zeros(1)  # torchvision's extras
    path = tmp_path / 'vgg11.pth'
    torch.save(state, path)
    model = VGG(
        depth=11, init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    model.init_weights()
    for key, value in source.state_dict().items():
        assert torch.equal(model.state_dict()[key], value), key


def test_pretrained_missing_or_remote_is_a_clear_error(tmp_path):
    model = VGG(
        init_cfg=dict(
            type='Pretrained', checkpoint=str(tmp_path / 'absent.pth')))
    with pytest.raises(FileNotFoundError, match='init_cfg.checkpoint'):
        model.init_weights()
    model = VGG(
        init_cfg=dict(
            type='Pretrained',
            checkpoint='https://download.pytorch.org/models/vgg16.pth'))
    with pytest.raises(ValueError, match='local file only'):
        model.init_weights()


@pytest.mark.parametrize('kwargs, error', [
    (dict(depth=15), KeyError),
    (dict(strides=(2, 2, 2, 2)), ValueError),
    (dict(strides=(2, 2, 2, 2, 4)), ValueError),
    (dict(out_indices=(5, )), ValueError),
])
def test_bad_arguments(kwargs, error):
    with pytest.raises(error):
        VGG(**kwargs)
