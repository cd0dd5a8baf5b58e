"""Draw loss, accuracy and mIoU over iterations of a training run to PNG.

    python tools/analysis_tools/plot_training_curves.py WORK_DIR \
        [--out WORK_DIR/curves.png]
"""
import argparse
import os.path as osp

from mmseg_synaug.visualization import plot_training_curves


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('work_dir', help='the --work-dir of tools/train.py')
    parser.add_argument('--out', help='PNG file (default WORK_DIR/curves.png)')
    args = parser.parse_args()
    out = args.out or osp.join(args.work_dir, 'curves.png')
    plot_training_curves(args.work_dir, out)
    print(f'curves written to {out}')


if __name__ == '__main__':
    main()
