"""Write a synthetic mmseg dataset: recomposed label maps and their images.

Usage:
    python tools/synthesize.py GEN_CONFIG GEN_CHECKPOINT DATASET_CONFIG
        --out DIR --num N --mode overlay|multi|reconstruct [--seed S]
        [--filter-config SEG_CONFIG --filter-checkpoint SEG_CKPT
         --min-agreement 0.5] [--copy-paste] [--shard I --num-shards N]
        [--device cpu] [--cfg-options KEY=VALUE ...]

Each sample k recomposes a training label map of DATASET_CONFIG with
LabelRecomposition (through mmseg's MultiImageMixDataset), then renders it
with the generator; the outputs are ``DIR/images/{k:06d}.png`` and
``DIR/labels/{k:06d}.png`` (index maps, 255 = ignore), readable by
CamVidDataset with ``data_prefix=dict(img_path='images',
seg_map_path='labels')``, and one line of ``DIR/manifest.jsonl`` per sample
(source, mode, classes added, seed, filter agreement, kept). The
LabelRecomposition settings are the DATASET_CONFIG's ``label_recomposition``
dict if it has one, else ``class_frequency`` counted on its training labels
and, for ``reconstruct``, the three most frequent classes as background.

``--copy-paste`` writes the same recomposed label maps with the real pixels
of the pasted segments instead of generated images (the copy-paste
baseline); GEN_CONFIG and GEN_CHECKPOINT are then not used (give ``none``).

Resuming: samples already in the manifest are skipped; each file is written
to a temporary name then renamed, and the manifest line is written last, so
an interrupted run leaves no half-written sample. Sharding: process I of N
(``--shard``/``--num-shards``, or RANK/WORLD_SIZE of torchrun) does the
samples k with k % N == I, appending to the same manifest. At the end the
class distribution of the source label maps of the kept samples (before)
and of the written label maps (after) is printed and plotted to
``DIR/class_distribution.png``.
"""
import argparse
import json
import os
import os.path as osp
import time
from typing import Dict, List, Optional

import cv2
import numpy as np
import torch
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from mmengine.utils import import_modules_from_strings
from tqdm import tqdm

from mmseg_synaug.utils import DataError

MODES = ('overlay', 'multi', 'reconstruct')


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Synthesize a segmentation dataset with a generator')
    parser.add_argument('gen_config', help='generator config (or none)')
    parser.add_argument('gen_checkpoint',
                        help='generator checkpoint (or none)')
    parser.add_argument('dataset_config',
                        help='config whose training set is recomposed')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--num', type=int, required=True,
                        help='number of samples N')
    parser.add_argument('--mode', choices=MODES, default='overlay')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--filter-config', help='segmentor config')
    parser.add_argument('--filter-checkpoint', help='segmentor checkpoint')
    parser.add_argument('--min-agreement', type=float, default=0.5,
                        help='keep samples whose pixel agreement between the '
                        'segmentor prediction and the label map is >= this')
    parser.add_argument('--copy-paste', action='store_true',
                        help='paste real pixels instead of generating')
    parser.add_argument('--shard', type=int, default=None)
    parser.add_argument('--num-shards', type=int, default=None)
    parser.add_argument('--device', default=None,
                        help='cuda or cpu; default cuda when available')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='overrides of DATASET_CONFIG')
    args = parser.parse_args(argv)
    if args.num < 1:
        parser.error('--num must be >= 1')
    if bool(args.filter_config) != bool(args.filter_checkpoint):
        parser.error('--filter-config and --filter-checkpoint go together')
    if args.shard is None:
        args.shard = int(os.environ.get('RANK', 0))
    if args.num_shards is None:
        args.num_shards = int(os.environ.get('WORLD_SIZE', 1))
    if not 0 <= args.shard < args.num_shards:
        parser.error(f'--shard {args.shard} is not in [0, '
                     f'{args.num_shards})')
    if args.device is None:
        args.device = 'cuda' if torch.cuda.is_available() else 'cpu'
    return args


def _import_custom(cfg: Config) -> None:
    if cfg.get('custom_imports'):
        import_modules_from_strings(**cfg.custom_imports)


def train_dataset_cfg(cfg: Config) -> dict:
    """The real training dataset of a config, through wrappers.

    ``dataset`` of wrappers (RepeatDataset, MultiImageMixDataset) and
    ``real`` of SyntheticMixDataset are followed; ``indices`` is kept (a
    way to recompose from a subset).
    """
    dataset = cfg.train_dataloader.dataset
    while isinstance(dataset, dict):
        inner = dataset.get('dataset', dataset.get('real'))
        if not isinstance(inner, dict):
            break
        dataset = inner
    return dict(dataset)


def class_pixels(label: np.ndarray, num_classes: int) -> List[int]:
    """Pixels of each class in an index map (the ignore value not counted)."""
    valid = label[label < num_classes]
    return np.bincount(valid.ravel(), minlength=num_classes).tolist()


