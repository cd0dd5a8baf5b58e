"""Reproduce the coarse-to-fine table on FASSEG test at CPU scale.

Trains and evaluates, for each seed, the refiner from image + coarse map,
the same U-Net from the image alone, and (with ``--with-disc``) the
discriminator experiment: the refiner on the fine maps of half the training
images, without and with the per-pixel discriminator that also trains on
the other half's coarse maps. Every run has the same iterations, crops and
batch; all are evaluated on the 30 FASSEG test images by
CoarseToFineMetric, which also scores the coarse maps themselves (the
reference). Writes a markdown table (mean and per-seed values) to
``--out``, by default ``WORK_DIR/table.md``. Finished runs are kept
(``scores.json`` in their work dir) and not repeated, so seeds can run in
parallel processes and a last call with all seeds writes the whole table.

The FASSEG label maps are colour-coded with anti-aliased edges; snapping
them to class indices (LoadFASSEGAnnotations) costs ~0.4 s per sample on
one core, more than the U-Net step at this scale. So the benchmark first
writes an index-PNG copy of the data with that same snapping (identical
pixels; images are linked, not copied) and loads it with
LoadCheckedAnnotations / LoadCoarseAnnotations.

    python tools/analysis_tools/benchmark_coarse_to_fine.py \
        --iters 300 --crop 128 --width 8 --height 256 --seeds 0 1 --with-disc \
        --work-dir work_dirs/benchmark_c2f
"""
import argparse
import glob
import json
import os
import os.path as osp
import resource
import subprocess
import sys
import time
from typing import Dict, List

import cv2
import numpy as np
from mmengine.config import Config

from mmseg_synaug.datasets.transforms import LoadFASSEGAnnotations
from mmseg_synaug.utils import resolve_data_root

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIGS = osp.join(REPO, 'configs', 'coarse_to_fine')
SUFFIX = 'unet-s5-d16_1xb4-0.4k_fasseg-256x256.py'
RUNS = {
    'image+coarse':
    f'coarse-to-fine_{SUFFIX}',
    'image only':
    f'coarse-to-fine-image-only_{SUFFIX}',
    'half fine, plain':
    f'coarse-to-fine-half-fine_{SUFFIX}',
    'half fine + coarse-only half, discriminator':
    f'coarse-to-fine-disc-half-fine_{SUFFIX}',
}
KEYS = ('aAcc', 'mIoU', 'bF')


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--iters', type=int, default=300)
    parser.add_argument('--crop', type=int, default=192)
    parser.add_argument('--batch', type=int, default=4)
    parser.add_argument(
        '--width',
        type=int,
        default=16,
        help='base channels of the U-Net (the configs use 16)')
    parser.add_argument(
        '--height',
        type=int,
        default=360,
        help='test images are resized to this height (512 px originals); '
        'training resizes around it (x0.8-1.25) before cropping')
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1])
    parser.add_argument(
        '--with-disc',
        action='store_true',
        help='also run the half-fine refiner with and without discriminator')
    parser.add_argument(
        '--no-skip',
        action='store_true',
        help='train the refiner without the coarse skip (coarse_skip=None)')
    parser.add_argument('--work-dir', default='work_dirs/benchmark_c2f')
    parser.add_argument(
        '--out', help='table file (default: WORK_DIR/table.md)')
    return parser.parse_args()


def make_index_copy(root: str, out: str) -> str:
    """Write FASSEG's label maps as index PNGs; link the images."""
    snap = LoadFASSEGAnnotations().snap_to_palette
    for split in ('train', 'test'):
        for kind in ('images', 'coarse', 'fine'):
            os.makedirs(osp.join(out, kind, split), exist_ok=True)
            for path in sorted(
                    glob.glob(osp.join(root, kind, split, '*.png'))):
                target = osp.join(out, kind, split, osp.basename(path))
                if osp.exists(target):
                    continue
                if kind == 'images':
                    os.symlink(osp.abspath(path), target)
                else:
                    rgb = cv2.imread(path, cv2.IMREAD_COLOR)[..., ::-1]
                    cv2.imwrite(target, snap(rgb))
    return out


