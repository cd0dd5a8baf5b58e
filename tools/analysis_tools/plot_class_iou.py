"""Plot each class's pixel share in the training labels against its IoU.

The IoU comes from the last validation logged in WORK_DIR (SegMetric logs
``IoU.<class>``); the pixel shares are counted on the config's training set.

    python tools/analysis_tools/plot_class_iou.py CONFIG WORK_DIR \
        [--out WORK_DIR/class_iou.png]
"""
import argparse
import os.path as osp

from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS

from mmseg_synaug.utils import DataError
from mmseg_synaug.visualization import (class_pixel_frequency, load_scalars,
                                        plot_frequency_vs_iou)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config', help='the training config')
    parser.add_argument('work_dir', help='the --work-dir of tools/train.py')
    parser.add_argument('--out', help='PNG (default WORK_DIR/class_iou.png)')
    args = parser.parse_args()

    cfg = Config.fromfile(args.config)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    _, val = load_scalars(args.work_dir)
    if not val:
        raise DataError(
            f'No validation result in `{args.work_dir}`.',
            fix='Train until a validation has run, or run '
            'tools/test.py with --work-dir pointing there.')
    dataset_cfg = cfg.train_dataloader.dataset.copy()
    dataset_cfg.pipeline = [
        t for t in dataset_cfg.pipeline if 'Annotations' in t['type']
    ]
    dataset = DATASETS.build(dataset_cfg)
    classes = dataset.metainfo['classes']
    frequency = class_pixel_frequency(dataset, len(classes))
    iou = [val[-1][f'IoU.{name}'] for name in classes]
    out = args.out or osp.join(args.work_dir, 'class_iou.png')
    plot_frequency_vs_iou(
        frequency,
        iou,
        classes,
        dataset.metainfo['palette'],
        out,
        title=f'{osp.basename(args.config)}, iteration {val[-1]["step"]}')
    for name, share, score in zip(classes, frequency, iou):
        print(f'{name:>12}: {share * 100:6.2f}% of pixels, IoU {score:.2f}')
    print(f'plot written to {out}')


if __name__ == '__main__':
    main()
