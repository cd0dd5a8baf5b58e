"""Synthesis-quality score of a label-to-image generator.

The evaluation of pix2pixHD (Wang et al., CVPR 2018, section 4), SPADE and
OASIS: a trained segmentor segments the images a generator makes from the
validation label maps, and its prediction is scored against those maps
(mIoU, per-class IoU). The real validation images through the same
segmentor are the reference: a perfect generator scores what the real
images score.

Usage:
    python tools/analysis_tools/synthesis_score.py GEN_CONFIG GEN_CKPT \\
        SEG_CONFIG SEG_CKPT [--out score.json] [--num N] [--device cpu]

The validation set, its pipeline and the metric (the project's
``SegMetric``: aAcc, mAcc, mIoU, fwIoU and per-class IoU) are the
segmentor config's ``val_dataloader`` and ``val_evaluator`` settings. Each
generated image is quantised to 8 bits, as a written image would be, and
enters the segmentor's test pipeline exactly where the real image does
(the pipeline's image loader is replaced by ``LoadImageFromNDArray``).
Both checkpoints are loaded strictly: keys or shapes that do not match
their config are an error.
"""
import argparse
import copy
import json
import os
import os.path as osp
import sys
import time
from typing import Dict, List, Optional

import numpy as np
import torch
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope
from mmengine.runner import load_checkpoint
from mmengine.utils import import_modules_from_strings

from mmseg_synaug.utils import DataError


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Score a label-to-image generator by segmenting its '
        'images of the validation label maps')
    parser.add_argument('gen_config', help='generator config file')
    parser.add_argument('gen_checkpoint', help='generator checkpoint')
    parser.add_argument('seg_config', help='segmentor config file')
    parser.add_argument('seg_checkpoint', help='segmentor checkpoint')
    parser.add_argument('--out', help='JSON file for the scores')
    parser.add_argument(
        '--num',
        type=int,
        help='score only the first NUM validation images (default: all)')
    parser.add_argument('--device', default='cpu', help='e.g. cpu, cuda:0')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the segmentor config (e.g. its '
        'val_dataloader.dataset.data_root)')
    return parser.parse_args(argv)


def _load_config(path: str) -> Config:
    if not osp.isfile(path):
        raise DataError(f'The config `{path}` does not exist.')
    cfg = Config.fromfile(path)
    custom = cfg.get('custom_imports', None)
    if custom:
        import_modules_from_strings(**custom)
    return cfg


def _check_checkpoint(path: str, what: str) -> None:
    if not osp.isfile(path):
        raise DataError(
            f'The {what} checkpoint `{path}` does not exist.',
            fix='Give the .pth written by tools/train.py for that config.')


def build_generator(config: str, checkpoint: str, device: str):
    """The generator of ``config`` with ``checkpoint`` (strict), in eval."""
    from mmseg.registry import MODELS
    cfg = _load_config(config)
    _check_checkpoint(checkpoint, 'generator')
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    model = MODELS.build(cfg.model)
    if not callable(getattr(model, 'synthesize', None)):
        raise DataError(
            f'The model of `{config}` ({type(model).__name__}) has no '
            '`synthesize(label)` method: it is not a label-to-image '
            'generator.',
            fix='Give a generator config, e.g. configs/pix2pixhd/*.py.')
    load_checkpoint(model, checkpoint, map_location='cpu', strict=True)
    return model.to(device).eval()


def build_segmentor(cfg: Config, checkpoint: str, device: str):
    """The segmentor of ``cfg`` with ``checkpoint`` (strict), in eval."""
    from mmseg.apis import init_model
    _check_checkpoint(checkpoint, 'segmentor')
    model = init_model(cfg, None, device='cpu')
    load_checkpoint(model, checkpoint, map_location='cpu', strict=True)
    return model.to(device).eval()


def ndarray_pipeline(pipeline: List[dict]) -> List[dict]:
    """The test pipeline with its image loader reading ``results['img']``.

    Args:
        pipeline (list[dict]): A test pipeline that loads the image from
            a file.

    Returns:
        list[dict]: The same steps, the loader replaced by mmseg's
        ``LoadImageFromNDArray``.
    """
    steps = copy.deepcopy(list(pipeline))
    loaders = [
        i for i, step in enumerate(steps)
        if 'LoadImage' in step['type'] or step['type'] == 'LoadCheckedImage'
    ]
    if len(loaders) != 1:
        raise DataError(
            'The segmentor config\'s val pipeline must load the image with '
            f'one step, found {len(loaders)} in {steps}.')
    steps[loaders[0]] = dict(type='LoadImageFromNDArray')
    return steps


def to_bgr_uint8(image: torch.Tensor) -> np.ndarray:
    """A generated (3, H, W) RGB image in [0, 1] as an (H, W, 3) BGR array.

    Quantised to 8 bits as a written image would be; BGR as mmcv loads
    images.
    """
    rgb = (image.clamp(0, 1) * 255).round().byte().permute(1, 2, 0)
    return np.ascontiguousarray(rgb.cpu().numpy()[:, :, ::-1])


def _metric(cfg: Config, dataset_meta: dict):
    from mmseg.registry import METRICS
    evaluator = cfg.get('val_evaluator', None) or dict(type='SegMetric')
    if isinstance(evaluator, (list, tuple)):
        evaluator = evaluator[0]
    metric = METRICS.build(copy.deepcopy(dict(evaluator)))
    metric.dataset_meta = dataset_meta
    return metric


