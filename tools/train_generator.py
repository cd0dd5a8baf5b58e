"""Train a label-to-image generator (e.g. Pix2PixHD) with mmengine's Runner.

Usage:
    python tools/train_generator.py configs/pix2pixhd/CONFIG.py
        [--work-dir DIR] [--resume] [--amp] [--cfg-options KEY=VALUE ...]
        [--launcher pytorch]

Checkpoints (generator, discriminators and both optimizers), logs and the
label | real | generated grids of GeneratorGridHook go to the work dir
(default ``work_dirs/<config name>``); ``--resume`` continues from its
latest checkpoint.
"""
from mmengine.runner import Runner

from mmseg_synaug.utils.train_cli import (load_train_config,
                                          parse_train_args, train_and_close,
                                          train_arg_parser)


def main() -> None:
    args = parse_train_args(
        train_arg_parser(
            'Train a label-to-image generator',
            config_help='generator config file path'))
    runner = Runner.from_cfg(load_train_config(args))
    train_and_close(runner)


if __name__ == '__main__':
    main()
