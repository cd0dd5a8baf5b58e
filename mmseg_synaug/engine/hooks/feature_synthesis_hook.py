"""Fine-tune a segmentor on real images plus synthetic features."""
import os.path as osp
import random
from collections import deque
from typing import List, Optional, Sequence, Union

import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.logging import print_log
from mmengine.runner.checkpoint import _load_checkpoint
from mmseg.registry import HOOKS, MODELS

from ...models.segmentors import FeatureSynthesisEncoderDecoder
from ...utils import DataError
from .mask_sources import (BatchMaskSource, MaskSource, build_mask_source,
                           fit_mask)

__all__ = ['FeatureSynthesisHook']

DATA_BATCH = Optional[dict]


def _stage_channels(backbone: nn.Module, stage_index: int) -> int:
    block = getattr(backbone, backbone.res_layers[stage_index])[-1]
    last = block.conv3 if hasattr(block, 'conv3') else block.conv2
    return last.out_channels


@HOOKS.register_module()
class FeatureSynthesisHook(Hook):
    """Replace a share of each training batch with synthetic features.

    He, Schiele and Fritz, "Synthetic Convolutional Features for Improved
    Semantic Segmentation": a frozen feature generator (the generator of a
    trained :class:`FeatureBicycleGAN`) turns label masks into features of
    one backbone stage; the layers after that stage are fine-tuned on real
    and synthetic features, the encoder on real images only.

    Design: before each training iteration the hook takes the last
    ``round(synthetic_share * N)`` samples out of the batch (at least one,
    at most ``N - 1``), generates as many synthetic features from layouts
    and hands them to the model,
    :class:`FeatureSynthesisEncoderDecoder`, with
    :meth:`~FeatureSynthesisEncoderDecoder.set_synthetic_batch`. The
    model's ``loss`` then adds ``loss_synthetic`` (label smoothing on the
    synthetic samples by default), weighted by ``n_synthetic / n_real`` so
    that every sample counts as in one mixed batch. The optimizer step is
    the ordinary one of ``train_step``: one backward, one update.

    Layouts come, in this order, from the hardest masks found by online
    hard negative mining (OHNM), then from the mask sources, one source
    per layout drawn by weight; the ``'batch'`` source gives first the
    masks of the samples just taken out of the batch.

    OHNM: every ``ohnm_interval`` iterations ``ohnm_pool_size`` candidate
    masks are drawn from the sources, synthetic features generated for
    them and scored by the segmentor's synthetic loss (eval mode, no
    gradients); the ``ohnm_topk`` hardest are queued as layouts for the
    next iterations.

    Args:
        generator (str | dict): A feature generator config
            (:class:`FeatureGenerator`), or the config file of the
            :class:`FeatureBicycleGAN` training (its ``model.generator``).
        generator_checkpoint (str, optional): Checkpoint of the
            FeatureBicycleGAN training (``generator.`` keys are used) or of
            the generator alone. None keeps random weights (tests only).
            Defaults to None.
        synthetic_share (float): Share of each batch made synthetic, in
            [0, 1). Defaults to 0.3.
        mask_sources (Sequence[dict]): Layout sources: ``dict(type='batch')``
            (training masks), ``dict(type='dataset', dataset=...)`` (e.g. val
            masks), ``dict(type='folder', path=...)`` (label maps, e.g.
            LabelRecomposition output), ``dict(type='pseudo_label',
            dataset=..., threshold=0.9)``; each takes a ``weight``.
            Defaults to ``(dict(type='batch'),)``.
        ohnm_interval (int): Iterations between two minings; 0 turns OHNM
            off. Defaults to 50.
        ohnm_pool_size (int): Candidate masks scored per mining.
            Defaults to 32.
        ohnm_topk (int): Hardest masks kept per mining. Defaults to 8.
        ohnm_chunk (int): Candidates scored per forward. Defaults to 8.
        ignore_index (int): Label of unlabelled pixels. Defaults to 255.
        require_load_from (bool): Refuse to start without a trained
            segmentor (``load_from`` naming a file, or ``--resume``).
            Defaults to True.
        seed (int, optional): Seed of the layout draws. Defaults to None.
    """

    priority = 'NORMAL'

    def __init__(self,
                 generator: Union[str, dict],
                 generator_checkpoint: Optional[str] = None,
                 synthetic_share: float = 0.3,
                 mask_sources: Sequence[dict] = (dict(type='batch'), ),
                 ohnm_interval: int = 50,
                 ohnm_pool_size: int = 32,
                 ohnm_topk: int = 8,
                 ohnm_chunk: int = 8,
                 ignore_index: int = 255,
                 require_load_from: bool = True,
                 seed: Optional[int] = None) -> None:
        if not 0 <= synthetic_share < 1:
            raise ValueError('synthetic_share must be in [0, 1) (some real '
                             f'images are needed), got {synthetic_share}.')
        if ohnm_interval < 0:
            raise ValueError(
                f'ohnm_interval must be >= 0 (0: off), got {ohnm_interval}.')
        if ohnm_interval and not 0 < ohnm_topk <= ohnm_pool_size:
            raise ValueError('OHNM needs 0 < ohnm_topk <= ohnm_pool_size, '
                             f'got {ohnm_topk} and {ohnm_pool_size}.')
        if not mask_sources:
            raise ValueError('mask_sources needs at least one source.')
        self.generator_cfg = generator
        self.generator_checkpoint = generator_checkpoint
        self.synthetic_share = synthetic_share
        self.sources: List[MaskSource] = [
            build_mask_source(cfg) for cfg in mask_sources
        ]
        self.ohnm_interval = ohnm_interval
        self.ohnm_pool_size = ohnm_pool_size
        self.ohnm_topk = ohnm_topk
        self.ohnm_chunk = ohnm_chunk
        self.ignore_index = ignore_index
        self.require_load_from = require_load_from
        self.rng = random.Random(seed)
        self.generator: Optional[nn.Module] = None
        self.hard_layouts: deque = deque()

    # -- set-up ---------------------------------------------------------
    def build_generator(self) -> nn.Module:
        """Build the frozen generator and load its checkpoint."""
        cfg = self.generator_cfg
        if isinstance(cfg, str):
            if not osp.isfile(cfg):
                raise DataError(
                    f'The generator config `{cfg}` does not exist.',
                    fix='Give the config the generator was trained with.')
            cfg = Config.fromfile(cfg).model.generator
        generator = MODELS.build(cfg)
        path = self.generator_checkpoint
        if path is None:
            print_log(
                'FeatureSynthesisHook: no generator checkpoint, the '
                'synthetic features come from random weights.',
                logger='current')
        elif not osp.isfile(path):
            raise DataError(
                f'The feature generator checkpoint `{path}` does not exist.',
                fix='Train it with tools/train.py and set '
                '`generator_checkpoint` in the config.')
        else:
            state = _load_checkpoint(path, map_location='cpu')
            state = state.get('state_dict', state)
            if any(key.startswith('generator.') for key in state):
                state = {
                    key[len('generator.'):]: value
                    for key, value in state.items()
                    if key.startswith('generator.')
                }
            generator.load_state_dict(state, strict=True)
        generator.requires_grad_(False)
        generator.eval()
        return generator

    def before_run(self, runner) -> None:
        """Refuse to fine-tune without the trained segmentor's weights."""
        if not self.require_load_from or getattr(runner, '_resume', False):
            return
        load_from = getattr(runner, '_load_from', None)
        if load_from is None or not osp.isfile(load_from):
            raise DataError(
                'FeatureSynthesisHook fine-tunes a trained segmentor, but '
                f'load_from `{load_from}` is not a file.',
                fix='Train the segmentor first (tools/train.py with its '
                'baseline config) and set the checkpoint path variable of '
                'the config, or pass --cfg-options load_from=PATH.')

    def before_train(self, runner) -> None:
        """Check the model, build the generator and the mask sources."""
        model = self._model(runner)
        if not isinstance(model, FeatureSynthesisEncoderDecoder):
            raise TypeError(
                'FeatureSynthesisHook needs a FeatureSynthesisEncoderDecoder '
                f"(model.type), got {type(model).__name__}.")
        if self.generator is None:
            self.generator = self.build_generator()
        channels = _stage_channels(model.backbone, model.stage_index)
        if self.generator.feature_channels != channels:
            raise ValueError(
                f'The generator makes {self.generator.feature_channels}-'
                f'channel features but stage {model.stage_index} of the '
                f'segmentor has {channels} channels: train the generator at '
                "the segmentor's stage_index.")
        device = next(model.parameters()).device
        self.generator.to(device)
        for source in self.sources:
            source.prepare(runner)

    @staticmethod
    def _model(runner) -> nn.Module:
        model = runner.model
        return getattr(model, 'module', model)

    # -- per iteration --------------------------------------------------
    def num_synthetic(self, batch_size: int) -> int:
        """Synthetic samples in a batch: ``round(share * N)`` in [1, N-1].

        Args:
            batch_size (int): Samples the dataloader gave.

        Returns:
            int: 0 where the share is 0 or the batch holds one sample.
        """
        if self.synthetic_share == 0 or batch_size < 2:
            return 0
        return min(max(round(self.synthetic_share * batch_size), 1),
                   batch_size - 1)

    @torch.no_grad()
    def generate(self, masks: torch.Tensor) -> torch.Tensor:
        """Synthetic features of masks with random z (frozen generator)."""
        device = next(self.generator.parameters()).device
        return self.generator(masks.to(device))

    def _draw(self, size: Sequence[int],
              batch_masks: List[torch.Tensor]) -> torch.Tensor:
        weights = [
            source.weight if len(source) or isinstance(
                source, BatchMaskSource) and batch_masks else 0
            for source in self.sources
        ]
        if not any(weights):
            raise DataError('Every mask source is empty.',
                            fix="Add dict(type='batch') to mask_sources.")
        source = self.rng.choices(self.sources, weights)[0]
        if isinstance(source, BatchMaskSource) and batch_masks:
            mask = batch_masks.pop(0)
        else:
            mask = source.draw(self.rng)
        return fit_mask(mask, size, self.ignore_index, self.rng)

    def next_layouts(self, num: int, size: Sequence[int],
                     batch_masks: List[torch.Tensor]) -> torch.Tensor:
        """Layouts of the next synthetic samples: hard ones first.

        Args:
            num (int): How many.
            size (Sequence[int]): Their (H, W).
            batch_masks (list[Tensor]): Masks of the samples taken out of
                the batch (consumed by the ``'batch'`` source).

        Returns:
            Tensor: (num, H, W) labels.
        """
        layouts = []
        while len(layouts) < num and self.hard_layouts:
            layouts.append(
                fit_mask(self.hard_layouts.popleft(), size, self.ignore_index,
                         self.rng))
        batch_masks = list(batch_masks)
        while len(layouts) < num:
            layouts.append(self._draw(size, batch_masks))
        return torch.stack(layouts)

    @torch.no_grad()
    def mine_hard_layouts(self, model: nn.Module,
                          pool: torch.Tensor) -> torch.Tensor:
        """The ``ohnm_topk`` masks of a pool with the highest loss.

        Args:
            model (FeatureSynthesisEncoderDecoder): Scores masks with
                ``loss_synthetic_per_sample``.
            pool (Tensor): Candidate masks, (P, H, W).

        Returns:
            Tensor: (k, H, W) hardest masks, hardest first.
        """
        was_training = model.training
        model.eval()
        try:
            device = next(model.parameters()).device
            losses = []
            for chunk in pool.split(self.ohnm_chunk):
                chunk = chunk.to(device)
                losses.append(
                    model.loss_synthetic_per_sample(
                        self.generate(chunk), chunk).cpu())
            losses = torch.cat(losses)
        finally:
            model.train(was_training)
        top = losses.topk(min(self.ohnm_topk, len(losses))).indices
        self.last_ohnm_losses = losses
        return pool[top]

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: DATA_BATCH = None) -> None:
        """Take synthetic samples out of the batch and hand their features.

        Modifies ``data_batch`` in place (``inputs`` and ``data_samples``
        lose their last ``num_synthetic`` entries).
        """
        if data_batch is None or self.generator is None:
            return
        samples = data_batch['data_samples']
        num = self.num_synthetic(len(samples))
        if num == 0:
            return
        model = self._model(runner)
        all_masks = [
            sample.gt_sem_seg.data.squeeze(0).long() for sample in samples
        ]
        size = (max(mask.shape[0] for mask in all_masks),
                max(mask.shape[1] for mask in all_masks))
        keep = len(samples) - num
        removed_masks = all_masks[keep:]
        data_batch['inputs'] = data_batch['inputs'][:keep]
        data_batch['data_samples'] = samples[:keep]
        for source in self.sources:
            source.observe(all_masks)

        if self.ohnm_interval and runner.iter % self.ohnm_interval == 0:
            pool = torch.stack([
                self._draw(size, []) for _ in range(self.ohnm_pool_size)
            ])
            self.hard_layouts.extend(self.mine_hard_layouts(model, pool))
            runner.message_hub.update_scalar(
                'train/ohnm_hard_loss',
                float(self.last_ohnm_losses.topk(self.ohnm_topk).values.mean()))

        layouts = self.next_layouts(num, size, removed_masks)
        device = next(model.parameters()).device
        layouts = layouts.to(device)
        model.set_synthetic_batch(
            self.generate(layouts), layouts, weight=num / keep)