def _scores(metrics: Dict[str, float], classes: List[str]) -> dict:
    nan_to_none = (lambda v: None if v != v else v)  # noqa: E731
    return dict(
        mIoU=metrics['mIoU'],
        aAcc=metrics.get('aAcc'),
        mAcc=metrics.get('mAcc'),
        fwIoU=metrics.get('fwIoU'),
        IoU={name: nan_to_none(metrics[f'IoU.{name}'])
             for name in classes})


def score(args: argparse.Namespace) -> dict:
    """Segment generated and real validation images; return both scores.

    Args:
        args (argparse.Namespace): From :func:`parse_args`.

    Returns:
        dict: ``synthetic`` and ``real`` scores (``mIoU``, ``aAcc``,
        ``mAcc``, ``fwIoU`` in percent and per-class ``IoU``; NaN, for a
        class neither labelled nor predicted, as None), their ratio, and
        what was scored.
    """
    from mmengine.dataset import Compose
    from mmseg.registry import DATASETS

    generator = build_generator(args.gen_config, args.gen_checkpoint,
                                args.device)
    seg_cfg = _load_config(args.seg_config)
    if args.cfg_options:
        seg_cfg.merge_from_dict(args.cfg_options)
    init_default_scope(seg_cfg.get('default_scope', 'mmseg'))
    segmentor = build_segmentor(seg_cfg, args.seg_checkpoint, args.device)

    dataset_cfg = copy.deepcopy(seg_cfg.val_dataloader.dataset)
    if args.num is not None:
        if args.num < 1:
            raise DataError(f'--num must be >= 1, got {args.num}.')
        dataset_cfg['indices'] = args.num
    dataset = DATASETS.build(dataset_cfg)
    classes = list(dataset.metainfo['classes'])
    if generator.num_classes != len(classes):
        raise DataError(
            f'The generator makes images from {generator.num_classes} '
            f'classes, the segmentor\'s validation set has {len(classes)} '
            f'({args.seg_config}).',
            fix='Score a generator trained on the same dataset.')
    real_pipeline = Compose(dataset_cfg['pipeline'])
    fake_pipeline = Compose(ndarray_pipeline(dataset_cfg['pipeline']))
    metrics = dict(
        real=_metric(seg_cfg, dataset.metainfo),
        synthetic=_metric(seg_cfg, dataset.metainfo))

    start = time.perf_counter()
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        real = real_pipeline(copy.deepcopy(info))
        label = real['data_samples'].gt_sem_seg.data[0].long()
        fake = generator.synthesize(label[None].to(args.device))[0]
        fake_info = copy.deepcopy(info)
        fake_info['img'] = to_bgr_uint8(fake)
        synthetic = fake_pipeline(fake_info)
        for name, packed in (('real', real), ('synthetic', synthetic)):
            batch = dict(
                inputs=[packed['inputs']],
                data_samples=[packed['data_samples']])
            with torch.no_grad():
                outputs = segmentor.test_step(batch)
            metrics[name].process(batch,
                                  [sample.to_dict() for sample in outputs])
    seconds = time.perf_counter() - start
    result = {
        name: _scores(metric.evaluate(len(dataset)), classes)
        for name, metric in metrics.items()
    }
    real_miou = result['real']['mIoU']
    result.update(
        ratio=(result['synthetic']['mIoU'] / real_miou if real_miou else None),
        num_images=len(dataset),
        classes=classes,
        generator=dict(config=args.gen_config, checkpoint=args.gen_checkpoint),
        segmentor=dict(config=args.seg_config, checkpoint=args.seg_checkpoint),
        device=str(torch.device(args.device)),
        seconds=round(seconds, 2))
    return result


def format_table(result: dict) -> str:
    """A markdown table: mIoU and per-class IoU, synthetic and real."""
    classes = result['classes']
    header = '| images | mIoU | ' + ' | '.join(classes) + ' |'
    lines = [header, '|' + '---|' * (len(classes) + 2)]
    for name in ('synthetic', 'real'):
        row = result[name]
        cells = [
            '-' if row['IoU'][c] is None else f"{row['IoU'][c]:.1f}"
            for c in classes
        ]
        lines.append(f"| {name} | {row['mIoU']:.2f} | " + ' | '.join(cells) +
                     ' |')
    return '\n'.join(lines)


def main(argv: Optional[List[str]] = None) -> None:
    args = parse_args(argv)
    if args.out and osp.isdir(args.out):
        raise DataError(
            f'--out `{args.out}` is a folder.',
            fix='Give a file name, e.g. score.json.')
    result = score(args)
    print(format_table(result))
    ratio = result['ratio']
    print(f"synthesis score: mIoU {result['synthetic']['mIoU']:.2f} on "
          f"generated images, {result['real']['mIoU']:.2f} on real ones" +
          (f' (ratio {ratio:.3f})' if ratio is not None else '') +
          f"; {result['num_images']} images, {result['seconds']:.1f} s on "
          f"{result['device']}")
    if args.out:
        os.makedirs(osp.dirname(osp.abspath(args.out)), exist_ok=True)
        with open(args.out, 'w') as f:
            json.dump(result, f, indent=2)
        print(f'scores written to {args.out}')


if __name__ == '__main__':
    try:
        main()
    except DataError as error:
        sys.exit(f'synthesis_score: {error}')
