"""Generator throughput at 360x480, and the synthesis tool's relative to it.

For each generator config, the model is built with random weights (speed
does not depend on them; the VGG loss is switched off, it is not used at
inference) and ``Pix2PixHD.synthesize`` renders real CamVid training label
maps at their native 360x480, one image per call; the first ``--warmup``
calls are not timed. Then tools/synthesize.py's SyntheticDatasetWriter (in
process) writes ``--synth-num`` samples with the first config's generator, and
its throughput (samples/s of its loop: recomposition, generation, PNG writing,
manifest) is reported as a ratio to the bare generator's. With ``--write`` the
table, the command and the machine go into the given markdown file between
``<!-- generator-throughput -->`` markers.

    python tools/analysis_tools/benchmark_generator.py \
        configs/pix2pixhd/pix2pixhd_w16-d3-r3_1xb2-2k_camvid-128x128.py \
        configs/pix2pixhd/pix2pixhd_w64-d4-r9_1xb1-73.4k_camvid-360x480.py \
        --write BENCHMARKS_generator.md
"""
import argparse
import glob
import os
import os.path as osp
import sys
import tempfile
import time
from datetime import date
from typing import List, Tuple

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

from mmseg_synaug.utils.report import describe_machine, write_section

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
MARKER = '<!-- generator-throughput -->'
DEFAULT_CONFIGS = [
    'configs/pix2pixhd/pix2pixhd_w16-d3-r3_1xb2-2k_camvid-128x128.py',
    'configs/pix2pixhd/pix2pixhd_w64-d4-r9_1xb1-73.4k_camvid-360x480.py'
]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Benchmark generator and synthesis throughput')
    parser.add_argument(
        'configs',
        nargs='*',
        default=DEFAULT_CONFIGS,
        help='generator configs (default: CPU-scale and '
        'full-scale CamVid)')
    parser.add_argument(
        '--num', type=int, default=3, help='timed images per config')
    parser.add_argument('--warmup', type=int, default=1)
    parser.add_argument(
        '--synth-num',
        type=int,
        default=6,
        help='samples written by the synthesis tool')
    parser.add_argument(
        '--dataset-config', default='configs/_base_/datasets/camvid.py')
    parser.add_argument('--device', default='cpu')
    parser.add_argument('--write', help='markdown file for the table')
    return parser.parse_args()


def build_random(config: str, device: str):
    """The config's Pix2PixHD with random weights, without the VGG loss."""
    from mmseg.registry import MODELS
    cfg = Config.fromfile(config)
    cfg.model.perceptual_loss = None
    init_default_scope('mmseg')
    torch.manual_seed(0)
    return MODELS.build(cfg.model).to(device).eval()


def camvid_labels(dataset_config: str, num: int) -> List[torch.Tensor]:
    """The first ``num`` CamVid training label maps (360x480, void 255)."""
    from mmseg.registry import DATASETS
    cfg = Config.fromfile(dataset_config)
    dataset_cfg = dict(cfg.train_dataloader.dataset)
    dataset_cfg['pipeline'] = [dict(type='LoadCheckedAnnotations')]
    dataset = DATASETS.build(dataset_cfg)
    return [
        torch.from_numpy(dataset[i]['gt_seg_map'].astype(np.int64))[None]
        for i in range(num)
    ]


def generator_throughput(model, labels: List[torch.Tensor],
                         warmup: int) -> Tuple[float, float]:
    """Images per second and per CPU-second of ``model.synthesize``.

    Batch 1, after ``warmup`` calls. CPU time (all threads of this
    process) is far less sensitive than wall time to other jobs on a
    shared machine.
    """
    for label in labels[:warmup]:
        model.synthesize(label)
    timed = labels[warmup:]
    start, start_cpu = time.perf_counter(), time.process_time()
    for label in timed:
        model.synthesize(label)
    return (len(timed) / (time.perf_counter() - start),
            len(timed) / (time.process_time() - start_cpu))


