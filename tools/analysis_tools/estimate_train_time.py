"""Estimate a config's training time on a GPU from FLOPs and one measurement.

Where no GPU is at hand, a training step's floating-point operations
(counted by ``torch.utils.flop_counter`` on the CPU, through the model's
real ``train_step``: forward, backward and, for a GAN, both updates) are
compared with those of a reference step whose time was measured on the
GPU; the estimate assumes the same achieved FLOP rate. It ignores what
FLOPs miss (memory-bound layers such as normalisation and padding, kernel
launches at small batches, data loading), so it is a lower bound to be
measured on the GPU.

The default reference is the GPU kit's measurement (../shared/gpu/README.md):
PSPNet-R18 with output stride 8, 352x480 crops, batch 16, AMP, 0.078 s/iter
on an H200 shared by three trainings.

Usage:
    python tools/analysis_tools/estimate_train_time.py CONFIG [CONFIG ...]
        [--iters N] [--reference-config C] [--reference-s-per-iter S]
"""
import argparse
import copy
import os.path as osp
from typing import Optional, Tuple

import torch
from mmengine.config import Config
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmengine.registry import init_default_scope
from mmengine.utils import import_modules_from_strings
from torch.utils.flop_counter import FlopCounterMode

REPO_ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
REFERENCE_CONFIG = osp.join(
    REPO_ROOT, 'configs/pspnet/'
    'pspnet_r18_1xb8-1k_camvid-256x256.py')
#: The CPU baseline turned into the kit's PSPNet-R18-d8 at 352x480, b16.
REFERENCE_OPTIONS = {
    'model.backbone.strides': (1, 2, 1, 1),
    'model.backbone.dilations': (1, 1, 2, 4),
    'model.data_preprocessor.size': (352, 480),
    'train_dataloader.batch_size': 16,
}
REFERENCE_S_PER_ITER = 0.078


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Estimate GPU training time from FLOPs')
    parser.add_argument('configs', nargs='+', help='configs to estimate')
    parser.add_argument(
        '--iters', type=int, help='iterations (default: the config\'s)')
    parser.add_argument(
        '--reference-config',
        default=REFERENCE_CONFIG,
        help='config of the measured reference (default: the CPU PSPNet '
        'baseline with output stride 8 at 352x480, batch 16)')
    parser.add_argument(
        '--reference-s-per-iter',
        type=float,
        default=REFERENCE_S_PER_ITER,
        help='measured seconds per iteration of the reference on the GPU')
    return parser.parse_args()


def _crop_and_batch(cfg: Config) -> Tuple[Tuple[int, int], int]:
    size = cfg.model.get('data_preprocessor', {}).get('size', None)
    if size is None:
        size = cfg.get('crop_size', None)
    if size is None:
        raise ValueError('The config has no model.data_preprocessor.size '
                         'or crop_size: give one.')
    return tuple(size), int(cfg.train_dataloader.batch_size)


def _batch(size: Tuple[int, int], num_classes: int, num: int) -> dict:
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    samples = []
    for _ in range(num):
        sample = SegDataSample()
        sample.gt_sem_seg = PixelData(
            data=torch.randint(0, num_classes, (1, *size)))
        sample.set_metainfo(
            dict(img_shape=size, ori_shape=size, pad_shape=size))
        samples.append(sample)
    return dict(
        inputs=[
            torch.randint(0, 256, (3, *size), dtype=torch.uint8)
            for _ in range(num)
        ],
        data_samples=samples)


def _optim_wrapper(model: torch.nn.Module):
    names = [n for n in ('generator', 'discriminator') if hasattr(model, n)]
    if len(names) == 2:
        return OptimWrapperDict(
            **{
                name:
                OptimWrapper(
                    torch.optim.Adam(getattr(model, name).parameters()))
                for name in names
            })
    return OptimWrapper(torch.optim.SGD(model.parameters(), lr=1e-3))


def step_flops(config: str, options: Optional[dict] = None) -> dict:
    """FLOPs of one training step of ``config`` at its crop and batch.

    Counted on the CPU at batch 2 (batch norm needs more than one value
    per channel) with random inputs and scaled to the batch size (every
    layer's cost is linear in it).

    Args:
        config (str): Config file.
        options (dict, optional): ``--cfg-options``-style overrides.

    Returns:
        dict: ``flops`` (the whole batch), ``crop``, ``batch``,
        ``max_iters`` and ``params``.
    """
    from mmseg.registry import MODELS
    cfg = Config.fromfile(config)
    if options:
        cfg.merge_from_dict(copy.deepcopy(options))
    if cfg.get('custom_imports', None):
        import_modules_from_strings(**cfg.custom_imports)
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    if 'perceptual_loss' in cfg.model:
        cfg.model.perceptual_loss = None  # off in the configs measured
    size, batch = _crop_and_batch(cfg)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.train()
    num_classes = getattr(model, 'num_classes', None) or getattr(
        model.decode_head, 'num_classes')
    data = _batch(size, num_classes, 2)
    optim = _optim_wrapper(model)
    with FlopCounterMode(display=False) as counter:
        model.train_step(data, optim)
    return dict(
        flops=counter.get_total_flops() * batch / 2,
        crop=size,
        batch=batch,
        max_iters=int(cfg.train_cfg.get('max_iters', 0)),
        params=sum(p.numel() for p in model.parameters()))


def main() -> None:
    args = parse_args()
    torch.set_num_threads(max(torch.get_num_threads(), 1))
    reference = step_flops(
        args.reference_config, REFERENCE_OPTIONS
        if args.reference_config == REFERENCE_CONFIG else None)
    rate = reference['flops'] / args.reference_s_per_iter
    print(f'reference {osp.basename(args.reference_config)} '
          f'{reference["crop"]} x {reference["batch"]}: '
          f'{reference["flops"] / 1e12:.2f} TFLOP/step, measured '
          f'{args.reference_s_per_iter} s/iter -> {rate / 1e12:.1f} '
          'TFLOP/s achieved')
    for config in args.configs:
        stats = step_flops(config)
        iters = args.iters or stats['max_iters']
        seconds = stats['flops'] / rate
        print(f'{osp.basename(config)}: {stats["params"] / 1e6:.1f} M '
              f'parameters, {stats["crop"]} x {stats["batch"]}: '
              f'{stats["flops"] / 1e12:.2f} TFLOP/step -> estimated '
              f'{seconds:.3f} s/iter, {iters} iterations '
              f'{seconds * iters / 60:.1f} min (a lower bound: measure it)')


if __name__ == '__main__':
    main()
