"""PSPNet-score of synthetic and real features (He, Schiele and Fritz).

Patches of the config's ``score_dataloader`` (the val split) give masks
and the frozen segmentor's real features; the generator makes synthetic
features from the same masks. Both go through the frozen layers after the
stage (later backbone stages and the decode head); the scores of their
predictions against the masks are printed, real first as the reference,
and written as JSON with ``--out``.

Usage:
    python tools/analysis_tools/feature_score.py GENERATOR_CONFIG CHECKPOINT
        [--num-batches N] [--seed S] [--out scores.json] [--generator-only]
        [--cfg-options KEY=VALUE ...]

A generator checkpoint holds the frozen segmentor it was trained on;
``--generator-only`` loads its generator alone and scores it with the
config's ``model.data_preprocessor.checkpoint`` instead: how far a
generator carries to another segmentor (another seed's baseline, which
fine-tuning with synthetic features would give it).
"""
import argparse
import json
from typing import Dict

import numpy as np
import torch
from mmengine.config import Config, DictAction
from mmengine.registry import init_default_scope
from mmengine.runner import Runner, load_checkpoint, load_state_dict
from mmengine.runner.utils import set_random_seed
from mmseg.registry import MODELS

from mmseg_synaug.evaluation import FeatureScore
from mmseg_synaug.utils import run_tool
from mmseg_synaug.utils.checkpoint import (checkpoint_state_dict,
                                           read_checkpoint, sub_state_dict)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='PSPNet-score of synthetic and real features')
    parser.add_argument('config', help='feature generator config file')
    parser.add_argument(
        'checkpoint',
        nargs='?',
        help='FeatureBicycleGAN checkpoint; omitted: untrained generator')
    parser.add_argument(
        '--num-batches',
        type=int,
        default=None,
        help='batches of score_dataloader to use (default: all)')
    parser.add_argument('--seed', type=int, default=0, help='random seed')
    parser.add_argument('--out', help='write the scores as JSON here')
    parser.add_argument(
        '--generator-only',
        action='store_true',
        help='load only the generator from CHECKPOINT; the frozen '
        "segmentor is the config's model.data_preprocessor.checkpoint")
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override settings of the config, as key=value pairs')
    return parser.parse_args()


def score_features(
        cfg: Config,
        checkpoint: str = None,
        num_batches: int = None,
        generator_only: bool = False) -> Dict[str, Dict[str, float]]:
    """Scores (percent) of real and synthetic features of the score patches.

    Args:
        cfg (Config): Feature generator config with ``score_dataloader``.
        checkpoint (str, optional): FeatureBicycleGAN checkpoint.
            Defaults to None.
        num_batches (int, optional): Batches used. Defaults to None (all).
        generator_only (bool): Load only the generator's weights from
            ``checkpoint``, keeping the segmentor the config names.
            Defaults to False.

    Returns:
        dict: ``{'real': scores, 'synthetic': scores}``, each with aAcc,
        mAcc, mIoU, fwIoU and ``IoU.<class>``.
    """
    init_default_scope(cfg.get('default_scope', 'mmseg'))
    if 'score_dataloader' not in cfg:
        raise SystemExit('The config has no `score_dataloader` (the patches '
                         'to score).')
    model = MODELS.build(cfg.model)
    if checkpoint is not None and generator_only:
        state = checkpoint_state_dict(
            read_checkpoint(checkpoint, what='feature generator checkpoint'))
        load_state_dict(
            model.generator, sub_state_dict(state, 'generator.'), strict=True)
    elif checkpoint is not None:
        load_checkpoint(model, checkpoint, map_location='cpu')
    model.eval()
    preprocessor = model.data_preprocessor
    segmentor = preprocessor.segmentor
    stage_index = preprocessor.stage_index
    scores = dict(
        real=FeatureScore(segmentor, stage_index),
        synthetic=FeatureScore(segmentor, stage_index))
    loader = Runner.build_dataloader(cfg.score_dataloader)
    for i, batch in enumerate(loader):
        if num_batches is not None and i >= num_batches:
            break
        with torch.no_grad():
            data = preprocessor(batch, True)['inputs']
            scores['real'].update(data['features'], data['masks'])
            scores['synthetic'].update(
                model.generate(data['masks']), data['masks'])
    classes = loader.dataset.metainfo['classes']
    results = {}
    for name, score in scores.items():
        values = score.compute()
        out = {
            key: round(float(values[key]) * 100, 2)
            for key in ('aAcc', 'mAcc', 'mIoU', 'fwIoU')
        }
        for cls, iou in zip(classes, values['IoU']):
            out[f'IoU.{cls}'] = None if np.isnan(iou) else round(
                float(iou) * 100, 2)
        results[name] = out
    return results


def main() -> None:
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    set_random_seed(args.seed)
    if args.generator_only and args.checkpoint is None:
        raise SystemExit('--generator-only needs the generator CHECKPOINT '
                         'to load the generator from.')
    results = score_features(cfg, args.checkpoint, args.num_batches,
                             args.generator_only)
    print(f'{"features":<10} {"mIoU":>6} {"mAcc":>6} {"aAcc":>6}')
    for name, out in results.items():
        print(f'{name:<10} {out["mIoU"]:>6.2f} {out["mAcc"]:>6.2f} '
              f'{out["aAcc"]:>6.2f}')
    if args.out:
        with open(args.out, 'w') as f:
            json.dump(results, f, indent=2)


if __name__ == '__main__':
    run_tool(main)
