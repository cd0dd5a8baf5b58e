"""Grids of pictures: image | ground truth | prediction, or any columns."""
from typing import List, Sequence, Tuple

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from .palette import colorize  # noqa: E402


def draw_image_grid(rows: List[Sequence[np.ndarray]],
                    names: Sequence[str],
                    out_file: str,
                    palette: Sequence,
                    titles: Sequence[str] = ()) -> None:
    """Draw one row per sample, one column per picture.

    Args:
        rows (list[Sequence[np.ndarray]]): The pictures of each sample, one
            per column: an RGB image (H, W, 3) as it is, or a label map
            (H, W) painted with ``palette`` (values without a colour, such
            as the ignore value 255, in white).
        names (Sequence[str]): A name per column.
        out_file (str): PNG to write.
        palette (Sequence): RGB colour per class.
        titles (Sequence[str]): A title per row. Defaults to ().
    """
    fig, axes = plt.subplots(
        len(rows),
        len(names),
        figsize=(4 * len(names), 3.2 * len(rows)),
        squeeze=False)
    for i, pictures in enumerate(rows):
        for ax, picture, name in zip(axes[i], pictures, names):
            if picture.ndim == 2:
                picture = colorize(picture, palette, (255, 255, 255))
            ax.imshow(picture)
            ax.set_axis_off()
            ax.set_title(
                f'{titles[i]}: {name}' if titles else name, fontsize=9)
    fig.tight_layout()
    fig.savefig(out_file, dpi=100)
    plt.close(fig)


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
    draw_image_grid(rows, ('image', 'ground truth', 'prediction'), out_file,
                    palette, titles)
