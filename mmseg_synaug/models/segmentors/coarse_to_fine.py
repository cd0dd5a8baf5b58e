"""A segmentor that refines a coarse label map into a fine one."""
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmseg.models.segmentors import EncoderDecoder
from mmseg.models.utils import resize
from mmseg.registry import MODELS
from mmseg.utils import (ConfigType, OptConfigType, OptMultiConfig,
                         OptSampleList, SampleList, add_prefix)
from torch import Tensor

from ...utils import DataError
from ..losses import adversarial_loss
from ..utils import AdversarialSegmentorMixin, frozen, one_hot_with_ignore

__all__ = ['CoarseToFineSegmentor']


@MODELS.register_module()
class CoarseToFineSegmentor(AdversarialSegmentorMixin, EncoderDecoder):
    """Refine a coarse label map into a fine one, given the image.

    The backbone (a U-Net, e.g. mmseg's ``UNet``) sees the image
    concatenated with the one-hot coarse map, ``3 + K`` channels (ignored
    pixels of the coarse map are all-zero vectors); the decode head predicts
    the fine map and is trained on it (e.g. with
    :class:`InverseFrequencyCrossEntropyLoss`). The coarse map comes from the
    data sample's ``coarse_seg_map`` field, written by
    :class:`PackCoarseFineInputs` at the packed image size; it is padded here
    like the image (bottom and right, ignore value). ``backbone.in_channels``
    is set from ``num_classes`` and ``image_only``.

    With ``coarse_skip`` (residual refinement), the one-hot coarse map times
    a learnt scale (initialised to ``coarse_skip``) is added to the decode
    head's logits, so the net starts from the coarse map and learns the
    corrections; this makes short trainings far more effective.

    With ``image_only=True`` the coarse map is not used (3 input channels,
    no skip): a plain image segmentor, the baseline of the comparison.

    With a ``discriminator`` (e.g. :class:`PixelDiscriminator`), training
    can also use samples that have only coarse labels (metainfo
    ``has_fine_label=False``, see :class:`PackCoarseFineInputs`): the
    discriminator learns to tell, per pixel, fine annotations (one-hot
    ``gt_sem_seg`` of samples with fine labels) from the refiner's softmax
    output; the refiner gets, on every sample, ``adv_loss_weight`` times the
    loss of making the discriminator call its output fine, plus, on the
    coarse-only samples, ``coarse_loss_weight`` times the cross-entropy to
    their coarse map. As every model with a discriminator here, its
    ``train_step`` (:class:`AdversarialSegmentorMixin`) then takes an
    :class:`OptimWrapperDict` with the keys ``segmentor`` (every module but
    the discriminator, and ``coarse_skip``) and ``discriminator``: it steps
    the refiner (the discriminator frozen), then the discriminator on the
    same, detached, outputs. Both losses are computed against the
    discriminator as it was before the step.

    Args:
        backbone (dict): Backbone config; ``in_channels`` is filled in.
        decode_head (dict): Decode head config, with ``num_classes`` K.
        num_classes (int): Number of classes K of the coarse and fine maps.
        image_only (bool): Ignore the coarse map. Defaults to False.
        coarse_skip (float, optional): Initial scale of the one-hot coarse
            map added to the logits; None adds nothing. Defaults to None.
        image_channels (int): Channels of the image. Defaults to 3.
        discriminator (dict, optional): Per-pixel discriminator config;
            ``in_channels`` is filled in. Defaults to None.
        adv_loss_weight (float): Weight of the refiner's adversarial loss.
            Defaults to 0.01.
        disc_loss_weight (float): Weight of the discriminator's loss.
            Defaults to 1.
        coarse_loss_weight (float): Weight of the cross-entropy to the
            coarse map on coarse-only samples. Defaults to 0.
        ignore_index (int): The ignore value of the label maps.
            Defaults to 255.
        neck, auxiliary_head, train_cfg, test_cfg, data_preprocessor,
        pretrained, init_cfg: As for
            :class:`mmseg.models.segmentors.EncoderDecoder`.

    Shape:
        - inputs: (N, image_channels, H, W), normalised and padded images
        - data_samples[i].coarse_seg_map: (1, h_i, w_i) with h_i <= H,
          w_i <= W
    """

    def __init__(self,
                 backbone: ConfigType,
                 decode_head: ConfigType,
                 num_classes: int,
                 image_only: bool = False,
                 coarse_skip: Optional[float] = None,
                 image_channels: int = 3,
                 discriminator: OptConfigType = None,
                 adv_loss_weight: float = 0.01,
                 disc_loss_weight: float = 1.0,
                 coarse_loss_weight: float = 0.0,
                 ignore_index: int = 255,
                 neck: OptConfigType = None,
                 auxiliary_head: OptConfigType = None,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 pretrained: Optional[str] = None,
                 init_cfg: OptMultiConfig = None) -> None:
        in_channels = image_channels + (0 if image_only else num_classes)
        backbone = dict(backbone)
        if backbone.get('in_channels') not in (None, in_channels):
            raise DataError(
                f'CoarseToFineSegmentor: backbone in_channels='
                f'{backbone["in_channels"]}, but the input has {in_channels} '
                f'channels ({image_channels} image'
                f'{"" if image_only else f" + {num_classes} coarse one-hot"}'
                ').',
                fix='Leave backbone.in_channels out (it is filled in) or set '
                f'it to {in_channels}.')
        backbone['in_channels'] = in_channels
        if decode_head.get('num_classes') != num_classes:
            raise DataError(
                f'CoarseToFineSegmentor: num_classes={num_classes} but '
                f'decode_head.num_classes={decode_head.get("num_classes")}.',
                fix='Give both the same number of classes.')
        super().__init__(
            backbone=backbone,
            decode_head=decode_head,
            neck=neck,
            auxiliary_head=auxiliary_head,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            data_preprocessor=data_preprocessor,
            pretrained=pretrained,
            init_cfg=init_cfg)
        self.num_classes = num_classes
        self.image_only = image_only
        self.image_channels = image_channels
        self.coarse_skip = (
            nn.Parameter(torch.tensor(float(coarse_skip)))
            if coarse_skip is not None and not image_only else None)
        self.ignore_index = ignore_index
        self.adv_loss_weight = adv_loss_weight
        self.disc_loss_weight = disc_loss_weight
        self.coarse_loss_weight = coarse_loss_weight
        self.discriminator = None
        if discriminator is not None:
            self.discriminator = MODELS.build(
                dict(discriminator, in_channels=image_channels + num_classes))

    def _stack_maps(self, data_samples: SampleList, key: str, size: torch.Size,
                    device: torch.device) -> Tensor:
        """Stack one label-map field of the samples, padded to ``size``."""
        maps = []
        for data_sample in data_samples:
            if key not in data_sample:
                raise DataError(
                    f'The data sample of `{data_sample.get("img_path")}` has '
                    f'no `{key}`, which CoarseToFineSegmentor needs.',
                    fix='End the pipeline with PackCoarseFineInputs and load '
                    'or simulate the coarse map before it, or set '
                    'image_only=True.')
            label = data_sample.get(key).data[..., :size[0], :size[1]]
            label = F.pad(
                label,
                (0, size[1] - label.shape[-1], 0, size[0] - label.shape[-2]),
                value=self.ignore_index)
            maps.append(label.to(device))
        return torch.cat(maps, dim=0)

    def build_inputs(self, inputs: Tensor,
                     data_samples: OptSampleList) -> Tensor:
        """Concatenate the images with their one-hot coarse maps.

        Args:
            inputs (Tensor): Images, (N, C, H, W).
            data_samples (list[SegDataSample], optional): With
                ``coarse_seg_map``; unused when ``image_only``.

        Returns:
            Tensor: (N, C + K, H, W), or ``inputs`` when ``image_only``.
        """
        if self.image_only:
            return inputs
        if data_samples is None:
            raise DataError(
                'CoarseToFineSegmentor needs the data samples (with their '
                '`coarse_seg_map`) to refine.',
                fix='Pass data_samples packed by PackCoarseFineInputs, or '
                'use image_only=True.')
        coarse = self._stack_maps(data_samples, 'coarse_seg_map',
                                  inputs.shape[2:], inputs.device)
        onehot = one_hot_with_ignore(coarse, self.num_classes,
                                     self.ignore_index).to(inputs.dtype)
        return torch.cat([inputs, onehot], dim=1)

    def loss(self, inputs: Tensor, data_samples: SampleList) -> dict:
        """Losses of the refiner.

        With a discriminator, its adversarial term (the discriminator
        frozen) and the coarse-map term are among them; the
        discriminator's own loss is :meth:`discriminator_losses`, stepped
        by ``train_step`` (:class:`AdversarialSegmentorMixin`).

        Args:
            inputs (Tensor): Images, (N, C, H, W).
            data_samples (list[SegDataSample]): With ``gt_sem_seg`` and
                ``coarse_seg_map``.

        Returns:
            dict[str, Tensor]: The losses and ``decode.acc_seg``.
        """
        return self.adversarial_losses(inputs, data_samples)[0]

    def adversarial_losses(
        self, inputs: Tensor, data_samples: SampleList
    ) -> Tuple[Dict[str, Tensor], Optional[Tuple[Tensor, ...]]]:
        """The refiner's losses, and what the discriminator step needs.

        Args:
            inputs (Tensor): Images, (N, C, H, W).
            data_samples (list[SegDataSample]): With ``gt_sem_seg`` and
                ``coarse_seg_map``.

        Returns:
            tuple: The losses (with a discriminator, ``decode.loss_adv``
            judged by the frozen discriminator and ``decode.loss_coarse``),
            and None without a discriminator, else the arguments of
            :meth:`discriminator_losses`.
        """
        x_in = self.build_inputs(inputs, data_samples)
        x = self.extract_feat(x_in)
        seg_logits = self.add_coarse_skip(self.decode_head.forward(x), x_in)
        losses = add_prefix(
            self.decode_head.loss_by_feat(seg_logits, data_samples), 'decode')
        judged = None
        if self.discriminator is not None:
            adversarial, judged = self._adversarial_losses(
                inputs, seg_logits, data_samples)
            losses.update(adversarial)
        if self.with_auxiliary_head:
            losses.update(self._auxiliary_head_forward_train(x, data_samples))
        return losses, judged

    def discriminator_losses(self, inputs: Tensor, real: Tensor,
                             real_mask: Tensor, probs: Tensor,
                             in_image: Tensor) -> Dict[str, Tensor]:
        """The discriminator's loss: fine maps real, refined ones fake.

        Per pixel, binary cross-entropy averaged over the labelled pixels
        of the samples with fine labels (real) and over the image pixels
        (fake), weighted by ``disc_loss_weight``.

        Args:
            inputs (Tensor): Images, (N, C, H, W).
            real (Tensor): One-hot fine maps, (N, K, H, W).
            real_mask (Tensor): Pixels with a fine label, (N, 1, H, W).
            probs (Tensor): The refiner's softmax, detached, (N, K, H, W).
            in_image (Tensor): Pixels inside the image (not padding),
                (N, 1, H, W).

        Returns:
            dict[str, Tensor]: ``loss_disc``, the weighted loss.
        """
        loss = (
            adversarial_loss(
                self.discriminator(inputs, real),
                True,
                weight=real_mask,
                avg_factor=real_mask.sum().clamp(min=1)) + adversarial_loss(
                    self.discriminator(inputs, probs.detach()),
                    False,
                    weight=in_image,
                    avg_factor=in_image.sum().clamp(min=1)))
        return dict(loss_disc=self.disc_loss_weight * loss)

    def add_coarse_skip(self, seg_logits: Tensor, x_in: Tensor) -> Tensor:
        """Add the scaled one-hot coarse map to the logits (if enabled).

        Args:
            seg_logits (Tensor): Decode head logits, (N, K, h, w).
            x_in (Tensor): The network input, image then one-hot coarse
                channels, (N, C + K, H, W).

        Returns:
            Tensor: Logits of shape (N, K, h, w).
        """
        if self.coarse_skip is None:
            return seg_logits
        onehot = x_in[:, self.image_channels:]
        if onehot.shape[2:] != seg_logits.shape[2:]:
            onehot = F.interpolate(
                onehot, size=seg_logits.shape[2:], mode='nearest')
        return seg_logits + self.coarse_skip * onehot

    def encode_decode(self, inputs: Tensor,
                      batch_img_metas: List[dict]) -> Tensor:
        """Logits at the input size, for image + coarse inputs.

        Args:
            inputs (Tensor): Network inputs (built by :meth:`build_inputs`),
                (N, C + K, H, W).
            batch_img_metas (list[dict]): Meta information of the images.

        Returns:
            Tensor: Logits, (N, K, H, W).
        """
        seg_logits = self.add_coarse_skip(
            self.decode_head.forward(self.extract_feat(inputs)), inputs)
        return self.decode_head.predict_by_feat(seg_logits, batch_img_metas)

    def _adversarial_losses(
        self, inputs: Tensor, seg_logits: Tensor, data_samples: SampleList
    ) -> Tuple[Dict[str, Tensor], Tuple[Tensor, ...]]:
        """The refiner's adversarial (and coarse) losses, and the
        arguments of :meth:`discriminator_losses`."""
        size = inputs.shape[2:]
        device = inputs.device
        seg_logits = resize(
            seg_logits,
            size=size,
            mode='bilinear',
            align_corners=self.decode_head.align_corners)
        probs = seg_logits.softmax(dim=1)
        fine = self._stack_maps(data_samples, 'gt_sem_seg', size, device)
        has_fine = torch.tensor([
            bool(s.metainfo.get('has_fine_label', True)) for s in data_samples
        ],
                                device=device)
        in_image = torch.zeros_like(fine, dtype=torch.bool)
        for i, data_sample in enumerate(data_samples):
            height, width = data_sample.metainfo.get('img_shape', size)[:2]
            in_image[i, :height, :width] = True
        real_mask = ((fine != self.ignore_index)
                     & has_fine.view(-1, 1, 1)).unsqueeze(1).to(probs)
        in_image = in_image.unsqueeze(1).to(probs)

        losses = dict()
        real = one_hot_with_ignore(fine, self.num_classes,
                                   self.ignore_index).to(probs)
        with frozen(self.discriminator):
            judged = self.discriminator(inputs, probs)
        losses['decode.loss_adv'] = self.adv_loss_weight * adversarial_loss(
            judged,
            True,
            weight=in_image,
            avg_factor=in_image.sum().clamp(min=1))

        if self.coarse_loss_weight > 0:
            coarse = self._stack_maps(data_samples, 'coarse_seg_map', size,
                                      device)
            coarse[has_fine] = self.ignore_index
            loss = F.cross_entropy(
                seg_logits,
                coarse,
                ignore_index=self.ignore_index,
                reduction='sum') / (coarse
                                    != self.ignore_index).sum().clamp(min=1)
            losses['decode.loss_coarse'] = self.coarse_loss_weight * loss
        return losses, (inputs, real, real_mask, probs.detach(), in_image)

    def predict(self,
                inputs: Tensor,
                data_samples: OptSampleList = None) -> SampleList:
        """Predict the fine maps, resized to the original image size.

        Args:
            inputs (Tensor): Images, (N, C, H, W).
            data_samples (list[SegDataSample], optional): With
                ``coarse_seg_map`` (required unless ``image_only``).

        Returns:
            list[SegDataSample]: With ``pred_sem_seg`` and ``seg_logits``.
        """
        return super().predict(
            self.build_inputs(inputs, data_samples), data_samples)

    def _forward(self,
                 inputs: Tensor,
                 data_samples: OptSampleList = None) -> Tensor:
        """Decode head output without post-processing.

        Args:
            inputs (Tensor): Images, (N, C, H, W).
            data_samples (list[SegDataSample], optional): With
                ``coarse_seg_map`` (required unless ``image_only``).

        Returns:
            Tensor: Logits of the decode head.
        """
        x_in = self.build_inputs(inputs, data_samples)
        return self.add_coarse_skip(
            self.decode_head.forward(self.extract_feat(x_in)), x_in)
