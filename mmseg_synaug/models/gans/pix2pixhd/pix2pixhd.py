"""Pix2PixHD: label-map-to-image GAN (Wang et al., CVPR 2018).

Written from the paper: a coarse-to-fine generator
(:class:`Pix2PixHDGenerator`),
multi-scale PatchGAN discriminators (:class:`MultiScalePatchDiscriminator`),
the LSGAN objective, discriminator feature matching and an optional VGG
perceptual loss. The instance-level feature embedding of section 3.4 is not
implemented.
"""
import copy
import json
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.logging import MessageHub
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapperDict
from mmengine.structures import PixelData
from mmseg.registry import MODELS

from ....utils import DataError
from ...losses import (VGGPerceptualLoss, feature_matching_loss,
                       multiscale_lsgan_loss)
from ...utils import frozen, player_optim_wrappers
from .architecture import architecture_difference, plain
from .label_input import instance_boundaries, label_to_input
from .registration import register_gan_module

__all__ = ['Pix2PixHD', 'instance_boundaries']


def _with_type(cfg: dict, default: str) -> dict:
    """A sub-module config built from mmseg's registry in mmseg's scope.

    ``_scope_`` keeps the build independent of the caller's default scope
    (a ``mmagic``-scoped build would import all of mmagic.models); an
    explicit ``mmagic.X`` type still goes to MMagic's registry.
    """
    cfg = copy.deepcopy(dict(cfg))
    cfg.setdefault('type', default)
    cfg['_scope_'] = 'mmseg'
    return cfg


