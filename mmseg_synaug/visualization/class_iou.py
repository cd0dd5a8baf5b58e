"""A class's pixel frequency against its IoU."""
from typing import Sequence

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def class_pixel_frequency(dataset, num_classes: int) -> np.ndarray:
    """Share of each class among the labelled pixels of a dataset.

    Args:
        dataset: An mmseg dataset whose pipeline loads ``gt_seg_map``
            (no random transforms).
        num_classes (int): K; other values (ignore) are not counted.

    Returns:
        np.ndarray: Shape (K,), summing to 1.
    """
    counts = np.zeros(num_classes, dtype=np.int64)
    for index in range(len(dataset)):
        label = dataset[index]['gt_seg_map']
        counts += np.bincount(
            label[label < num_classes].ravel(), minlength=num_classes)
    return counts / counts.sum()


def plot_frequency_vs_iou(frequency: Sequence[float],
                          iou: Sequence[float],
                          classes: Sequence[str],
                          palette: Sequence,
                          out_file: str,
                          title: str = '') -> None:
    """Scatter each class's pixel share (log scale) against its IoU.

    Args:
        frequency (Sequence[float]): Pixel share of each class, in [0, 1].
        iou (Sequence[float]): IoU of each class, in percent.
        classes (Sequence[str]): Class names.
        palette (Sequence): RGB colour of each class, 0-255.
        out_file (str): PNG to write.
        title (str): Figure title. Defaults to ''.
    """
    fig, ax = plt.subplots(figsize=(7, 5))
    for share, score, name, colour in zip(frequency, iou, classes, palette):
        ax.scatter(
            share * 100,
            score,
            s=60,
            color=np.asarray(colour) / 255,
            edgecolors='black')
        ax.annotate(
            name, (share * 100, score),
            textcoords='offset points',
            xytext=(5, 4),
            fontsize=9)
    ax.set_xscale('log')
    ax.set_xlabel('pixel share in the training labels (%, log scale)')
    ax.set_ylabel('IoU on val (%)')
    ax.set_ylim(0, 100)
    ax.grid(alpha=0.3, which='both')
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(out_file, dpi=100)
    plt.close(fig)
