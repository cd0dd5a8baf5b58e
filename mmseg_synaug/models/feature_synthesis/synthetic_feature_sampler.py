"""The synthetic part of each training batch: layouts, features, hard ones.

He, Schiele and Fritz, "Synthetic Convolutional Features for Improved
Semantic Segmentation" (2018): a frozen feature generator
turns label masks into features of one backbone stage; 30% of what the
layers after that stage see is synthetic; online hard negative mining
(OHNM) makes the hardest layouts come back.

:class:`SyntheticFeatureSampler` is owned by
:class:`~mmseg_synaug.models.FeatureSynthesisEncoderDecoder` and works
inside its ``loss`` (so under the same autocast as the rest of the
forward), on the device, with no value read back to the host:

- how many synthetic samples: added to the real ones, so that
  ``synthetic_share`` of all samples seen is synthetic, counted over all
  processes (error diffusion of ``share / (1 - share)`` per real sample,
  exact to within one sample at every iteration);
- layouts: the hardest mined ones first, then the :class:`LayoutSampler`;
- OHNM, amortised: the synthetic loss of every generated sample is
  recorded (it is computed anyway for training) in a pool; every
  ``ohnm_interval`` iterations the ``ohnm_topk`` highest of the pool are
  queued as the next layouts. No extra forward pass.

The generator is not a submodule of the segmentor: it is not in its
checkpoints, its optimizer or DDP's buffers; it follows the batch's device.
"""
import logging
import os.path as osp
from fractions import Fraction
from typing import Optional, Tuple, Union

import torch
import torch.nn as nn
from mmengine.config import Config
from mmengine.dist import get_rank, get_world_size
from mmengine.logging import print_log
from mmengine.runner import load_state_dict
from mmseg.registry import MODELS, TASK_UTILS

from ...utils import DataError
from ...utils.checkpoint import (checkpoint_state_dict, read_checkpoint,
                                 sub_state_dict)
from .backbone_split import stage_channels
from .layout_sampler import LayoutSampler
from .mask_sources import fit_masks

__all__ = ['SyntheticFeatureSampler']