@register_gan_module
class Pix2PixHD(BaseModel):
    """Pix2PixHD, trained with :meth:`train_step` over generator and
    discriminator optimizers.

    The generator input is the one-hot label map (``num_classes`` channels;
    a pixel with ``ignore_index`` has all zeros) plus, with
    ``use_instance_map``, the boundary map of the instance map. The
    discriminators see that input concatenated with an image in [-1, 1].

    Objective: ``sum_k LSGAN(G, D_k) + feature_matching_weight *
    sum_k FM(G, D_k) + perceptual loss`` (paper Eq. 3-5). As in the
    paper's reference code, each step computes the generator's and the
    discriminators' losses against the same discriminators, then updates
    the generator, then the discriminators; ``discriminator_first=True``
    updates the discriminators first and computes the generator's losses
    against the updated ones.

    The checkpoint records the architecture (``num_classes``, the
    generator and discriminator settings) as this module's extra state;
    loading it into a model built differently raises a :class:`DataError`
    naming both, before any weight shape is compared. One exception, the
    paper's coarse-to-fine training: a checkpoint of G1 alone loads into a
    model with local enhancers whose G1 has the same settings (through
    ``load_from``, which loads non-strictly: the enhancers keep their
    initial weights and G1's own output layer is left out);
    ``freeze_global_iters`` then keeps G1 fixed while G2 starts.

    Registered in mmseg's ``MODELS`` (``type='Pix2PixHD'``, no MMagic
    needed) and, where MMagic is installed, in MMagic's
    (``type='mmagic.Pix2PixHD'``).

    Args:
        num_classes (int): Number of classes K of the label maps.
        generator (dict): :class:`Pix2PixHDGenerator` arguments (and
            optionally ``type``); ``in_channels`` is set here.
        discriminator (dict): :class:`MultiScalePatchDiscriminator`
            arguments (and optionally ``type``); ``in_channels`` is set here.
        ignore_index (int): Label value with no class. Defaults to 255.
        use_instance_map (bool): Add the instance-boundary channel; data
            samples then carry ``gt_instance_map``. Defaults to False.
        gan_loss_weight (float): Weight of the generator's LSGAN loss.
            Defaults to 1.0.
        feature_matching_weight (float): Lambda of feature matching; 0
            disables it. Each term is scaled as in the paper's reference
            code (:func:`feature_matching_loss`). Defaults to 10.0.
        perceptual_loss (dict, optional): :class:`VGGPerceptualLoss`
            arguments (``pretrained`` local path, ``loss_weight``, ...);
            None or ``loss_weight=0`` disables it (no VGG is built and no
            weights are needed). Defaults to None.
        discriminator_first (bool): Update the discriminators before
            computing the generator's losses (and step them first), instead
            of the reference's order (both losses against the same
            discriminators, the generator stepped first). Defaults to
            False.
        freeze_global_iters (int): Train iterations (from the start of
            training, as mmengine's message hub counts them) during which
            the global generator G1 is not updated: the second stage of
            coarse-to-fine training starts G2 on a loaded G1. Under DDP,
            G1 gets no gradient then: set
            ``model_wrapper_cfg=dict(type='MMDistributedDataParallel',
            find_unused_parameters=True)`` for such a run. Defaults to 0.
        data_preprocessor (dict, optional): Defaults to mmseg's
            ``SegDataPreProcessor`` mapping images to [-1, 1] RGB and padding
            batches (label: ``ignore_index``) to a multiple of the
            generator's size divisor.
        init_cfg (dict, optional): Initialisation config. Defaults to None.
    """

    def __init__(self,
                 num_classes: int,
                 generator: dict,
                 discriminator: dict,
                 ignore_index: int = 255,
                 use_instance_map: bool = False,
                 gan_loss_weight: float = 1.0,
                 feature_matching_weight: float = 10.0,
                 perceptual_loss: Optional[dict] = None,
                 discriminator_first: bool = False,
                 freeze_global_iters: int = 0,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None) -> None:
        if data_preprocessor is None:
            data_preprocessor = dict(
                type='mmseg.SegDataPreProcessor',
                mean=[127.5] * 3,
                std=[127.5] * 3,
                bgr_to_rgb=True,
                pad_val=0,
                seg_pad_val=ignore_index,
                size_divisor=2**(generator.get('num_downsamples', 4) +
                                 generator.get('num_local_enhancers', 0)))
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if num_classes < 1:
            raise DataError(
                f'Pix2PixHD: num_classes must be >= 1, got {num_classes}.')
        self.num_classes = num_classes
        self.ignore_index = ignore_index
        self.use_instance_map = use_instance_map
        self.gan_loss_weight = gan_loss_weight
        self.feature_matching_weight = feature_matching_weight
        self.discriminator_first = discriminator_first
        self.freeze_global_iters = freeze_global_iters
        label_channels = num_classes + int(use_instance_map)
        generator = _with_type(generator, 'Pix2PixHDGenerator')
        discriminator = _with_type(discriminator,
                                   'MultiScalePatchDiscriminator')
        generator['in_channels'] = label_channels
        discriminator['in_channels'] = label_channels + 3
        self.generator = MODELS.build(generator)
        self.discriminator = MODELS.build(discriminator)
        self.perceptual_loss = None
        if perceptual_loss is not None and perceptual_loss.get(
                'loss_weight', 10.0) > 0:
            self.perceptual_loss = VGGPerceptualLoss(**perceptual_loss)
        #: What the checkpoint records; compared when one is loaded.
        self.arch = plain(
            dict(
                num_classes=num_classes,
                use_instance_map=use_instance_map,
                generator={
                    k: v
                    for k, v in generator.items() if k != '_scope_'
                },
                discriminator={
                    k: v
                    for k, v in discriminator.items() if k != '_scope_'
                }))

    # ------------------------------------------------------------------
    # Architecture record in the checkpoint
    def get_extra_state(self) -> torch.Tensor:
        """Saved in the state dict as ``_extra_state``: the architecture as
        JSON bytes in a tensor (every state dict value is a tensor, which
        mmengine broadcasts to all ranks of a distributed run)."""
        record = json.dumps(dict(pix2pixhd_arch=self.arch)).encode()
        return torch.tensor(list(record), dtype=torch.uint8)

    def set_extra_state(self, state: Union[torch.Tensor, dict]) -> None:
        """Refuse a checkpoint of another architecture, naming both.

        A G1-only checkpoint of this model's G1 is accepted (coarse to
        fine, see the class documentation).
        """
        if isinstance(state, torch.Tensor):
            state = json.loads(bytes(state.tolist()).decode())
        saved = state.get('pix2pixhd_arch') if isinstance(state,
                                                          dict) else None
        if saved is None:
            return
        differing = architecture_difference(saved, self.arch)
        if differing:
            raise DataError(
                'The Pix2PixHD checkpoint was trained with the architecture '
                f'{saved}, but the config builds {self.arch} (they differ in '
                f'{differing}).',
                fix='Use the config the checkpoint was trained with (a copy '
                'is in its work dir), or a checkpoint of this config.')

    # ------------------------------------------------------------------
    # Inputs
    def label_to_input(
            self,
            label: torch.Tensor,
            instance: Optional[torch.Tensor] = None) -> torch.Tensor:
        """One-hot label map (plus instance boundaries): the generator input.

        Args:
            label (torch.Tensor): Class indices of shape (N, H, W) (or
                (N, 1, H, W)); ``ignore_index`` gives an all-zero vector.
            instance (torch.Tensor, optional): Instance ids of shape
                (N, H, W); required with ``use_instance_map``.

        Returns:
            torch.Tensor: Float tensor of shape
            (N, num_classes [+ 1], H, W).
        """
        return label_to_input(label, self.num_classes, self.ignore_index,
                              instance, self.use_instance_map)

    def _unpack(self, data_samples: Sequence) -> tuple:
        label = torch.stack(
            [sample.gt_sem_seg.data[0] for sample in data_samples])
        instance = None
        if self.use_instance_map:
            missing = [
                i for i, sample in enumerate(data_samples)
                if 'gt_instance_map' not in sample
            ]
            if missing:
                raise DataError(
                    'use_instance_map=True but the data samples '
                    f'{missing} have no gt_instance_map.',
                    fix='Add the instance maps to the pipeline or set '
                    'model.use_instance_map=False.')
            instance = torch.stack(
                [sample.gt_instance_map.data[0] for sample in data_samples])
        return label, instance

    # ------------------------------------------------------------------
    # Training
    def global_frozen(self) -> bool:
        """Whether G1 is kept fixed at the current train iteration."""
        if self.freeze_global_iters <= 0:
            return False
        iteration = MessageHub.get_current_instance().get_info('iter', 0)
        return iteration < self.freeze_global_iters

    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        """One update of the generator and one of the discriminators.

        In the reference's order: both players' losses against the same
        discriminators, the generator stepped, then the discriminators
        (``discriminator_first`` reverses it).

        Args:
            data (dict): A batch from the dataloader (``inputs``: images,
                ``data_samples``: with ``gt_sem_seg``).
            optim_wrapper (OptimWrapperDict): With ``generator`` and
                ``discriminator`` wrappers (OptimWrapper or AmpOptimWrapper).

        Returns:
            dict[str, torch.Tensor]: Log variables.
        """
        g_wrapper, d_wrapper = player_optim_wrappers(
            optim_wrapper, ('generator', 'discriminator'),
            type(self).__name__)
        data = self.data_preprocessor(data, True)
        real = data['inputs']
        label, instance = self._unpack(data['data_samples'])
        cond = self.label_to_input(label.to(real.device), instance)

        # Coarse to fine: G1 can stay fixed while the enhancers start.
        frozen_g1 = self.global_frozen()
        for param in self.generator.global_parameters():
            param.requires_grad_(not frozen_g1)
        with g_wrapper.optim_context(self.generator):
            fake = self.generator(cond)

        def discriminator_loss() -> Tuple[torch.Tensor, dict]:
            """Real pairs to 1, generated pairs to 0."""
            with d_wrapper.optim_context(self.discriminator):
                pred_fake = self.discriminator(
                    torch.cat([cond, fake.detach()], dim=1))
                pred_real = self.discriminator(torch.cat([cond, real], dim=1))
                return self.parse_losses(
                    dict(
                        loss_gan_d_fake=0.5 *
                        multiscale_lsgan_loss(pred_fake, False),
                        loss_gan_d_real=0.5 *
                        multiscale_lsgan_loss(pred_real, True)))

        # Each player's forward passes are followed by its own backward
        # before the other's: a discriminator wrapped in DDP (a launcher)
        # accepts no second forward with gradients before the backward of
        # the first. In the reference's order the discriminators' loss is
        # computed after the generator's step, which leaves them as they
        # were: the same values as computing both losses first.
        if self.discriminator_first:
            loss_d, vars_d = discriminator_loss()
            d_wrapper.update_params(loss_d)

        # Generator: fool the discriminators, match their features.
        with g_wrapper.optim_context(self.generator), frozen(
                self.discriminator):
            pred_fake = self.discriminator(torch.cat([cond, fake], dim=1))
            losses_g = dict(loss_gan_g=self.gan_loss_weight *
                            multiscale_lsgan_loss(pred_fake, True))
            if self.feature_matching_weight > 0:
                with torch.no_grad():
                    pred_real = self.discriminator(
                        torch.cat([cond, real], dim=1))
                losses_g['loss_feat'] = (
                    self.feature_matching_weight *
                    feature_matching_loss(pred_real, pred_fake))
            if self.perceptual_loss is not None:
                losses_g[self.perceptual_loss.loss_name] = (
                    self.perceptual_loss(fake, real))
            loss_g, vars_g = self.parse_losses(losses_g)
        g_wrapper.update_params(loss_g)
        if not self.discriminator_first:
            loss_d, vars_d = discriminator_loss()
            d_wrapper.update_params(loss_d)

        vars_d['loss_d'] = vars_d.pop('loss')
        vars_g['loss_g'] = vars_g.pop('loss')
        return {**vars_d, **vars_g}

    # ------------------------------------------------------------------
    # Inference
    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[List] = None,
                mode: str = 'tensor') -> Union[torch.Tensor, List]:
        """Generate images for the label maps of ``data_samples``.

        Args:
            inputs (torch.Tensor): Real images (unused except for the size).
            data_samples (list): With ``gt_sem_seg``.
            mode (str): ``'tensor'`` returns images of shape (N, 3, H, W) in
                [-1, 1]; ``'predict'`` returns the data samples with
                ``fake_img`` (PixelData, [0, 1]). Training uses
                :meth:`train_step`, not ``mode='loss'``.

        Returns:
            torch.Tensor | list: See ``mode``.
        """
        if data_samples is None:
            raise DataError('Pix2PixHD.forward needs data samples with '
                            'gt_sem_seg label maps.')
        label, instance = self._unpack(data_samples)
        fake = self.generator(self.label_to_input(label, instance))
        if mode == 'tensor':
            return fake
        if mode == 'predict':
            for sample, image in zip(data_samples, fake):
                sample.fake_img = PixelData(data=(image + 1) / 2)
            return data_samples
        raise DataError(
            f"Pix2PixHD.forward mode '{mode}' is not supported.",
            fix="Use 'tensor' or 'predict'; train with train_step.")

    @torch.no_grad()
    def synthesize(self,
                   label: torch.Tensor,
                   instance: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Images for label maps of any size, in [0, 1].

        The maps are padded with the ignore value to a multiple of the
        generator's size divisor, and the images cropped back.

        Args:
            label (torch.Tensor): Class indices of shape (N, H, W).
            instance (torch.Tensor, optional): Instance ids of shape
                (N, H, W), with ``use_instance_map``.

        Returns:
            torch.Tensor: RGB images of shape (N, 3, H, W) in [0, 1].
        """
        was_training = self.training
        self.eval()
        device = next(self.generator.parameters()).device
        label = label.to(device)
        if label.dim() == 4 and label.shape[1] == 1:
            label = label[:, 0]
        height, width = label.shape[-2:]
        divisor = self.generator.size_divisor
        pad_h, pad_w = -height % divisor, -width % divisor
        if pad_h or pad_w:
            label = F.pad(label, (0, pad_w, 0, pad_h), value=self.ignore_index)
            if instance is not None:
                instance = F.pad(
                    instance.to(device).float().unsqueeze(1),
                    (0, pad_w, 0, pad_h),
                    mode='replicate')[:, 0].long()
        fake = self.generator(self.label_to_input(label, instance))
        self.train(was_training)
        return ((fake[:, :, :height, :width] + 1) / 2).clamp(0, 1)
