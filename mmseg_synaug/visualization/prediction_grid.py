"""A grid of image | ground truth | prediction."""
from typing import List, Sequence, Tuple

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .palette import colorize  # noqa: E402


def draw_prediction_grid(rows: List[Tuple[np.ndarray, np.ndarray, np.ndarray]],
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
        pictures = (image, colorize(gt, palette), colorize(pred, palette))
        names = ('image', 'ground truth', 'prediction')
        for ax, picture, name in zip(axes[i], pictures, names):
            ax.imshow(picture)
            ax.set_axis_off()
            ax.set_title(
                f'{titles[i]}: {name}' if titles else name, fontsize=9)
    fig.tight_layout()
    fig.savefig(out_file, dpi=100)
    plt.close(fig)
