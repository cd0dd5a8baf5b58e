"""A grid of image | ground truth | prediction."""
from typing import List, Sequence, Tuple

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def colourize(label: np.ndarray, palette: Sequence,
              ignore_index: int = 255) -> np.ndarray:
    """Paint an index map with the palette; ignored pixels black.

    Args:
        label (np.ndarray): Index map, shape (H, W).
        palette (Sequence): RGB colour per class.
        ignore_index (int): Painted black. Defaults to 255.

    Returns:
        np.ndarray: RGB image, shape (H, W, 3), uint8.
    """
    lut = np.zeros((256, 3), dtype=np.uint8)
    lut[:len(palette)] = np.asarray(palette, dtype=np.uint8)
    lut[ignore_index] = 0
    return lut[label]


def draw_prediction_grid(rows: List[Tuple[np.ndarray, np.ndarray,
                                          np.ndarray]],
                         palette: Sequence,
                         out_file: str,
                         titles: Sequence[str] = ()) -> None:
    """Draw one row per sample: image, ground truth, prediction.

    Args:
        rows (list[tuple]): ``(rgb image (H, W, 3), ground truth (H, W),
            prediction (H, W))`` per sample.
        palette (Sequence): RGB colour per class.
        out_file (str): PNG to write.
        titles (Sequence[str]): A title per row. Defaults to ().
    """
    fig, axes = plt.subplots(
        len(rows), 3, figsize=(12, 3.2 * len(rows)), squeeze=False)
    for i, (image, gt, pred) in enumerate(rows):
        for ax, picture, name in zip(
                axes[i], (image, colourize(gt, palette),
                          colourize(pred, palette)),
            ('image', 'ground truth', 'prediction')):
            ax.imshow(picture)
            ax.set_axis_off()
            ax.set_title(f'{titles[i]}: {name}' if titles else name,
                         fontsize=9)
    fig.tight_layout()
    fig.savefig(out_file, dpi=100)
    plt.close(fig)
