"""Training curves from an mmengine work dir."""
import glob
import json
import os
import os.path as osp
from typing import Dict, List, Sequence, Tuple

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from ..utils import DataError  # noqa: E402


def load_scalars(work_dir: str) -> Tuple[List[dict], List[dict]]:
    """Read the train and val records of every run in a work dir.

    A resumed run writes a new ``<timestamp>/vis_data/scalars.json``; the
    records are merged in time order and a later record of the same
    iteration replaces an earlier one.

    Args:
        work_dir (str): The ``--work-dir`` of tools/train.py.

    Returns:
        tuple[list[dict], list[dict]]: Train records (with ``iter``) and
        val records (with ``step``, the iteration validated at), each
        sorted by iteration.
    """
    files = sorted(
        glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))
    if not files:
        raise DataError(
            f'No training log (*/vis_data/scalars.json) in `{work_dir}`.',
            fix='Pass the --work-dir of a tools/train.py run.')
    train: Dict[int, dict] = {}
    val: Dict[int, dict] = {}
    for path in files:
        with open(path) as f:
            for line in f:
                record = json.loads(line)
                if 'iter' in record:
                    train[record['iter']] = record
                elif 'mIoU' in record:
                    val[record['step']] = record
    return ([train[k] for k in sorted(train)], [val[k] for k in sorted(val)])


def plot_training_curves(work_dir: str, out_file: str) -> None:
    """Draw loss, accuracy and mIoU over iterations to a PNG.

    Train loss and train pixel accuracy (``decode.acc_seg``, on the
    augmented crops) are drawn per logged iteration; val pixel accuracy
    (``aAcc``) and val mIoU at each validation. mmseg logs no train mIoU.

    Args:
        work_dir (str): The ``--work-dir`` of tools/train.py.
        out_file (str): PNG to write.
    """
    train, val = load_scalars(work_dir)
    fig, axes = plt.subplots(1, 3, figsize=(15, 4))
    iters = [r['iter'] for r in train]
    axes[0].plot(iters, [r['loss'] for r in train], label='train loss')
    axes[0].set_title('loss')
    if train and 'decode.acc_seg' in train[0]:
        axes[1].plot(
            iters, [r['decode.acc_seg'] for r in train],
            label='train pixel acc (crops)')
    if val:
        steps = [r['step'] for r in val]
        axes[1].plot(
            steps, [r['aAcc'] for r in val], 'o-', label='val pixel acc')
        axes[2].plot(steps, [r['mIoU'] for r in val], 'o-', label='val mIoU')
        if 'mAcc' in val[0]:
            axes[2].plot(
                steps, [r['mAcc'] for r in val], 's--', label='val class acc')
    axes[1].set_title('accuracy (%)')
    axes[2].set_title('mIoU (%)')
    for ax in axes:
        ax.set_xlabel('iteration')
        ax.grid(alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend()
    fig.suptitle(osp.basename(osp.normpath(work_dir)))
    fig.tight_layout()
    fig.savefig(out_file, dpi=100)
    plt.close(fig)


def plot_comparison_curves(series: Dict[str, Sequence[Dict]],
                           out_file: str) -> List[str]:
    """Draw configs' val mIoU (and rare-class mIoU) against iterations.

    One line per config at the mean over its seeds, with the band from the
    lowest to the highest seed; a second panel for ``rare mIoU`` where the
    series have it.

    Args:
        series (dict[str, Sequence[dict]]): Config name to its validations
            (:func:`mmseg_synaug.benchmark.curve_series`).
        out_file (str): PNG to write (written whole or not at all).

    Returns:
        list[str]: The configs left out because their runs logged no
        validation; the figure names them too, so that a missing line is
        never read as a config that was not compared.
    """
    if not any(series.values()):
        raise DataError(
            'None of these runs has a logged validation, so there is no '
            'curve to draw (their summary.json has no curve and their work '
            'dirs no */vis_data/scalars.json).',
            fix='Copy the runs\' whole work dirs, not only summary.json, or '
            'train them again; train_cfg.val_interval below the iterations '
            '(e.g. --cfg-options train_cfg.val_interval=500) gives more '
            'points than the final one.')
    with_rare = any(entries and 'rare mIoU' in entries[0]
                    for entries in series.values())
    keys = ['mIoU', 'rare mIoU'] if with_rare else ['mIoU']
    fig, axes = plt.subplots(
        1, len(keys), figsize=(6 * len(keys), 4), squeeze=False)
    for ax, key in zip(axes[0], keys):
        for name, entries in series.items():
            if not entries:
                continue
            steps = [entry['step'] for entry in entries]
            (line, ) = ax.plot(
                steps, [np.mean(entry[key]) for entry in entries],
                'o-',
                label=name)
            if any(len(entry[key]) > 1 for entry in entries):
                ax.fill_between(
                    steps, [min(entry[key]) for entry in entries],
                    [max(entry[key]) for entry in entries],
                    color=line.get_color(),
                    alpha=0.15)
        ax.set_title(f'{key} on val (%): mean over seeds, band min-max')
        ax.set_xlabel('iteration')
        ax.grid(alpha=0.3)
    axes[0][0].legend(fontsize=7)
    left_out = [name for name, entries in series.items() if not entries]
    fig.tight_layout()
    if left_out:
        fig.subplots_adjust(bottom=0.2)
        fig.text(
            0.01,
            0.01,
            'left out, no logged validation: ' + ', '.join(left_out),
            fontsize=7)
    tmp = f'{out_file}.tmp.png'
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    os.replace(tmp, out_file)
    return left_out
