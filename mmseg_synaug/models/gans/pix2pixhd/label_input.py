"""The pix2pixHD generator input: one-hot label map and instance boundaries.

Wang et al., "High-Resolution Image Synthesis and Semantic Manipulation with
Conditional GANs", CVPR 2018, section 3.3: the label map as one-hot
channels, plus a binary map of instance boundaries where instance maps
exist.
"""
from typing import Optional

import torch

from ....utils import DataError
from ...utils import one_hot_with_ignore

__all__ = ['instance_boundaries', 'label_to_input']


def instance_boundaries(instance: torch.Tensor) -> torch.Tensor:
    """Boundary map of an instance map (paper section 3.3).

    A pixel is 1 where its instance id differs from one of its four
    neighbours, else 0.

    Args:
        instance (torch.Tensor): Instance ids of shape (N, H, W).

    Returns:
        torch.Tensor: Float map of shape (N, 1, H, W).

    Shape:
        - Input: (N, H, W).
        - Output: (N, 1, H, W).
    """
    edge = torch.zeros_like(instance, dtype=torch.bool)
    vertical = instance[:, 1:, :] != instance[:, :-1, :]
    horizontal = instance[:, :, 1:] != instance[:, :, :-1]
    edge[:, 1:, :] |= vertical
    edge[:, :-1, :] |= vertical
    edge[:, :, 1:] |= horizontal
    edge[:, :, :-1] |= horizontal
    return edge.unsqueeze(1).float()


def label_to_input(label: torch.Tensor,
                   num_classes: int,
                   ignore_index: int = 255,
                   instance: Optional[torch.Tensor] = None,
                   use_instance_map: bool = False) -> torch.Tensor:
    """One-hot label map (plus instance boundaries): the generator input.

    Args:
        label (torch.Tensor): Class indices; ``ignore_index`` gives an
            all-zero vector.
        num_classes (int): Number of classes K.
        ignore_index (int): Label value with no class. Defaults to 255.
        instance (torch.Tensor, optional): Instance ids of shape
            (N, H, W); required with ``use_instance_map``.
        use_instance_map (bool): Append the instance-boundary channel.
            Defaults to False.

    Returns:
        torch.Tensor: Float tensor of shape (N, K [+ 1], H, W).

    Shape:
        - label: (N, H, W) or (N, 1, H, W).
        - output: (N, K [+ 1], H, W).
    """
    if label.dim() == 4 and label.shape[1] == 1:
        label = label[:, 0]
    if label.dim() != 3:
        raise DataError(
            f'Pix2PixHD expects label maps of shape (N, H, W), got '
            f'{tuple(label.shape)}.')
    if label.is_floating_point():
        raise DataError('Pix2PixHD expects integer label maps, got '
                        f'{label.dtype}.')
    try:
        one_hot = one_hot_with_ignore(label, num_classes, ignore_index)
    except ValueError as error:
        raise DataError(
            f'{error} (this Pix2PixHD has {num_classes} classes and the '
            f'ignore value {ignore_index})',
            fix='Map these values to a class or to the ignore value, or set '
            "model.num_classes to the dataset's number of classes.") from None
    if not use_instance_map:
        return one_hot
    if instance is None:
        raise DataError(
            'This Pix2PixHD has use_instance_map=True but got no instance '
            'map.',
            fix='Give instance maps (data samples with gt_instance_map) or '
            'set model.use_instance_map=False.')
    if instance.dim() == 4:
        instance = instance[:, 0]
    if instance.shape != label.shape:
        raise DataError(
            f'The instance map {tuple(instance.shape)} and the label map '
            f'{tuple(label.shape)} differ in shape.')
    return torch.cat([one_hot, instance_boundaries(instance)], dim=1)
