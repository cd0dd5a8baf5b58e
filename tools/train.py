"""Train any model of the project from its config with mmengine's Runner.

One tool for segmentors (PSPNet, U-Net, adversarial, feature-synthesis
fine-tuning), label-to-image generators (Pix2PixHD: checkpoints hold the
generator, the discriminators and both optimizers; GeneratorGridHook writes
label | real | generated grids) and feature generators
(FeatureBicycleGAN, whose config names the trained segmentor), as mmagic
has one tools/train.py.

Usage:
    python tools/train.py CONFIG [--work-dir DIR] [--resume |
        --resume-or-start] [--amp] [--cfg-options KEY=VALUE ...]
        [--launcher pytorch] [--debug]

Logs and checkpoints go to the work dir (default ``work_dirs/<config
name>``). ``--resume`` continues from its latest checkpoint (or from
``load_from``) and stops with an error when there is none;
``--resume-or-start`` then starts a new run. A ``--cfg-options`` key that
matches nothing in the config is refused (see
:mod:`mmseg_synaug.utils.config_options`). Bad data is reported as one
message naming the file and the fix; ``--debug`` (or ``SYNAUG_DEBUG=1``)
shows the traceback.
"""
from mmseg_synaug.utils import run_tool
from mmseg_synaug.utils.train_cli import (parse_train_args, train,
                                          train_arg_parser)


def main() -> None:
    train(parse_train_args(train_arg_parser()))


if __name__ == '__main__':
    run_tool(main)
