"""VGGPerceptualLoss: local weights only, clear errors when absent."""
import pytest
import torch

from mmseg_synaug.models.losses import VGGPerceptualLoss
from mmseg_synaug.utils import DataError

LAYERS = dict(relu1_1=1.0, relu2_1=0.5)


def test_missing_weights_name_the_option(tmp_path):
    missing = str(tmp_path / 'vgg19.pth')
    with pytest.raises(
            DataError,
            match=r'model\.perceptual_loss\.pretrained=.*'
            r'vgg19\.pth.*never downloaded'):
        VGGPerceptualLoss(pretrained=missing)
    with pytest.raises(DataError, match='perceptual_loss.pretrained` is None'):
        VGGPerceptualLoss(pretrained=None)


def test_loads_local_torchvision_state_dict(tmp_path):
    source = VGGPerceptualLoss(
        None, layer_weights=LAYERS, allow_random_weights=True)
    path = str(tmp_path / 'vgg19.pth')
    # torchvision's vgg19 state dict names the layers features.N.*
    torch.save(
        {
            f'features.{k}': v
            for k, v in source.features.state_dict().items()
        }, path)
    loaded = VGGPerceptualLoss(path, layer_weights=LAYERS)
    torch.testing.assert_close(loaded.features.state_dict(),
                               source.features.state_dict())
    torch.save({'not_vgg': torch.zeros(1)}, path)
    with pytest.raises(DataError, match='not a torchvision VGG19'):
        VGGPerceptualLoss(path, layer_weights=LAYERS)


def test_loss_values_random_weights():
    # Test-only path: random VGG weights, explicitly allowed.
    loss = VGGPerceptualLoss(
        None,
        layer_weights=LAYERS,
        allow_random_weights=True,
        loss_weight=10.0)
    x = torch.rand(2, 3, 32, 32) * 2 - 1
    assert loss(x, x) == 0
    pred = (x + 0.3).clamp(-1, 1).requires_grad_()
    value = loss(pred, x)
    assert torch.isfinite(value) and value > 0
    value.backward()
    assert pred.grad is not None
    assert all(p.grad is None for p in loss.features.parameters())
    loss.train()
    assert not loss.features.training


def test_reference_layer_weights_by_default():
    """relu1_1 ... relu5_1 weighed 1/32, 1/16, 1/8, 1/4, 1."""
    loss = VGGPerceptualLoss(None, allow_random_weights=True)
    assert loss.layer_weights == {
        1: 1 / 32,
        6: 1 / 16,
        11: 1 / 8,
        20: 1 / 4,
        29: 1.0
    }
    assert not loss.imagenet_norm


@pytest.mark.parametrize('imagenet_norm', [False, True])
def test_input_normalisation(imagenet_norm):
    """[-1, 1] into the VGG as the reference does, or ImageNet's (flag)."""
    torch.manual_seed(0)
    loss = VGGPerceptualLoss(
        None,
        layer_weights=dict(relu1_1=1 / 32, relu2_1=1 / 16),
        allow_random_weights=True,
        loss_weight=10.0,
        imagenet_norm=imagenet_norm)
    pred = torch.rand(1, 3, 16, 16) * 2 - 1
    target = torch.rand(1, 3, 16, 16) * 2 - 1

    def prepare(x):
        if not imagenet_norm:
            return x
        mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
        std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
        return ((x + 1) / 2 - mean) / std

    def relu(x, index):
        return loss.features[:index + 1](prepare(x))

    expected = 10.0 * sum(
        weight * torch.nn.functional.l1_loss(relu(pred, i), relu(target, i))
        for i, weight in ((1, 1 / 32), (6, 1 / 16)))
    torch.testing.assert_close(loss(pred, target), expected)
