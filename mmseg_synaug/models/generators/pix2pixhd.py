"""Pix2PixHD: label-map-to-image GAN (Wang et al., CVPR 2018).

Written from the paper: a coarse-to-fine generator
(:class:`Pix2PixHDGenerator`),
multi-scale PatchGAN discriminators (:class:`MultiScalePatchDiscriminator`),
the LSGAN objective, discriminator feature matching and an optional VGG
perceptual loss. The instance-level feature embedding of section 3.4 is not
implemented.
"""
import copy
from typing import Dict, List, Optional, Sequence, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapperDict
from mmengine.structures import PixelData
from mmagic.registry import MODELS

from ...utils import DataError
from ..losses import (VGGPerceptualLoss, feature_matching_loss,
                      multiscale_lsgan_loss)

__all__ = ['Pix2PixHD', 'instance_boundaries']


def instance_boundaries(instance: torch.Tensor) -> torch.Tensor:
    """Boundary map of an instance map (paper section 3.3).

    A pixel is 1 where its instance id differs from one of its four
    neighbours, else 0.

    Args:
        instance (torch.Tensor): Instance ids of shape (N, H, W).

    Returns:
        torch.Tensor: Float map of shape (N, 1, H, W).

    Shape:
        - Input: (N, H, W).
        - Output: (N, 1, H, W).
    """
    edge = torch.zeros_like(instance, dtype=torch.bool)
    vertical = instance[:, 1:, :] != instance[:, :-1, :]
    horizontal = instance[:, :, 1:] != instance[:, :, :-1]
    edge[:, 1:, :] |= vertical
    edge[:, :-1, :] |= vertical
    edge[:, :, 1:] |= horizontal
    edge[:, :, :-1] |= horizontal
    return edge.unsqueeze(1).float()


def _set_requires_grad(module: nn.Module, flag: bool) -> None:
    for param in module.parameters():
        param.requires_grad_(flag)


def _with_type(cfg: dict, default: str) -> dict:
    cfg = copy.deepcopy(dict(cfg))
    name = cfg.pop('type', default)
    cfg['type'] = name if '.' in name else f'mmagic.{name}'
    return cfg


