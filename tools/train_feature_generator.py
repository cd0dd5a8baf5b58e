"""Train a feature generator (FeatureBicycleGAN) through mmengine's Runner.

The config names the trained segmentor whose stage features are imitated
(``model.data_preprocessor``: config, checkpoint, ``stage_index``); see
``configs/feature_synthesis/featgan-*.py``.

Usage:
    python tools/train_feature_generator.py CONFIG [--work-dir DIR]
        [--resume] [--cfg-options KEY=VALUE ...] [--launcher pytorch]
"""
from mmengine.runner import Runner

from mmseg_synaug.utils.train_cli import (load_train_config,
                                          parse_train_args, train_and_close,
                                          train_arg_parser)


def main() -> None:
    parser = train_arg_parser(
        'Train a feature generator on a segmentor\'s features',
        config_help='feature generator config file',
        amp=False)
    args = parse_train_args(parser)
    cfg = load_train_config(args)
    if cfg.model.get('type') != 'FeatureBicycleGAN':
        raise SystemExit(
            f'{args.config} trains a {cfg.model.get("type")}, not a '
            'FeatureBicycleGAN; train segmentors with tools/train.py.')
    runner = Runner.from_cfg(cfg)
    train_and_close(runner)


if __name__ == '__main__':
    main()
