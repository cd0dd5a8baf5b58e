"""Painting label maps with a dataset palette."""
from typing import Sequence

import numpy as np

__all__ = ['colorize']


def colorize(
    label: np.ndarray,
    palette: Sequence[Sequence[int]],
    ignore_color: Sequence[int] = (0, 0, 0)
) -> np.ndarray:
    """Paint an index map with a palette.

    Args:
        label (np.ndarray): Class indices; values without a palette colour
            (such as the ignore value 255) get ``ignore_color``.
        palette (Sequence[Sequence[int]]): RGB colour of each class.
        ignore_color (Sequence[int]): Defaults to black.

    Returns:
        np.ndarray: RGB image, uint8.

    Shape:
        - label: (H, W)
        - output: (H, W, 3)
    """
    table = np.tile(np.asarray(ignore_color, dtype=np.uint8), (256, 1))
    table[:len(palette)] = np.asarray(palette, dtype=np.uint8)
    return table[np.asarray(label).astype(np.int64).clip(0, 255)]
