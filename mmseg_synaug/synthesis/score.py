"""Synthesis-quality score of a label-to-image generator.

The evaluation of pix2pixHD (Wang et al., CVPR 2018, section 4), SPADE and
OASIS: a trained segmentor segments the images a generator makes from the
validation label maps, and its prediction is scored against those maps
(mIoU, per-class IoU). The real validation images through the same
segmentor are the reference: a perfect generator scores what the real
images score.

The validation set, its pipeline and the metric (the project's
``SegMetric``: aAcc, mAcc, mIoU, fwIoU and per-class IoU) are the
segmentor config's ``val_dataloader`` and ``val_evaluator`` settings. Each
generated image is quantised to 8 bits, as a written image would be, and
enters the segmentor's test pipeline exactly where the real image does
(the pipeline's image loader is replaced by ``LoadImageFromNDArray``).
Both checkpoints are loaded strictly (:func:`.load_generator`,
:func:`.load_filter_segmentor`). ``tools/analysis_tools/synthesis_score.py``
is the command line.
"""
import copy
import time
from typing import Dict, List, Optional

import numpy as np
import torch
from mmengine.registry import init_default_scope

from ..utils import DataError
from ..utils.config_options import merge_cfg_options
from .synthesizer import _read_config, load_filter_segmentor, load_generator

__all__ = [
    'synthesis_score', 'format_score_table', 'ndarray_pipeline', 'to_bgr_uint8'
]


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


def _metric(cfg, dataset_meta: dict):
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


def synthesis_score(gen_config: str,
                    gen_checkpoint: str,
                    seg_config: str,
                    seg_checkpoint: str,
                    num: Optional[int] = None,
                    device: str = 'cpu',
                    cfg_options: Optional[dict] = None) -> dict:
    """Segment generated and real validation images; return both scores.

    Args:
        gen_config (str): The generator's config.
        gen_checkpoint (str): Its checkpoint.
        seg_config (str): A segmentor config; its val set is scored.
        seg_checkpoint (str): The segmentor's checkpoint.
        num (int, optional): Score the first ``num`` validation images
            only. Defaults to all.
        device (str): Defaults to ``'cpu'``.
        cfg_options (dict, optional): Checked overrides of the segmentor
            config (:func:`~mmseg_synaug.utils.config_options.
            merge_cfg_options`).

    Returns:
        dict: ``synthetic`` and ``real`` scores (``mIoU``, ``aAcc``,
        ``mAcc``, ``fwIoU`` in percent and per-class ``IoU``; NaN, for a
        class neither labelled nor predicted, as None), their ratio, and
        what was scored.
    """
    from mmengine.dataset import Compose
    from mmseg.registry import DATASETS

    if num is not None and num < 1:
        raise DataError(f'--num must be >= 1, got {num}.')
    generator = load_generator(gen_config, gen_checkpoint, device)
    if not callable(getattr(generator, 'synthesize', None)):
        raise DataError(
            f'The model of `{gen_config}` ({type(generator).__name__}) has '
            'no `synthesize(label)` method: it is not a label-to-image '
            'generator.',
            fix='Give a generator config, e.g. configs/pix2pixhd/*.py.')
    seg_cfg = copy.deepcopy(_read_config(seg_config, 'segmentor config'))
    merge_cfg_options(seg_cfg, cfg_options)
    init_default_scope(seg_cfg.get('default_scope', 'mmseg'))
    segmentor = load_filter_segmentor(seg_cfg, seg_checkpoint, device)

    dataset_cfg = copy.deepcopy(seg_cfg.val_dataloader.dataset)
    if num is not None:
        dataset_cfg['indices'] = num
    dataset = DATASETS.build(dataset_cfg)
    classes = list(dataset.metainfo['classes'])
    if generator.num_classes != len(classes):
        raise DataError(
            f'The generator makes images from {generator.num_classes} '
            f'classes, the segmentor\'s validation set has {len(classes)} '
            f'({seg_config}).',
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
        fake = generator.synthesize(label[None].to(device))[0]
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
        generator=dict(config=gen_config, checkpoint=gen_checkpoint),
        segmentor=dict(config=seg_config, checkpoint=seg_checkpoint),
        device=str(torch.device(device)),
        seconds=round(seconds, 2))
    return result


def format_score_table(result: dict) -> str:
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
