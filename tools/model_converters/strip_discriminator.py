"""Turn an adversarial checkpoint into a plain segmentor checkpoint.

A checkpoint of ``AdversarialEncoderDecoder`` already loads into the plain
segmentor config (``tools/test.py PLAIN_CONFIG ADV_CHECKPOINT``): mmengine
loads non-strictly and warns about the ``discriminator.*`` keys it skips.
This tool writes a checkpoint without them (and without the optimizer
states), which loads strictly and silently, e.g. to publish a model.

Usage:
    python tools/model_converters/strip_discriminator.py IN.pth OUT.pth
        [--prefix discriminator.]
"""
import argparse
import os.path as osp
from typing import Tuple

import torch

from mmseg_synaug.utils import register_checkpoint_safe_globals


def strip_prefix(checkpoint: dict, prefix: str) -> Tuple[dict, int]:
    """Remove the ``prefix`` keys of a checkpoint's state dict.

    Args:
        checkpoint (dict): A checkpoint written by mmengine (with
            ``state_dict`` and ``meta``) or a bare state dict.
        prefix (str): Prefix of the keys to remove.

    Returns:
        tuple[dict, int]: ``{'meta': ..., 'state_dict': ...}`` without the
        optimizer, scheduler and message-hub states, and the number of
        keys removed.
    """
    state_dict = checkpoint.get('state_dict', checkpoint)
    kept = {k: v for k, v in state_dict.items() if not k.startswith(prefix)}
    out = dict(state_dict=kept)
    if 'meta' in checkpoint:
        out['meta'] = checkpoint['meta']
    return out, len(state_dict) - len(kept)


def main() -> None:
    parser = argparse.ArgumentParser(
        description='Remove the discriminator from an adversarial checkpoint')
    parser.add_argument('src', help='checkpoint of AdversarialEncoderDecoder')
    parser.add_argument('dst', help='where to write the plain checkpoint')
    parser.add_argument(
        '--prefix',
        default='discriminator.',
        help='prefix of the keys to remove (default: discriminator.)')
    args = parser.parse_args()
    if not osp.isfile(args.src):
        raise SystemExit(f'Checkpoint `{args.src}` does not exist.')
    register_checkpoint_safe_globals()
    checkpoint = torch.load(args.src, map_location='cpu', weights_only=True)
    out, removed = strip_prefix(checkpoint, args.prefix)
    if removed == 0:
        raise SystemExit(
            f'`{args.src}` has no `{args.prefix}*` keys: it is not a '
            'checkpoint of an adversarial model (or pass --prefix).')
    torch.save(out, args.dst)
    print(f'Removed {removed} `{args.prefix}*` keys; kept '
          f'{len(out["state_dict"])}; wrote {args.dst}.')


if __name__ == '__main__':
    main()
