"""Tiny Pix2PixHD configs inheriting the real CPU-scale one (import it)."""
import importlib.util
from pathlib import Path

from helpers import REPO_ROOT

CPU_CONFIG = (
    REPO_ROOT / 'configs/pix2pixhd/'
    'pix2pixhd_w16-d3-r3_1xb2-2k_camvid-128x128.py')


def tiny_generator_config(tmp_path: Path,
                          iters: int = 2,
                          base_channels: int = 4) -> str:
    """64x64 crops, widths of 4-16, 2 discriminators, grid every 2 iters."""
    path = tmp_path / f'tiny_gen_{base_channels}.py'
    path.write_text(f"""
_base_ = ['{CPU_CONFIG}']
crop_size = (64, 64)
train_dataloader = dict(
    num_workers=0, persistent_workers=False,
    dataset=dict(pipeline=[
        dict(type='LoadCheckedImage'),
        dict(type='LoadCheckedAnnotations', num_classes=11),
        dict(type='RandomCrop', crop_size=crop_size),
        dict(type='PackSegInputs')]))
model = dict(
    generator=dict(base_channels={base_channels}, num_downsamples=2,
                   num_blocks=1),
    discriminator=dict(base_channels=4, num_scales=2),
    data_preprocessor=dict(size=crop_size))
train_cfg = dict(max_iters={iters})
default_hooks = dict(checkpoint=dict(interval=1), logger=dict(interval=1))
custom_hooks = [dict(type='GeneratorGridHook', interval=2, max_samples=2)]
randomness = dict(seed=0)
""")
    return str(path)


def load_tool(name: str):
    """Import ``tools/<name>.py`` as a module."""
    spec = importlib.util.spec_from_file_location(
        f'{name}_tool', REPO_ROOT / 'tools' / f'{name}.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
