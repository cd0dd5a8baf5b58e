"""Draw image | ground truth | prediction for a few samples of the val set.

    python tools/analysis_tools/plot_predictions.py CONFIG CHECKPOINT \
        [--num 4] [--out predictions.png]
"""
import argparse

import mmcv
import numpy as np
from mmengine.registry import init_default_scope
from mmseg.registry import DATASETS

from mmseg_synaug.apis import inference_segmentor, init_segmentor
from mmseg_synaug.utils import run_tool
from mmseg_synaug.visualization import draw_prediction_grid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('--num', type=int, default=4, help='samples')
    parser.add_argument(
        '--out', default='predictions.png', help='PNG file to write')
    parser.add_argument('--device', default='cpu')
    parser.add_argument(
        '--non-strict',
        action='store_true',
        help='load a checkpoint whose keys differ from the model')
    args = parser.parse_args()

    model = init_segmentor(
        args.config,
        args.checkpoint,
        device=args.device,
        strict=not args.non_strict)
    cfg = model.cfg
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    dataset_cfg = cfg.val_dataloader.dataset.copy()
    dataset_cfg.pipeline = [
        t for t in dataset_cfg.pipeline if 'Annotations' in t['type']
    ]
    dataset = DATASETS.build(dataset_cfg)
    indices = np.linspace(0, len(dataset) - 1, args.num).astype(int)
    rows, titles = [], []
    for index in indices:
        sample = dataset[int(index)]
        image = mmcv.imread(sample['img_path'], channel_order='rgb')
        pred = inference_segmentor(model, image).astype(np.uint8)
        rows.append((image, sample['gt_seg_map'], pred))
        titles.append(f'#{index}')
    draw_prediction_grid(rows, dataset.metainfo['palette'], args.out, titles)
    print(f'grid of {len(rows)} samples written to {args.out}')


if __name__ == '__main__':
    run_tool(main)