@TASK_UTILS.register_module()
@TASK_UTILS.register_module(name='FeatureSynthesizer')
class SyntheticFeatureSampler:
    """Frozen feature generator, layout sampler and OHNM of one segmentor.

    Makes the synthetic features (and their layouts) that are added to each
    training batch. Registered as ``'SyntheticFeatureSampler'`` and, for
    configs written before it was renamed, ``'FeatureSynthesizer'``.

    Args:
        generator (str | dict): A :class:`FeatureGenerator` config, or the
            config file of the :class:`FeatureBicycleGAN` training (its
            ``model.generator``).
        generator_checkpoint (str, optional): Checkpoint of the
            FeatureBicycleGAN training (its ``generator.`` keys are used)
            or of the generator alone. None keeps random weights (tests
            only). Defaults to None.
        synthetic_share (float): Share of all samples the layers after the
            stage see that is synthetic, in [0, 1). Synthetic samples are
            added to the real batch. Defaults to 0.3.
        layout_sampler (dict): :class:`LayoutSampler` config.
            Defaults to ``dict(type='LayoutSampler')`` (the batch's masks).
        ohnm_interval (int): Iterations between two minings; 0 turns OHNM
            off. Defaults to 50.
        ohnm_pool_size (int): Most recent synthetic samples (layout and
            loss) mined from. Defaults to 32.
        ohnm_topk (int): Hardest layouts queued per mining. Defaults to 8.
        ignore_index (int): Label of unlabelled pixels. Defaults to 255.
    """

    def __init__(self,
                 generator: Union[str, dict],
                 generator_checkpoint: Optional[str] = None,
                 synthetic_share: float = 0.3,
                 layout_sampler: dict = dict(type='LayoutSampler'),
                 ohnm_interval: int = 50,
                 ohnm_pool_size: int = 32,
                 ohnm_topk: int = 8,
                 ignore_index: int = 255) -> None:
        if not 0 <= synthetic_share < 1:
            raise ValueError('synthetic_share must be in [0, 1) (some real '
                             f'images are needed), got {synthetic_share}.')
        if ohnm_interval < 0:
            raise ValueError(
                f'ohnm_interval must be >= 0 (0: off), got {ohnm_interval}.')
        if ohnm_interval and not 0 < ohnm_topk <= ohnm_pool_size:
            raise ValueError('OHNM needs 0 < ohnm_topk <= ohnm_pool_size, '
                             f'got {ohnm_topk} and {ohnm_pool_size}.')
        self.generator_cfg = generator
        self.generator_checkpoint = generator_checkpoint
        self.synthetic_share = synthetic_share
        share = Fraction(str(synthetic_share))
        self.per_real = share / (1 - share)
        self.layout_sampler: LayoutSampler = TASK_UTILS.build(
            layout_sampler) if isinstance(layout_sampler,
                                          dict) else layout_sampler
        self.ohnm_interval = ohnm_interval
        self.ohnm_pool_size = ohnm_pool_size
        self.ohnm_topk = ohnm_topk
        self.ignore_index = ignore_index
        self.generator: Optional[nn.Module] = None
        self._trained_on: Optional[dict] = None
        self.prepared = False
        # Global counts (all processes) of real and synthetic samples.
        self.num_real_seen = 0
        self.num_synthetic_seen = 0
        self.iteration = 0
        self._rank_offset = 0
        # OHNM state, on the device: a ring buffer and the hard queue.
        self._pool_masks: Optional[torch.Tensor] = None
        self._pool_losses: Optional[torch.Tensor] = None
        self._pool_filled = 0
        self._pool_next = 0
        self._hard: Optional[torch.Tensor] = None
        self.last_hard_loss: Optional[torch.Tensor] = None
        self.mined_at: Optional[int] = None

    # -- set-up ---------------------------------------------------------
    def build_generator(self) -> nn.Module:
        """Build the frozen generator and load its checkpoint.

        Reads with :func:`~mmseg_synaug.utils.checkpoint.read_checkpoint`
        (a missing or unreadable file is a clear error) and loads with
        ``load_state_dict`` (strict: every key must match).
        """
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
                'SyntheticFeatureSampler: no generator checkpoint, the '
                'synthetic features come from random weights.',
                logger='current')
        elif not osp.isfile(path):
            raise DataError(
                f'The feature generator checkpoint `{path}` does not exist.',
                fix='Train it (configs/feature_synthesis/featgan-*.py) and '
                'set model.synthesizer.generator_checkpoint.')
        else:
            checkpoint = read_checkpoint(
                path,
                what='feature generator checkpoint '
                '(model.synthesizer.generator_checkpoint)',
                fix='Give the checkpoint of the FeatureBicycleGAN trained '
                'with the generator config named here (tools/train.py '
                'configs/feature_synthesis/featgan-*.py).')
            state = checkpoint_state_dict(checkpoint)
            # The backbone whose features the generator learned (a
            # FeatureBicycleGAN checkpoint holds its frozen segmentor).
            self._trained_on = sub_state_dict(
                state, 'data_preprocessor.segmentor.backbone.') or None
            state = sub_state_dict(state, 'generator.') or state
            try:
                load_state_dict(generator, state, strict=True)
            except RuntimeError as error:
                raise DataError(
                    f'`{path}` is not a checkpoint of this generator: '
                    f'{error}',
                    fix='Give the checkpoint of the FeatureBicycleGAN '
                    'trained with the generator config named here.') from None
        generator.requires_grad_(False)
        generator.eval()
        return generator

    def prepare(self, segmentor: nn.Module) -> None:
        """Build the generator, check it against the segmentor, load sources.

        Called once, by :class:`FeatureSynthesisHook` before training or
        at the first training iteration.

        Args:
            segmentor (nn.Module): The segmentor being fine-tuned, with
                ``backbone`` and ``stage_index``.
        """
        if self.prepared:
            return
        if self.generator is None:
            self.generator = self.build_generator()
        channels = stage_channels(segmentor.backbone, segmentor.stage_index)
        made = getattr(self.generator, 'feature_channels', channels)
        if made != channels:
            raise ValueError(
                f'The generator makes {made}-channel features but stage '
                f'{segmentor.stage_index} of the segmentor has {channels} '
                "channels: train the generator at the segmentor's "
                'stage_index.')
        self.layout_sampler.prepare(segmentor)
        self.prepared = True

    def check_trained_on(self, segmentor: nn.Module) -> bool:
        """Warn when the generator learned another backbone's features.

        A generator makes the features of the backbone it was trained on;
        another backbone (another seed's baseline) gives its channels other
        meanings and reads them as noise (BENCHMARKS.md, "CPU regime: every
        method over seeds 0-2": PSPNet-score 5-8 mIoU against 20). Compared
        where the checkpoint holds its frozen segmentor (a
        FeatureBicycleGAN checkpoint); :class:`FeatureSynthesisHook`
        calls it after :meth:`prepare` when training starts from
        ``load_from`` (not on a resume, whose backbone has moved).

        Args:
            segmentor (nn.Module): The segmentor being fine-tuned.

        Returns:
            bool: False where the backbones differ (and a warning was
            logged), True otherwise.
        """
        trained_on = self._trained_on
        if not trained_on:
            return True
        own = segmentor.backbone.state_dict()
        shared = [
            key for key in trained_on
            if key in own and own[key].is_floating_point()
        ]
        differ = [
            key for key in shared if not torch.allclose(
                own[key].detach().float().cpu(),
                trained_on[key].float(),
                rtol=1e-3,
                atol=1e-5)
        ]
        if not differ:
            return True
        print_log(
            f'SyntheticFeatureSampler: the generator '
            f'({self.generator_checkpoint}) was trained on the features of '
            f'another backbone than the one fine-tuned here ({len(differ)} '
            f'of {len(shared)} backbone tensors differ, e.g. `{differ[0]}`): '
            'its synthetic features will be noise to this segmentor. Train '
            'the generator on this segmentor (its '
            'model.data_preprocessor.checkpoint = your load_from).',
            logger='current',
            level=logging.WARNING)
        return False

    def state_dict(self) -> dict:
        """The counters that make the share exact across a resume."""
        return dict(
            num_real_seen=self.num_real_seen,
            num_synthetic_seen=self.num_synthetic_seen,
            iteration=self.iteration,
            rank_offset=self._rank_offset)

    def load_state_dict(self, state: dict) -> None:
        """Restore :meth:`state_dict` (e.g. from a checkpoint's meta)."""
        self.num_real_seen = state['num_real_seen']
        self.num_synthetic_seen = state['num_synthetic_seen']
        self.iteration = state['iteration']
        self._rank_offset = state['rank_offset']

    # -- per iteration --------------------------------------------------
    def num_synthetic(self, batch_size: int) -> int:
        """Synthetic samples this process adds to its batch (counts it).

        Over all processes, the number of synthetic samples seen is
        ``floor(share / (1 - share) * real samples seen)``; this
        iteration's new ones are split over the processes, the remainder
        going round. Assumes every process has the same batch size.

        Args:
            batch_size (int): Real samples of this process's batch.

        Returns:
            int: Synthetic samples to add here.
        """
        world, rank = get_world_size(), get_rank()
        self.num_real_seen += batch_size * world
        total = int(self.per_real * self.num_real_seen)  # floor, exact
        new = total - self.num_synthetic_seen
        self.num_synthetic_seen = total
        base, extra = divmod(new, world)
        mine = base + int((rank - self._rank_offset) % world < extra)
        self._rank_offset = (self._rank_offset + extra) % world
        return mine

    @property
    def realised_share(self) -> float:
        """Synthetic share of all samples seen so far, all processes."""
        seen = self.num_real_seen + self.num_synthetic_seen
        return self.num_synthetic_seen / seen if seen else 0.0

    def sample_layouts(self, num: int,
                       batch_masks: torch.Tensor) -> torch.Tensor:
        """Layouts of the next synthetic samples: hard ones first.

        Args:
            num (int): How many.
            batch_masks (Tensor): Labels of the real batch, (N, H, W).

        Returns:
            Tensor: (num, H, W) int64 labels on the batch's device.
        """
        parts = []
        if self._hard is not None:
            hard, self._hard = self._hard[:num], self._hard[num:]
            if not len(self._hard):
                self._hard = None
            parts.append(
                fit_masks(hard, batch_masks.shape[-2:],
                          self.ignore_index).long())
        missing = num - sum(len(p) for p in parts)
        if missing:
            parts.append(self.layout_sampler.sample(missing, batch_masks))
        return parts[0] if len(parts) == 1 else torch.cat(parts)

    @torch.no_grad()
    def generate(self, layouts: torch.Tensor) -> torch.Tensor:
        """Synthetic features of layouts with random z (frozen generator).

        Runs under the caller's autocast; labels are not checked (no host
        synchronisation).

        Shape:
            - layouts: (M, H, W)
            - output: (M, C_s, ceil(H / d_s), ceil(W / d_s))
        """
        if self.generator is None:
            self.generator = self.build_generator()
        if next(self.generator.parameters()).device != layouts.device:
            self.generator.to(layouts.device)
        return self.generator(layouts, check_labels=False)

    def synthesize(
        self, batch_masks: torch.Tensor
    ) -> Optional[Tuple[torch.Tensor, torch.Tensor]]:
        """Count the iteration, mine when due, and make the synthetic part.

        Args:
            batch_masks (Tensor): Labels of the real batch, (N, H, W).

        Returns:
            tuple[Tensor, Tensor] | None: ``(features, layouts)``, or None
            where this process adds no synthetic sample this iteration.
        """
        self.iteration += 1
        if (self.ohnm_interval and self.iteration > 1
                and (self.iteration - 1) % self.ohnm_interval == 0):
            self.mine()
        num = self.num_synthetic(batch_masks.size(0))
        if num == 0:
            return None
        layouts = self.sample_layouts(num, batch_masks)
        return self.generate(layouts), layouts

    # -- online hard negative mining ------------------------------------
    def record(self, layouts: torch.Tensor, losses: torch.Tensor) -> None:
        """Keep the layouts of generated samples with their losses.

        Args:
            layouts (Tensor): (M, H, W) labels.
            losses (Tensor): (M,) per-sample synthetic losses (detached).
        """
        if not self.ohnm_interval:
            return
        layouts = layouts[-self.ohnm_pool_size:]
        losses = losses[-self.ohnm_pool_size:].detach().float()
        if (self._pool_masks is None
                or self._pool_masks.shape[-2:] != layouts.shape[-2:]
                or self._pool_masks.device != layouts.device):
            self._pool_masks = layouts.new_full(
                (self.ohnm_pool_size, *layouts.shape[-2:]),
                self.ignore_index,
                dtype=torch.uint8)
            self._pool_losses = losses.new_zeros(self.ohnm_pool_size)
            self._pool_filled = self._pool_next = 0
        m = layouts.size(0)
        index = torch.arange(
            m, device=layouts.device).add_(self._pool_next).remainder_(
                self.ohnm_pool_size)
        self._pool_masks.index_copy_(0, index, layouts.to(torch.uint8))
        self._pool_losses.index_copy_(0, index, losses)
        self._pool_next = (self._pool_next + m) % self.ohnm_pool_size
        self._pool_filled = min(self._pool_filled + m, self.ohnm_pool_size)

    def mine(self) -> Optional[torch.Tensor]:
        """Queue the ``ohnm_topk`` highest-loss layouts of the pool.

        The pool is emptied: the next mining ranks fresh samples.

        Returns:
            Tensor | None: Mean loss of the mined layouts (on the device),
            None where the pool is empty.
        """
        if not self._pool_filled:
            return None
        losses = self._pool_losses[:self._pool_filled]
        values, index = losses.topk(min(self.ohnm_topk, self._pool_filled))
        hard = self._pool_masks[index]
        self._hard = hard if self._hard is None else torch.cat(
            [self._hard, hard])
        self._pool_filled = self._pool_next = 0
        self.last_hard_loss = values.mean()
        self.mined_at = self.iteration
        return self.last_hard_loss