def write_atomic(path: str, image: np.ndarray) -> None:
    """Write a PNG to a temporary name, then rename it into place."""
    tmp = osp.join(osp.dirname(path), f'.{osp.basename(path)}.tmp.png')
    if not cv2.imwrite(tmp, image):
        raise OSError(f'cannot write {tmp}')
    os.replace(tmp, path)


def append_line(path: str, record: dict) -> None:
    """Append one JSON line with a single write (safe across shards)."""
    data = (json.dumps(record) + '\n').encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def read_manifest(path: str) -> Dict[int, dict]:
    """Manifest records by sample index; a later line replaces an earlier."""
    records = {}
    if osp.isfile(path):
        with open(path) as f:
            for line in f:
                line = line.strip()
                if line:
                    record = json.loads(line)
                    records[record['index']] = record
    return records


def sample_seed(seed: int, index: int) -> int:
    """A 32-bit seed for sample ``index`` of a run with ``seed``."""
    return int(np.random.SeedSequence([seed, index]).generate_state(1)[0])


def build_generator(config: str, checkpoint: str, device: str):
    """Build the generator of a config and load its checkpoint."""
    from mmagic.registry import MODELS
    cfg = Config.fromfile(config)
    _import_custom(cfg)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    model = MODELS.build(cfg.model)
    if not osp.isfile(checkpoint):
        raise DataError(f'The generator checkpoint `{checkpoint}` does not '
                        'exist.', fix='Give the .pth of train_generator.py.')
    load_checkpoint(model, checkpoint, map_location='cpu', strict=True)
    return model.to(device).eval()


def build_filter(config: str, checkpoint: str, device: str):
    """A segmentor for the quality filter, its annotation loading removed."""
    from mmseg.apis import init_model
    cfg = Config.fromfile(config)
    _import_custom(cfg)
    # mmseg's inference_model drops only its own `LoadAnnotations`.
    cfg.test_pipeline = [
        step for step in cfg.test_pipeline
        if 'Annotations' not in step['type']
    ]
    return init_model(cfg, checkpoint, device=device)


def recomposition_cfg(cfg: Config, dataset, mode: str,
                      num_classes: int) -> dict:
    """LabelRecomposition settings: the config's, else counted defaults."""
    settings = dict(cfg.get('label_recomposition', None) or {})
    if 'class_frequency' not in settings or (
            mode == 'reconstruct' and 'background_classes' not in settings):
        counts = np.zeros(num_classes, dtype=np.int64)
        for i in range(len(dataset)):
            counts += np.asarray(
                class_pixels(dataset[i]['gt_seg_map'], num_classes))
        frequency = counts / max(counts.sum(), 1)
        settings.setdefault('class_frequency', frequency.tolist())
        settings.setdefault('background_classes',
                            np.argsort(-frequency)[:3].tolist())
    if mode != 'reconstruct':
        settings.pop('background_classes', None)
    settings['mode'] = mode
    settings['type'] = 'LabelRecomposition'
    return settings