def run_config(name: str, config: str, seed: int, args: argparse.Namespace,
               data_root: str) -> Dict[str, float]:
    """Train and evaluate one config with one seed; return its scores."""
    work_dir = osp.join(args.work_dir, f'{osp.splitext(config)[0]}_s{seed}')
    done = osp.join(work_dir, 'scores.json')
    if osp.isfile(done):  # resumable: finished runs are not repeated
        with open(done) as file:
            return json.load(file)
    cfg = Config.fromfile(osp.join(CONFIGS, config))
    crop = (args.crop, args.crop)
    cfg.model.data_preprocessor.size = crop
    if args.no_skip:
        cfg.model.coarse_skip = None
    cfg.model.backbone.base_channels = args.width
    cfg.model.decode_head.in_channels = args.width
    cfg.model.decode_head.channels = args.width
    cfg.train_cfg.max_iters = cfg.train_cfg.val_interval = args.iters
    cfg.param_scheduler[0].end = args.iters
    cfg.default_hooks.checkpoint.interval = args.iters
    cfg.randomness = dict(seed=seed)
    for loader in (cfg.train_dataloader, cfg.val_dataloader):
        loader.num_workers = 1
    cfg.train_dataloader.batch_size = args.batch
    datasets = [cfg.val_dataloader.dataset] + cfg.train_dataloader.dataset.get(
        'datasets', [cfg.train_dataloader.dataset])
    for dataset in datasets:
        dataset.data_root = data_root
        pipeline = []
        for step in dataset.pipeline:
            if step['type'] == 'LoadFASSEGAnnotations':
                pipeline += [
                    dict(type='LoadCheckedAnnotations'),
                    dict(type='LoadCoarseAnnotations')
                ]
                continue
            if step['type'] == 'RandomCrop':
                step['crop_size'] = crop
            if step['type'] in ('Resize', 'RandomResize'):
                step['scale'] = (args.height, args.height)
            pipeline.append(step)
        dataset.pipeline = pipeline
    cfg.test_dataloader = cfg.val_dataloader
    os.makedirs(work_dir, exist_ok=True)
    cfg_path = osp.join(work_dir, 'config.py')
    cfg.dump(cfg_path)
    log = osp.join(work_dir, 'train.log')
    start = time.time()
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(log, 'w') as file:
        subprocess.run([
            sys.executable,
            osp.join(REPO, 'tools', 'train.py'), cfg_path, '--work-dir',
            work_dir
        ],
                       check=True,
                       stdout=file,
                       stderr=subprocess.STDOUT,
                       env=dict(os.environ, PYTHONUNBUFFERED='1'))
    scalars = sorted(
        glob.glob(osp.join(work_dir, '*', 'vis_data', 'scalars.json')))[-1]
    with open(scalars) as file:
        scores = [json.loads(line) for line in file if '"aAcc"' in line][-1]
    scores['minutes'] = (time.time() - start) / 60
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    scores['cpu_minutes'] = (after.ru_utime + after.ru_stime - used.ru_utime -
                             used.ru_stime) / 60
    with open(done, 'w') as file:
        json.dump(scores, file)
    print(
        f'{name} seed {seed}: aAcc {scores["aAcc"]:.2f} '
        f'(coarse {scores["coarse.aAcc"]:.2f}), '
        f'{scores["minutes"]:.1f} min, {scores["cpu_minutes"]:.1f} CPU min',
        flush=True)
    return scores


def cell(values: List[float]) -> str:
    per_seed = ' / '.join(f'{v:.2f}' for v in values)
    return f'{np.mean(values):.2f} ({per_seed})'


def main() -> None:
    args = parse_args()
    data_root = make_index_copy(
        resolve_data_root('fasseg_frontal'),
        osp.join(args.work_dir, 'fasseg_frontal_index'))
    names = list(RUNS)[:4 if args.with_disc else 2]
    results: Dict[str, List[Dict[str, float]]] = {name: [] for name in names}
    # Seed by seed, so that an interrupted benchmark has whole rows.
    for seed in args.seeds:
        for name in names:
            results[name].append(
                run_config(name, RUNS[name], seed, args, data_root))
            write_table(results, args)


def write_table(results: Dict[str, List[Dict[str, float]]],
                args: argparse.Namespace) -> None:
    """Write the markdown table of the runs done so far."""
    names = [name for name in results if results[name]]
    reference = results[names[0]]
    rows = [('coarse maps themselves (reference)',
             [[r[f'coarse.{k}'] for r in reference] for k in KEYS], '-')]
    for name in names:
        rows.append(
            (name, [[r[k] for r in results[name]] for k in KEYS],
             f'{np.mean([r["minutes"] for r in results[name]]):.1f} / '
             f'{np.mean([r["cpu_minutes"] for r in results[name]]):.1f}'))
    lines = [
        '| labels on FASSEG test (30 images) | pixel acc. | mIoU | '
        'boundary F (3 px) | wall / CPU min per run |', '|---|---|---|---|---|'
    ]
    for name, values, minutes in rows:
        lines.append(f'| {name} | ' + ' | '.join(cell(v) for v in values) +
                     f' | {minutes} |')
    seeds = args.seeds[:max(len(r) for r in results.values())]
    command = ' '.join(
        ['python', 'tools/analysis_tools/'
         'benchmark_coarse_to_fine.py'] + sys.argv[1:])
    text = ('\n'.join(lines) + f'\n\nMean over seeds {seeds} (per-seed '
            f'values in brackets). U-Net base width {args.width}, '
            f'{args.iters} iterations, batch {args.batch}, '
            f'{args.crop}x{args.crop} crops, test images resized to '
            f'{args.height} px high, scores on the original 512 px maps.\n\n'
            f'Command: `{command}`\n')
    with open(args.out or osp.join(args.work_dir, 'table.md'), 'w') as file:
        file.write(text)
    print(text, flush=True)


if __name__ == '__main__':
    main()