def _plain(value):
    """Config values as plain, pickle-safe builtins (tuples become lists)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


@MODELS.register_module()
class Pix2PixHD(BaseModel):
    """Pix2PixHD, trained with :meth:`train_step` over generator and
    discriminator optimizers.

    The generator input is the one-hot label map (``num_classes`` channels;
    a pixel with ``ignore_index`` has all zeros) plus, with
    ``use_instance_map``, the boundary map of the instance map. The
    discriminators see that input concatenated with an image in [-1, 1].

    Objective: ``sum_k LSGAN(G, D_k) + feature_matching_weight *
    sum_k FM(G, D_k) + perceptual loss`` (paper Eq. 3-5); each step
    updates the discriminators, then the generator.

    The checkpoint records the architecture (``num_classes``, the
    generator and discriminator settings) as this module's extra state;
    loading it into a model built differently raises a :class:`DataError`
    naming both, before any weight shape is compared.

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
            disables it. Defaults to 10.0.
        perceptual_loss (dict, optional): :class:`VGGPerceptualLoss`
            arguments (``pretrained`` local path, ``loss_weight``, ...);
            None or ``loss_weight=0`` disables it (no VGG is built and no
            weights are needed). Defaults to None.
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
        self.arch = _plain(
            dict(
                num_classes=num_classes,
                use_instance_map=use_instance_map,
                generator=generator,
                discriminator=discriminator))

    # ------------------------------------------------------------------
    # Architecture record in the checkpoint
    def get_extra_state(self) -> dict:
        """Saved in the state dict as ``_extra_state``."""
        return dict(pix2pixhd_arch=copy.deepcopy(self.arch))

    def set_extra_state(self, state: dict) -> None:
        """Refuse a checkpoint of another architecture, naming both."""
        saved = state.get('pix2pixhd_arch') if isinstance(state,
                                                          dict) else None
        if saved is None:
            return
        if saved != self.arch:
            differing = sorted(
                key for key in set(saved) | set(self.arch)
                if saved.get(key) != self.arch.get(key))
            raise DataError(
                'The Pix2PixHD checkpoint was trained with the architecture '
                f'{saved}, but the config builds {self.arch} (they differ in '
                f'{differing}).',
                fix='Use the config the checkpoint was trained with (a copy '
                'is in its work dir), or a checkpoint of this config.')

    # ------------------------------------------------------------------
    # Inputs
    def label_to_input(self,
                       label: torch.Tensor,
                       instance: Optional[torch.Tensor] = None
                       ) -> torch.Tensor:
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
        if label.dim() == 4 and label.shape[1] == 1:
            label = label[:, 0]
        if label.dim() != 3:
            raise DataError(
                f'Pix2PixHD expects label maps of shape (N, H, W), got '
                f'{tuple(label.shape)}.')
        if label.is_floating_point():
            raise DataError('Pix2PixHD expects integer label maps, got '
                            f'{label.dtype}.')
        label = label.long()
        ignored = label == self.ignore_index
        bad = (~ignored) & ((label < 0) | (label >= self.num_classes))
        if bad.any():
            values = torch.unique(label[bad]).tolist()
            raise DataError(
                f'The label map holds the values {values[:10]}, outside the '
                f'{self.num_classes} classes (0-{self.num_classes - 1}) and '
                f'the ignore value {self.ignore_index} of this Pix2PixHD.',
                fix='Map these values to a class or to the ignore value, or '
                'set model.num_classes to the dataset\'s number of classes.')
        index = label.masked_fill(ignored, 0)
        one_hot = F.one_hot(index, self.num_classes).permute(0, 3, 1, 2)
        one_hot = one_hot.float() * (~ignored).unsqueeze(1).float()
        if not self.use_instance_map:
            return one_hot
        if instance is None:
            raise DataError(
                'This Pix2PixHD has use_instance_map=True but got no '
                'instance map.',
                fix='Give instance maps (data samples with gt_instance_map) '
                'or set model.use_instance_map=False.')
        if instance.dim() == 4:
            instance = instance[:, 0]
        if instance.shape != label.shape:
            raise DataError(
                f'The instance map {tuple(instance.shape)} and the label map '
                f'{tuple(label.shape)} differ in shape.')
        return torch.cat([one_hot, instance_boundaries(instance)], dim=1)

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
    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        """One update of the discriminators, then one of the generator.

        Args:
            data (dict): A batch from the dataloader (``inputs``: images,
                ``data_samples``: with ``gt_sem_seg``).
            optim_wrapper (OptimWrapperDict): With ``generator`` and
                ``discriminator`` wrappers (OptimWrapper or AmpOptimWrapper).

        Returns:
            dict[str, torch.Tensor]: Log variables.
        """
        for key in ('generator', 'discriminator'):
            if key not in optim_wrapper:
                raise DataError(
                    f'Pix2PixHD.train_step needs an optimizer wrapper '
                    f"'{key}', got {list(optim_wrapper.keys())}.",
                    fix='Use optim_wrapper=dict(constructor='
                    "'MultiOptimWrapperConstructor', generator=..., "
                    'discriminator=...).')
        data = self.data_preprocessor(data, True)
        real = data['inputs']
        label, instance = self._unpack(data['data_samples'])
        cond = self.label_to_input(label.to(real.device), instance)
        g_wrapper = optim_wrapper['generator']
        d_wrapper = optim_wrapper['discriminator']
        log_vars = {}

        with g_wrapper.optim_context(self.generator):
            fake = self.generator(cond)

        # Discriminators: real pairs to 1, generated pairs to 0.
        _set_requires_grad(self.discriminator, True)
        with d_wrapper.optim_context(self.discriminator):
            pred_fake = self.discriminator(
                torch.cat([cond, fake.detach()], dim=1))
            pred_real = self.discriminator(torch.cat([cond, real], dim=1))
            losses_d = dict(
                loss_gan_d_fake=0.5 * multiscale_lsgan_loss(pred_fake, False),
                loss_gan_d_real=0.5 * multiscale_lsgan_loss(pred_real, True))
            loss_d, vars_d = self.parse_losses(losses_d)
        d_wrapper.update_params(loss_d)
        vars_d['loss_d'] = vars_d.pop('loss')
        log_vars.update(vars_d)

        # Generator: fool the updated discriminators, match their features.
        _set_requires_grad(self.discriminator, False)
        with g_wrapper.optim_context(self.generator):
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
        _set_requires_grad(self.discriminator, True)
        vars_g['loss_g'] = vars_g.pop('loss')
        log_vars.update(vars_g)
        return log_vars

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
            label = F.pad(label, (0, pad_w, 0, pad_h),
                          value=self.ignore_index)
            if instance is not None:
                instance = F.pad(
                    instance.to(device).float().unsqueeze(1),
                    (0, pad_w, 0, pad_h),
                    mode='replicate')[:, 0].long()
        fake = self.generator(self.label_to_input(label, instance))
        self.train(was_training)
        return ((fake[:, :, :height, :width] + 1) / 2).clamp(0, 1)