def synthesis_throughput(config: str, args: argparse.Namespace,
                         workdir: str) -> dict:
    """Samples/s of tools/synthesize.py's loop with a random checkpoint."""
    model = build_random(config, 'cpu')
    checkpoint = osp.join(workdir, 'generator.pth')
    torch.save(dict(meta={}, state_dict=model.state_dict()), checkpoint)
    cfg = Config.fromfile(config)
    cfg.model.perceptual_loss = None
    gen_config = osp.join(workdir, 'generator_config.py')
    cfg.dump(gen_config)
    from mmseg_synaug.synthesis import SyntheticDatasetWriter, load_generator
    synthesizer = SyntheticDatasetWriter(
        args.dataset_config,
        load_generator(gen_config, checkpoint, args.device),
        mode='multi')
    stats = synthesizer.run(osp.join(workdir, 'synthetic'), args.synth_num)
    stats['images_per_s'] = stats['written'] / stats['loop_seconds']
    stats['images_per_cpu_s'] = stats['written'] / stats['loop_cpu_seconds']
    # the bare generator again, right after, on the label maps the tool
    # wrote: the least noisy comparison on a shared machine
    import cv2
    labels = [
        torch.from_numpy(
            cv2.imread(path, cv2.IMREAD_UNCHANGED).astype(np.int64))[None]
        for path in sorted(
            glob.glob(osp.join(workdir, 'synthetic', 'labels', '*.png')))
    ]
    stats['bare_images_per_s'], stats['bare_images_per_cpu_s'] = \
        generator_throughput(
        model.to(args.device), labels, args.warmup)
    return stats


def main() -> None:
    args = parse_args()
    import mmseg_synaug  # noqa: F401  (registers the models)
    init_default_scope('mmseg')
    labels = camvid_labels(args.dataset_config, args.num + args.warmup)
    rows = []
    for config in args.configs:
        model = build_random(config, args.device)
        params = sum(p.numel() for p in model.generator.parameters()) / 1e6
        speed, cpu_speed = generator_throughput(model, labels, args.warmup)
        rows.append(f'| generator `{osp.basename(config)}` | 360x480 | '
                    f'{params:.2f} M | {speed:.3f} | {1 / speed:.2f} | '
                    f'{cpu_speed:.3f} | |')
        print(rows[-1], flush=True)
        del model
    with tempfile.TemporaryDirectory() as workdir:
        stats = synthesis_throughput(args.configs[0], args, workdir)
    ratio = stats['images_per_cpu_s'] / stats['bare_images_per_cpu_s']
    wall_ratio = stats['images_per_s'] / stats['bare_images_per_s']
    in_loop = stats['generate_cpu_seconds'] / stats['loop_cpu_seconds']
    name = osp.basename(args.configs[0])
    rows.append(f'| generator `{name}` again, right after the tool, on the '
                f'{stats["written"]} label maps it wrote | 360x480 | | '
                f'{stats["bare_images_per_s"]:.3f} | '
                f'{1 / stats["bare_images_per_s"]:.2f} | '
                f'{stats["bare_images_per_cpu_s"]:.3f} | |')
    rows.append(
        f'| tools/synthesize.py (multi) with `{osp.basename(args.configs[0])}`'
        f' | 360x480 | | {stats["images_per_s"]:.3f} | '
        f'{1 / stats["images_per_s"]:.2f} | '
        f'{stats["images_per_cpu_s"]:.3f} | {ratio:.2f} (wall time: '
        f'{wall_ratio:.2f}; in its own loop: {in_loop:.2f}) |')
    print(rows[-1], flush=True)
    command = 'python ' + ' '.join(
        [osp.relpath(osp.abspath(__file__), REPO_ROOT)] + sys.argv[1:])
    section = '\n'.join([
        MARKER, f'## Generator throughput ({date.today()})', '',
        f'Machine: {describe_machine()}.', '', f'Command: `{command}`', '',
        f'Random weights, batch 1, {args.num} timed images after '
        f'{args.warmup} warm-up per generator; the synthesis tool wrote '
        f'{stats["written"]} samples (set-up not timed; '
        f'{stats["generate_cpu_seconds"]:.1f} CPU-s of its '
        f'{stats["loop_cpu_seconds"]:.1f} CPU-s loop in the generator, i.e. '
        f'{100 * in_loop:.0f}%; '
        'the rest is recomposition, PNG writing and the manifest). '
        f'Load average during the run: {os.getloadavg()[0]:.1f} on '
        f'{os.cpu_count()} cores (other jobs share the machine, so timings '
        'vary by tens of percent between runs).', '',
        'The ratio of the tool is its images per CPU-second over the bare '
        'generator\'s, measured right after it on the same label maps (CPU '
        'time of this process, all threads: little affected by other jobs); '
        'in brackets the same ratio in wall time, and the share of the '
        'tool\'s loop CPU time spent in the generator call.', '',
        '| what | size | generator params | images/s (wall) | s/image '
        '(wall) | images per CPU-second | ratio to the bare generator |',
        '|---|---|---|---|---|---|---|', *rows, MARKER
    ])
    print(section)
    if args.write:
        write_section(args.write, section, MARKER)


if __name__ == '__main__':
    main()
