"""Train a segmentor from a config, as mmseg's tools/train.py does.

Usage:
    python tools/train.py CONFIG [--work-dir DIR] [--resume] [--amp]
        [--cfg-options KEY=VALUE ...] [--launcher pytorch]
"""
from mmengine.runner import Runner

from mmseg_synaug.utils.train_cli import (load_train_config,
                                          parse_train_args, train_and_close,
                                          train_arg_parser)


def main() -> None:
    args = parse_train_args(train_arg_parser('Train a segmentor'))
    runner = Runner.from_cfg(load_train_config(args))
    train_and_close(runner)


if __name__ == '__main__':
    main()