def run(args: argparse.Namespace) -> dict:
    """Synthesize this shard's samples; return counts and timings."""
    from mmseg.datasets import MultiImageMixDataset
    from mmseg.registry import DATASETS

    cfg = Config.fromfile(args.dataset_config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    _import_custom(cfg)
    init_default_scope('mmseg')
    dataset_cfg = train_dataset_cfg(cfg)

    generator = None
    if not args.copy_paste:
        generator = build_generator(args.gen_config, args.gen_checkpoint,
                                    args.device)
        num_classes = generator.num_classes
    else:
        num_classes = None
    # one small copy per process: no shared-memory serialisation needed
    dataset_cfg['serialize_data'] = False
    labels_only = DATASETS.build(
        dict(
            dataset_cfg,
            pipeline=[
                dict(type='LoadCheckedAnnotations', num_classes=num_classes)
            ]))
    classes = labels_only.metainfo['classes']
    if num_classes is None:
        num_classes = len(classes)
        labels_only.pipeline.transforms[0].num_classes = num_classes
    elif num_classes != len(classes):
        raise DataError(
            f'The generator has {num_classes} classes but the dataset of '
            f'`{args.dataset_config}` has {len(classes)}.',
            fix='Use the generator trained on this dataset.')
    dataset_cfg['pipeline'] = [
        dict(type='LoadCheckedImage'),
        dict(type='LoadCheckedAnnotations', num_classes=num_classes)
    ]
    settings = recomposition_cfg(cfg, labels_only, args.mode, num_classes)
    settings['paste_image'] = args.copy_paste
    mix = MultiImageMixDataset(dataset_cfg, pipeline=[settings])
    segmentor = (
        build_filter(args.filter_config, args.filter_checkpoint, args.device)
        if args.filter_config else None)

    os.makedirs(osp.join(args.out, 'images'), exist_ok=True)
    os.makedirs(osp.join(args.out, 'labels'), exist_ok=True)
    manifest = osp.join(args.out, 'manifest.jsonl')
    done = read_manifest(manifest)
    order = np.random.RandomState(args.seed).permutation(len(mix))
    mine = [k for k in range(args.num) if k % args.num_shards == args.shard]

    def finished(k: int) -> bool:
        record = done.get(k)
        if record is None:
            return False
        return not record['kept'] or all(
            osp.isfile(osp.join(args.out, sub, record['name'] + '.png'))
            for sub in ('images', 'labels'))

    todo = [k for k in mine if not finished(k)]
    print(f'shard {args.shard}/{args.num_shards}: {len(mine)} samples, '
          f'{len(mine) - len(todo)} already done (resumed), '
          f'{len(todo)} to do', flush=True)
    stats = dict(written=0, dropped=0, skipped=len(mine) - len(todo),
                 generate_seconds=0.0, loop_seconds=0.0,
                 generate_cpu_seconds=0.0, loop_cpu_seconds=0.0)
    start, start_cpu = time.perf_counter(), time.process_time()
    for k in tqdm(todo, desc='synthesize', unit='img'):
        seed = sample_seed(args.seed, k)
        np.random.seed(seed)
        torch.manual_seed(seed)
        source = int(order[k % len(order)])
        results = mix[source]
        label = results['gt_seg_map']
        source_label = labels_only[source]['gt_seg_map']
        if args.copy_paste:
            image = results['img']
        else:
            tick, tick_cpu = time.perf_counter(), time.process_time()
            fake = generator.synthesize(
                torch.from_numpy(label.astype(np.int64))[None])
            stats['generate_seconds'] += time.perf_counter() - tick
            stats['generate_cpu_seconds'] += time.process_time() - tick_cpu
            rgb = (fake[0].permute(1, 2, 0).cpu().numpy() * 255).round()
            image = cv2.cvtColor(rgb.astype(np.uint8), cv2.COLOR_RGB2BGR)
        agreement = None
        if segmentor is not None:
            from mmseg.apis import inference_model
            pred = inference_model(segmentor, image).pred_sem_seg.data[0]
            pred = pred.cpu().numpy()
            valid = label != 255
            agreement = float((pred[valid] == label[valid]).mean()) \
                if valid.any() else 0.0
        kept = agreement is None or agreement >= args.min_agreement
        name = f'{k:06d}'
        if kept:
            write_atomic(osp.join(args.out, 'images', name + '.png'), image)
            write_atomic(
                osp.join(args.out, 'labels', name + '.png'),
                label.astype(np.uint8))
            stats['written'] += 1
        else:
            stats['dropped'] += 1
        recomposition = results.get('recomposition',
                                    dict(mode=args.mode, added=[]))
        append_line(
            manifest,
            dict(
                index=k,
                name=name,
                kept=kept,
                source=results.get('img_path'),
                source_label=results.get('seg_map_path'),
                mode=recomposition['mode'],
                added=[
                    dict(item, class_name=classes[item['cls']])
                    for item in recomposition['added']
                ],
                seed=seed,
                run_seed=args.seed,
                copy_paste=args.copy_paste,
                agreement=agreement,
                min_agreement=(args.min_agreement
                               if segmentor is not None else None),
                source_class_pixels=class_pixels(source_label, num_classes),
                class_pixels=class_pixels(label, num_classes)))
    stats['loop_seconds'] = time.perf_counter() - start
    stats['loop_cpu_seconds'] = time.process_time() - start_cpu
    print(f'written {stats["written"]}, dropped by the filter '
          f'{stats["dropped"]}, already done {stats["skipped"]}', flush=True)
    report(args.out, classes)
    return stats


def report(out: str, classes: List[str]) -> None:
    """Print and plot the class distribution before and after."""
    records = [
        r for r in read_manifest(osp.join(out, 'manifest.jsonl')).values()
        if r['kept']
    ]
    if not records:
        print('no samples kept: no class distribution')
        return
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
    print('\n'.join(lines), flush=True)

    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    x = np.arange(len(classes))
    fig, ax = plt.subplots(figsize=(max(6, len(classes) * 0.7), 4))
    ax.bar(x - 0.2, before_share, 0.4, label='before (source labels)')
    ax.bar(x + 0.2, after_share, 0.4, label='after (written labels)')
    ax.set_xticks(x)
    ax.set_xticklabels(classes, rotation=45, ha='right')
    ax.set_ylabel('pixel share (%)')
    ax.set_title(f'Class distribution, {len(records)} samples')
    ax.legend()
    fig.tight_layout()
    tmp = osp.join(out, '.class_distribution.tmp.png')
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    os.replace(tmp, osp.join(out, 'class_distribution.png'))


def main() -> None:
    run(parse_args())


if __name__ == '__main__':
    main()
