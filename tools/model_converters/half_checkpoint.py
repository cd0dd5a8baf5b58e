"""Shrink a checkpoint to a half-precision state dict for copying elsewhere.

Keeps the model's state dict, with every floating-point tensor converted
to float16 (integer tensors such as BN's ``num_batches_tracked`` as they
are), and ``meta`` (the dataset's classes and palette, the iteration);
drops the optimizer, scheduler and message-hub states, which only
``--resume`` needs. A PSPNet-R18 checkpoint goes from ~100 MB to ~25 MB.
The result loads like any checkpoint (``load_from``, ``tools/test.py``,
``init_model``): loading copies each tensor into the model's float32
parameter, so each weight carries float16's rounding (a relative error of
at most 2^-11).

``--drop PREFIX`` leaves out the keys under a prefix: ``--drop
auxiliary_head.`` writes a segmentor without the auxiliary head that only
training uses, which ``tools/test.py`` still evaluates strictly (the GPU
benchmark sends its segmentors back so).

Usage:
    python tools/model_converters/half_checkpoint.py IN.pth OUT.pth \
        [--drop auxiliary_head.]
"""
import argparse
import os
import os.path as osp
from typing import Tuple

import torch

from mmseg_synaug.utils import register_checkpoint_safe_globals


def half_state_dict(checkpoint: dict, drop: tuple = ()) -> Tuple[dict, int]:
    """The state dict of a checkpoint in float16, with its ``meta``.

    Args:
        checkpoint (dict): Written by mmengine (``state_dict``, ``meta``,
            ``optimizer``, ...) or a bare state dict.
        drop (tuple[str]): Prefixes of keys left out (recorded in
            ``meta['dropped']``). Defaults to none.

    Returns:
        tuple[dict, int]: ``{'state_dict': ..., 'meta': ...}`` and the
        number of tensors converted.
    """
    state_dict = checkpoint.get('state_dict', checkpoint)
    out, converted = {}, 0
    for key, value in state_dict.items():
        if any(key.startswith(prefix) for prefix in drop):
            continue
        if torch.is_tensor(value) and value.is_floating_point():
            value = value.half()
            converted += 1
        out[key] = value
    result = dict(state_dict=out)
    meta = dict(checkpoint.get('meta') or {})
    meta['precision'] = 'float16'
    if drop:
        meta['dropped'] = list(drop)
    result['meta'] = meta
    return result, converted


def main() -> None:
    parser = argparse.ArgumentParser(
        description='Write a float16 state dict without optimizer states')
    parser.add_argument('src', help='checkpoint written by mmengine')
    parser.add_argument('dst', help='where to write the float16 checkpoint')
    parser.add_argument(
        '--drop',
        action='append',
        default=[],
        metavar='PREFIX',
        help='leave out the keys under PREFIX (e.g. auxiliary_head.)')
    args = parser.parse_args()
    if not osp.isfile(args.src):
        raise SystemExit(f'Checkpoint `{args.src}` does not exist: give the '
                         '.pth of a finished training.')
    register_checkpoint_safe_globals()
    checkpoint = torch.load(args.src, map_location='cpu', weights_only=True)
    out, converted = half_state_dict(checkpoint, tuple(args.drop))
    dropped = len(checkpoint.get('state_dict', checkpoint)) - len(
        out['state_dict'])
    if args.drop and not dropped:
        raise SystemExit(
            f'No key of `{args.src}` starts with {" or ".join(args.drop)}: '
            'give the prefix of a module of the checkpoint (with its dot, '
            'e.g. auxiliary_head.).')
    os.makedirs(osp.dirname(osp.abspath(args.dst)), exist_ok=True)
    tmp = args.dst + '.tmp'
    torch.save(out, tmp)
    os.replace(tmp, args.dst)
    print(f'{converted} tensors in float16, {dropped} left out; '
          f'{osp.getsize(args.src) / 2**20:.1f} MiB -> '
          f'{osp.getsize(args.dst) / 2**20:.1f} MiB; wrote {args.dst}.')


if __name__ == '__main__':
    main()
