"""One-hot encoding of label maps that carry an ignore value."""
import torch
from torch import Tensor

__all__ = ['one_hot_with_ignore']


def one_hot_with_ignore(labels: Tensor,
                        num_classes: int,
                        ignore_index: int = 255,
                        strict: bool = True) -> Tensor:
    """One-hot encode class indices; ignored pixels become zero vectors.

    Args:
        labels (Tensor): Class indices. A singleton channel dimension
            (N, 1, H, W) is squeezed.
        num_classes (int): Number of classes K.
        ignore_index (int): Value encoded as all zeros. Defaults to 255.
        strict (bool): Raise ``ValueError`` on values that are neither a
            class nor ``ignore_index``; when False they encode as zeros
            too. Defaults to True.

    Returns:
        Tensor: Float one-hot map.

    Shape:
        - labels: (N, H, W) or (N, 1, H, W)
        - output: (N, K, H, W)
    """
    if labels.dim() == 4 and labels.size(1) == 1:
        labels = labels.squeeze(1)
    labels = labels.long()
    in_range = (labels >= 0) & (labels < num_classes)
    if strict:
        bad = ~in_range & (labels != ignore_index)
        if bad.any():
            values = torch.unique(labels[bad]).tolist()[:10]
            raise ValueError(
                f'The label map holds the values {values}, outside the '
                f'{num_classes} classes (0-{num_classes - 1}) and the ignore '
                f'value {ignore_index}; map them to a class or to the '
                'ignore value, or set num_classes to the dataset\'s.')
    classes = torch.arange(num_classes, device=labels.device)
    return (labels.unsqueeze(1) == classes.view(1, -1, 1, 1)).float()
