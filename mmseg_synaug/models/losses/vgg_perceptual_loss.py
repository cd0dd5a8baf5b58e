"""VGG19 perceptual loss from local weights (never downloaded).

Wang et al., CVPR 2018, Eq. (5): ``sum_i 1/M_i ||F^(i)(x) - F^(i)(G(s))||_1``
over layers of a VGG network pretrained on ImageNet. As in the paper's
reference implementation, the layers relu1_1 ... relu5_1 are weighted
1/32, 1/16, 1/8, 1/4, 1, and the images enter the VGG as the generator
makes them, in [-1, 1], without ImageNet normalisation (``imagenet_norm``
switches that on).
"""
import os.path as osp
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from ...utils import DataError

__all__ = ['VGGPerceptualLoss', 'VGG19_LAYERS', 'PIX2PIXHD_LAYER_WEIGHTS']

#: Indices of the ReLU outputs of torchvision's ``vgg19().features``.
VGG19_LAYERS = dict(relu1_1=1, relu2_1=6, relu3_1=11, relu4_1=20, relu5_1=29)

#: The layer weights of the paper's reference implementation.
PIX2PIXHD_LAYER_WEIGHTS = dict(
    relu1_1=1 / 32, relu2_1=1 / 16, relu3_1=1 / 8, relu4_1=1 / 4, relu5_1=1.0)

_FIX = ('Put torchvision VGG19 ImageNet weights (e.g. vgg19-dcbb9e9d.pth, a '
        'state dict of torchvision.models.vgg19) on this machine and set '
        '`model.perceptual_loss.pretrained` to their path, or set '
        '`model.perceptual_loss.loss_weight=0` (or None) to train without '
        'the perceptual loss.')


class VGGPerceptualLoss(nn.Module):
    """L1 distance of VGG19 features of two images in [-1, 1].

    Args:
        pretrained (str, optional): Local file with the weights of
            torchvision's VGG19 (a state dict with ``features.*`` keys, or
            the ``features`` part alone). Never downloaded.
        layer_weights (dict, optional): Weight of each layer, by name of
            :data:`VGG19_LAYERS`. Defaults to
            :data:`PIX2PIXHD_LAYER_WEIGHTS` (1/32 for relu1_1 ... 1 for
            relu5_1).
        loss_weight (float): Overall weight (lambda). Defaults to 10.0.
        allow_random_weights (bool): Test-only: with ``pretrained=None``,
            keep random VGG weights instead of raising. Defaults to False.
        loss_name (str): Name in the logs. Defaults to ``'loss_vgg'``.
        imagenet_norm (bool): Map the [-1, 1] images to [0, 1] and
            normalise them with ImageNet's mean and std before the VGG, as
            torchvision's weights were trained. False (the reference's
            behaviour) feeds the [-1, 1] images unchanged. Defaults to
            False.

    Shape:
        - Input: two images of shape (N, 3, H, W) in [-1, 1], RGB.
        - Output: scalar.
    """

    def __init__(self,
                 pretrained: Optional[str],
                 layer_weights: Optional[dict] = None,
                 loss_weight: float = 10.0,
                 allow_random_weights: bool = False,
                 loss_name: str = 'loss_vgg',
                 imagenet_norm: bool = False) -> None:
        super().__init__()
        from torchvision.models.vgg import cfgs, make_layers

        if layer_weights is None:
            layer_weights = PIX2PIXHD_LAYER_WEIGHTS
        unknown = set(layer_weights) - set(VGG19_LAYERS)
        if unknown:
            raise DataError(
                f'VGGPerceptualLoss: unknown layers {sorted(unknown)}.',
                fix=f'Use names of {list(VGG19_LAYERS)}.')
        self.layer_weights = {
            VGG19_LAYERS[name]: float(weight)
            for name, weight in layer_weights.items()
        }
        self.loss_weight = loss_weight
        self.imagenet_norm = imagenet_norm
        self._loss_name = loss_name
        # torchvision's VGG19 feature layers ('E'), without the classifier
        features = make_layers(cfgs['E'])[:max(self.layer_weights) + 1]
        if pretrained is None:
            if not allow_random_weights:
                raise DataError(
                    'The VGG perceptual loss needs pretrained VGG19 weights '
                    'but `model.perceptual_loss.pretrained` is None.',
                    fix=_FIX)
        else:
            self._load(features, pretrained)
        self.features = features.eval()
        for param in self.features.parameters():
            param.requires_grad_(False)
        self.register_buffer(
            'mean',
            torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1),
            persistent=False)
        self.register_buffer(
            'std',
            torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1),
            persistent=False)

    @staticmethod
    def _load(features: nn.Module, path: str) -> None:
        if not osp.isfile(path):
            raise DataError(
                'The VGG19 weights `model.perceptual_loss.pretrained='
                f"'{path}'` do not exist (they are never downloaded).",
                fix=_FIX)
        state = torch.load(path, map_location='cpu', weights_only=True)
        state = state.get('state_dict', state)
        if any(key.startswith('features.') for key in state):
            state = {
                key[len('features.'):]: value
                for key, value in state.items() if key.startswith('features.')
            }
        wanted = features.state_dict()
        missing = [key for key in wanted if key not in state]
        if missing:
            raise DataError(
                f'The VGG19 weights `{path}` lack {missing[:4]}...; they are '
                'not a torchvision VGG19 state dict.',
                fix=_FIX)
        features.load_state_dict({key: state[key] for key in wanted})

    def train(self, mode: bool = True) -> 'VGGPerceptualLoss':
        """Keep the VGG in eval mode."""
        super().train(mode)
        self.features.eval()
        return self

    def _extract(self, x: torch.Tensor) -> dict:
        if self.imagenet_norm:
            x = ((x + 1) / 2 - self.mean) / self.std
        out = {}
        for i, layer in enumerate(self.features):
            x = layer(x)
            if i in self.layer_weights:
                out[i] = x
        return out

    def forward(self, pred: torch.Tensor,
                target: torch.Tensor) -> torch.Tensor:
        pred_features = self._extract(pred)
        with torch.no_grad():
            target_features = self._extract(target)
        loss = sum(
            weight *
            F.l1_loss(pred_features[i].float(), target_features[i].float())
            for i, weight in self.layer_weights.items())
        return self.loss_weight * loss

    @property
    def loss_name(self) -> str:
        return self._loss_name
