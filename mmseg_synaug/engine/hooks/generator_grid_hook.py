"""Save a label | real | generated grid while a generator trains."""
import os
import os.path as osp
from typing import Optional, Sequence

import cv2
import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmseg.registry import HOOKS

from ...visualization import colorize

__all__ = ['GeneratorGridHook']


@HOOKS.register_module()
class GeneratorGridHook(Hook):
    """Every ``interval`` iterations, write a PNG grid of the current batch.

    Each row is one sample: its label map in the dataset palette | the real
    image | the image the generator makes from the label map. The model
    must have ``data_preprocessor``, ``_unpack`` and ``synthesize`` like
    :class:`Pix2PixHD`. Files go to
    ``{work_dir}/{out_dir}/iter_{N}.png``.

    Args:
        interval (int): Iterations between grids. Defaults to 100.
        max_samples (int): Rows per grid. Defaults to 4.
        out_dir (str): Folder in the work dir. Defaults to
            ``'generator_grids'``.
        palette (Sequence[Sequence[int]], optional): Class colours; None
            takes the training dataset's. Defaults to None.
    """

    priority = 'LOW'

    def __init__(self,
                 interval: int = 100,
                 max_samples: int = 4,
                 out_dir: str = 'generator_grids',
                 palette: Optional[Sequence[Sequence[int]]] = None) -> None:
        if interval < 1:
            raise ValueError(
                f'GeneratorGridHook: interval must be >= 1, got {interval}.')
        self.interval = interval
        self.max_samples = max_samples
        self.out_dir = out_dir
        self.palette = palette

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch: Optional[dict] = None,
                         outputs: Optional[dict] = None) -> None:
        if data_batch is None or not self.every_n_train_iters(
                runner, self.interval):
            return
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        palette = self.palette
        if palette is None:
            palette = runner.train_dataloader.dataset.metainfo['palette']
        path = osp.join(runner.work_dir, self.out_dir,
                        f'iter_{runner.iter + 1}.png')
        self.save_grid(model, data_batch, palette, path)
        runner.logger.info(f'Saved the generator grid {path}')

    def save_grid(self, model, data_batch: dict,
                  palette: Sequence[Sequence[int]], path: str) -> None:
        """Generate for the batch and write the grid PNG to ``path``."""
        with torch.no_grad():
            data = model.data_preprocessor(data_batch, True)
            samples = data['data_samples'][:self.max_samples]
            real = data['inputs'][:self.max_samples]
            label, instance = model._unpack(samples)
            fake = model.synthesize(label, instance)
        real = ((real + 1) / 2).clamp(0, 1)
        rows = []
        for i in range(len(samples)):
            colour = colorize(label[i].cpu().numpy(), palette)
            images = [(image.permute(1, 2, 0).cpu().numpy() *
                       255).round().astype(np.uint8)
                      for image in (real[i], fake[i])]
            rows.append(np.concatenate([colour] + images, axis=1))
        grid = np.concatenate(rows, axis=0)
        os.makedirs(osp.dirname(path), exist_ok=True)
        cv2.imwrite(path, cv2.cvtColor(grid, cv2.COLOR_RGB2BGR))
