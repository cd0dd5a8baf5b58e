"""Class distribution of a synthetic set, before and after recomposition."""
import os
import os.path as osp
import tempfile
from typing import List, Optional

import numpy as np

from .manifest import read_manifest


def class_distribution(out_dir: str,
                       classes: List[str],
                       plot: bool = True) -> Optional[str]:
    """Tabulate (and plot) the pixel share of each class of a synthetic set.

    "Before" counts the source label maps of the kept samples, "after" the
    written label maps. The plot goes to ``out_dir/class_distribution.png``.

    Args:
        out_dir (str): The synthetic set's folder (with its manifest).
        classes (list[str]): Class names, in index order.
        plot (bool): Also write the bar plot. Defaults to True.

    Returns:
        str, optional: The markdown table; None when no sample was kept.
    """
    records = [r for r in read_manifest(out_dir).values() if r['kept']]
    if not records:
        return None
    before = np.sum([r['source_class_pixels'] for r in records], axis=0)
    after = np.sum([r['class_pixels'] for r in records], axis=0)
    before_share = 100 * before / max(before.sum(), 1)
    after_share = 100 * after / max(after.sum(), 1)
    lines = [
        f'Class distribution of {len(records)} kept samples '
        '(before: source label maps, after: written label maps)',
        f'| {"class":<12} | {"before %":>8} | {"after %":>8} | '
        f'{"change":>7} |', f'|{"-" * 14}|{"-" * 10}|{"-" * 10}|{"-" * 9}|'
    ]
    for name, b, a in zip(classes, before_share, after_share):
        lines.append(f'| {name:<12} | {b:8.2f} | {a:8.2f} | {a - b:+7.2f} |')
    if plot:
        _plot(out_dir, classes, before_share, after_share, len(records))
    return '\n'.join(lines)


def _plot(out_dir: str, classes: List[str], before: np.ndarray,
          after: np.ndarray, count: int) -> None:
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    x = np.arange(len(classes))
    fig, ax = plt.subplots(figsize=(max(6, len(classes) * 0.7), 4))
    ax.bar(x - 0.2, before, 0.4, label='before (source labels)')
    ax.bar(x + 0.2, after, 0.4, label='after (written labels)')
    ax.set_xticks(x)
    ax.set_xticklabels(classes, rotation=45, ha='right')
    ax.set_ylabel('pixel share (%)')
    ax.set_title(f'Class distribution, {count} samples')
    ax.legend()
    fig.tight_layout()
    # A name of this process's own: shards finishing together each write
    # their (equal) plot, and the last rename wins, never a half-written one.
    fd, tmp = tempfile.mkstemp(
        prefix='.class_distribution.', suffix='.png', dir=out_dir)
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=100)
        os.replace(tmp, osp.join(out_dir, 'class_distribution.png'))
    finally:
        plt.close(fig)
        if osp.exists(tmp):
            os.remove(tmp)
