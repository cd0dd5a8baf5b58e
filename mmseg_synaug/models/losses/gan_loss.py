"""LSGAN and discriminator feature-matching losses for multi-scale GANs.

Wang et al., CVPR 2018: the least-squares GAN objective (Mao et al., 2017)
summed over the discriminators, plus the feature-matching loss of Eq. (4),
``sum_k sum_i 1/N_i ||D_k^(i)(s, x) - D_k^(i)(s, G(s))||_1``, with each term
scaled by ``1/num_D * 4/(n_layers_D + 1)`` as the paper's reference
implementation does (so that lambda = 10 means the same whatever the number
of discriminators and of their layers).
"""
from typing import List, Sequence

import torch
import torch.nn.functional as F

__all__ = ['lsgan_loss', 'multiscale_lsgan_loss', 'feature_matching_loss']


def lsgan_loss(pred: torch.Tensor, target_is_real: bool) -> torch.Tensor:
    """Least-squares GAN loss: mean of ``(pred - target) ** 2``.

    Args:
        pred (torch.Tensor): Discriminator scores, any shape.
        target_is_real (bool): Target 1 (real) or 0 (fake).

    Returns:
        torch.Tensor: Scalar loss.
    """
    target = torch.full_like(pred, 1.0 if target_is_real else 0.0)
    return F.mse_loss(pred.float(), target.float())


def multiscale_lsgan_loss(outputs: Sequence[Sequence[torch.Tensor]],
                          target_is_real: bool) -> torch.Tensor:
    """LSGAN loss summed over discriminators.

    Args:
        outputs (Sequence[Sequence[torch.Tensor]]): Per discriminator, its
            feature maps; the last one holds the patch scores.
        target_is_real (bool): Target 1 (real) or 0 (fake).

    Returns:
        torch.Tensor: Scalar loss.
    """
    return sum(
        lsgan_loss(features[-1], target_is_real) for features in outputs)


def feature_matching_loss(
        real_outputs: Sequence[List[torch.Tensor]],
        fake_outputs: Sequence[List[torch.Tensor]]) -> torch.Tensor:
    """Discriminator feature matching, Eq. (4) of the paper.

    The L1 distance between the features of the real and of the generated
    pair, averaged over elements (``1/N_i``), summed over the layers
    (except the score map) and over the discriminators, each term scaled
    by ``1/num_D * 4/(n_layers_D + 1)``: ``num_D`` discriminators, each
    with ``n_layers_D + 1`` feature maps before its score map (the 70x70
    PatchGAN, ``n_layers_D = 3``, has 4). Real features are detached: the
    loss trains the generator only.

    Args:
        real_outputs (Sequence[list[torch.Tensor]]): Per discriminator, its
            feature maps on (label, real image).
        fake_outputs (Sequence[list[torch.Tensor]]): The same on
            (label, generated image).

    Returns:
        torch.Tensor: Scalar loss.
    """
    if len(real_outputs) != len(fake_outputs):
        raise ValueError(
            f'feature_matching_loss: {len(real_outputs)} real and '
            f'{len(fake_outputs)} fake discriminator outputs.')
    loss = 0.0
    for real, fake in zip(real_outputs, fake_outputs):
        num_features = len(real) - 1  # n_layers_D + 1
        if num_features < 1 or len(fake) != len(real):
            raise ValueError(
                'feature_matching_loss: each discriminator must return the '
                f'same feature maps and a score map, got {len(real)} real '
                f'and {len(fake)} fake outputs.')
        scale = 1.0 / len(real_outputs) * 4.0 / num_features
        for real_map, fake_map in zip(real[:-1], fake[:-1]):
            loss = loss + scale * F.l1_loss(fake_map.float(),
                                            real_map.detach().float())
    return loss
