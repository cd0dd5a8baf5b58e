"""A BicycleGAN that synthesizes backbone features from label masks.

He, Schiele and Fritz, "Synthetic Convolutional Features for Improved
Semantic Segmentation": the generator is a layout encoder of stacked ASPP
modules (dilations 1, 2, 4, a stride of 2 after each) that brings the
full-resolution one-hot mask down to the feature resolution, followed by a
U-Net fed with the encoded layout and a latent code z; the discriminator
encodes the layout the same way, concatenates it with a (real or
synthetic) feature and judges the pair patch by patch. The objective is
BicycleGAN's (Zhu et al., "Toward Multimodal Image-to-Image Translation",
2017): cVAE-GAN (encode the real feature to z, reconstruct it: L1 and KL)
plus cLR-GAN (generate from a random z, encode the result back: latent
regression L1), each with an adversarial (LSGAN) term.
"""
import math
from typing import Dict, Optional, Sequence, Tuple, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmcv.cnn import ConvModule
from mmengine.model import BaseModel, BaseModule
from mmengine.optim import OptimWrapperDict
from mmseg.models.decode_heads.aspp_head import ASPPModule
from mmseg.registry import MODELS

__all__ = [
    'mask_to_onehot', 'ASPPLayoutEncoder', 'FeatureUNet', 'FeatureGenerator',
    'FeatureEncoder', 'FeatureDiscriminator', 'FeatureBicycleGAN'
]

ConfigType = Union[dict, nn.Module]


def mask_to_onehot(masks: torch.Tensor, num_classes: int,
                   ignore_index: int = 255) -> torch.Tensor:
    """One-hot encode label masks; ignored pixels become all-zero vectors.

    Args:
        masks (Tensor): Class indices.
        num_classes (int): Number of classes K.
        ignore_index (int): Label given a zero vector. Defaults to 255.

    Returns:
        Tensor: Float one-hot masks.

    Shape:
        - masks: (N, H, W) or (N, 1, H, W)
        - output: (N, K, H, W)
    """
    if masks.dim() == 4:
        masks = masks.squeeze(1)
    masks = masks.long()
    valid = masks != ignore_index
    bad = valid & ((masks < 0) | (masks >= num_classes))
    if bad.any():
        raise ValueError(
            f'Masks hold labels {masks[bad].unique().tolist()} outside '
            f'[0, {num_classes - 1}] that are not ignore_index={ignore_index};'
            ' check num_classes and the label mapping of the dataset.')
    onehot = F.one_hot(torch.where(valid, masks, 0), num_classes)
    return (onehot * valid.unsqueeze(-1)).permute(0, 3, 1, 2).float()


def _num_stages(downsample_factor: int) -> int:
    stages = int(round(math.log2(downsample_factor))) \
        if downsample_factor >= 1 else -1
    if downsample_factor < 2 or 2**stages != downsample_factor:
        raise ValueError('downsample_factor (the output stride of the '
                         'feature) must be a power of 2 >= 2, got '
                         f'{downsample_factor}.')
    return stages


class ASPPLayoutEncoder(BaseModule):
    """Stacked ASPP modules bringing a one-hot mask to feature resolution.

    Each stage applies mmseg's :class:`ASPPModule` (parallel convolutions
    with the given dilations), concatenates the branches and halves the
    resolution with a stride-2 3x3 convolution, as a ResNet does
    (``ceil(H / 2)``), so that ``log2(downsample_factor)`` stages give the
    size of the backbone's feature for any input size.

    Args:
        num_classes (int): Number of classes K of the masks.
        downsample_factor (int): Output stride of the target feature, a
            power of 2 (16 for ResNet stage 3 without dilation, 8 with
            mmseg's ``-d8`` dilation).
        channels (int | Sequence[int]): Width of each stage (one value for
            all). Defaults to 64.
        dilations (Sequence[int]): Dilations of the ASPP branches.
            Defaults to (1, 2, 4).
        ignore_index (int): Label encoded as a zero vector. Defaults to 255.
        norm_cfg (dict, optional): Normalization layers.
            Defaults to ``dict(type='BN')``.
        act_cfg (dict): Activation layers. Defaults to ``dict(type='ReLU')``.
        init_cfg (dict, optional): Initialization. Defaults to None.

    Shape:
        - masks: (N, H, W) class indices
        - output: (N, channels[-1], ceil(H / f), ceil(W / f))
    """

    def __init__(self,
                 num_classes: int,
                 downsample_factor: int,
                 channels: Union[int, Sequence[int]] = 64,
                 dilations: Sequence[int] = (1, 2, 4),
                 ignore_index: int = 255,
                 norm_cfg: Optional[dict] = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        num_stages = _num_stages(downsample_factor)
        if isinstance(channels, int):
            channels = [channels] * num_stages
        if len(channels) != num_stages:
            raise ValueError(
                f'channels needs one width per stage: {num_stages} stages '
                f'for downsample_factor={downsample_factor}, got {channels}.')
        self.num_classes = num_classes
        self.ignore_index = ignore_index
        self.downsample_factor = downsample_factor
        self.out_channels = channels[-1]
        self.stages = nn.ModuleList()
        in_channels = num_classes
        for width in channels:
            aspp = ASPPModule(tuple(dilations), in_channels, width, None,
                              norm_cfg, act_cfg)
            down = ConvModule(
                width * len(dilations),
                width,
                3,
                stride=2,
                padding=1,
                norm_cfg=norm_cfg,
                act_cfg=act_cfg)
            self.stages.append(nn.ModuleDict(dict(aspp=aspp, down=down)))
            in_channels = width

    def forward(self, masks: torch.Tensor) -> torch.Tensor:
        """Encode masks (class indices) to the feature resolution."""
        x = mask_to_onehot(masks, self.num_classes, self.ignore_index)
        for stage in self.stages:
            x = stage['down'](torch.cat(stage['aspp'](x), dim=1))
        return x


class FeatureUNet(BaseModule):
    """A U-Net at feature resolution: stride-2 downs, upsample-and-concat ups.

    Args:
        in_channels (int): Input channels (encoded layout plus z).
        out_channels (int): Channels of the synthesized feature.
        channels (Sequence[int]): Width of each level (paper: 96, 192, 384).
            Defaults to (96, 192, 384).
        norm_cfg (dict, optional): Normalization layers.
            Defaults to ``dict(type='BN')``.
        act_cfg (dict): Activation layers. Defaults to ``dict(type='ReLU')``.
        out_act_cfg (dict, optional): Activation of the output; ReLU for
            ResNet stage outputs, which are non-negative.
            Defaults to ``dict(type='ReLU')``.
        init_cfg (dict, optional): Initialization. Defaults to None.

    Shape:
        - x: (N, in_channels, h, w)
        - output: (N, out_channels, h, w)
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 channels: Sequence[int] = (96, 192, 384),
                 norm_cfg: Optional[dict] = dict(type='BN'),
                 act_cfg: dict = dict(type='ReLU'),
                 out_act_cfg: Optional[dict] = dict(type='ReLU'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        if len(channels) < 1:
            raise ValueError('FeatureUNet needs at least one level width.')
        conv = dict(norm_cfg=norm_cfg, act_cfg=act_cfg)
        self.inc = nn.Sequential(
            ConvModule(in_channels, channels[0], 3, padding=1, **conv),
            ConvModule(channels[0], channels[0], 3, padding=1, **conv))
        self.downs = nn.ModuleList()
        self.ups = nn.ModuleList()
        for low, high in zip(channels[:-1], channels[1:]):
            self.downs.append(
                nn.Sequential(
                    ConvModule(low, high, 3, stride=2, padding=1, **conv),
                    ConvModule(high, high, 3, padding=1, **conv)))
            self.ups.insert(
                0,
                nn.Sequential(
                    ConvModule(high + low, low, 3, padding=1, **conv),
                    ConvModule(low, low, 3, padding=1, **conv)))
        self.out = ConvModule(
            channels[0], out_channels, 1, norm_cfg=None, act_cfg=out_act_cfg)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Map the input to a feature of the same spatial size."""
        x = self.inc(x)
        skips = []
        for down in self.downs:
            skips.append(x)
            x = down(x)
        for up in self.ups:
            skip = skips.pop()
            x = F.interpolate(
                x, size=skip.shape[2:], mode='bilinear', align_corners=False)
            x = up(torch.cat([x, skip], dim=1))
        return self.out(x)


@MODELS.register_module()
class FeatureGenerator(BaseModule):
    """Label mask and latent code to a backbone feature: ASPP layout + U-Net.

    Args:
        num_classes (int): Number of classes of the masks.
        feature_channels (int): Channels of the target feature (256 for
            ResNet-18 stage 3, 1024 for ResNet-50 stage 3).
        downsample_factor (int): Output stride of the target feature.
        latent_dim (int): Size of z. Defaults to 8.
        layout_channels (int | Sequence[int]): Widths of the ASPP layout
            encoder. Defaults to 64.
        unet_channels (Sequence[int]): U-Net widths (paper: 96, 192, 384).
            Defaults to (96, 192, 384).
        ignore_index (int): Label encoded as a zero vector. Defaults to 255.
        norm_cfg (dict, optional): Normalization layers.
            Defaults to ``dict(type='BN')``.
        out_act_cfg (dict, optional): Output activation.
            Defaults to ``dict(type='ReLU')``.
        init_cfg (dict, optional): Initialization. Defaults to None.

    Shape:
        - masks: (N, H, W); z: (N, latent_dim)
        - output: (N, feature_channels, ceil(H / f), ceil(W / f))
    """

    def __init__(self,
                 num_classes: int,
                 feature_channels: int,
                 downsample_factor: int,
                 latent_dim: int = 8,
                 layout_channels: Union[int, Sequence[int]] = 64,
                 unet_channels: Sequence[int] = (96, 192, 384),
                 ignore_index: int = 255,
                 norm_cfg: Optional[dict] = dict(type='BN'),
                 out_act_cfg: Optional[dict] = dict(type='ReLU'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        self.num_classes = num_classes
        self.feature_channels = feature_channels
        self.latent_dim = latent_dim
        self.layout_encoder = ASPPLayoutEncoder(
            num_classes,
            downsample_factor,
            layout_channels,
            ignore_index=ignore_index,
            norm_cfg=norm_cfg)
        self.unet = FeatureUNet(
            self.layout_encoder.out_channels + latent_dim,
            feature_channels,
            unet_channels,
            norm_cfg=norm_cfg,
            out_act_cfg=out_act_cfg)

    def forward(self,
                masks: torch.Tensor,
                z: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Synthesize features; z is drawn from N(0, I) where None."""
        layout = self.layout_encoder(masks)
        n, _, h, w = layout.shape
        if z is None:
            z = layout.new_empty(n, self.latent_dim).normal_()
        if z.shape != (n, self.latent_dim):
            raise ValueError(f'z must have shape ({n}, {self.latent_dim}), '
                             f'got {tuple(z.shape)}.')
        z_map = z.view(n, -1, 1, 1).expand(-1, -1, h, w)
        return self.unet(torch.cat([layout, z_map], dim=1))


@MODELS.register_module()
class FeatureEncoder(BaseModule):
    """BicycleGAN's encoder E: a feature to the mean and log-variance of z.

    Args:
        in_channels (int): Channels of the feature.
        latent_dim (int): Size of z. Defaults to 8.
        channels (Sequence[int]): Widths of its stride-2 convolutions.
            Defaults to (96, 192, 384).
        norm_cfg (dict, optional): Normalization layers. Defaults to None.
        act_cfg (dict): Activation layers.
            Defaults to ``dict(type='LeakyReLU', negative_slope=0.2)``.
        init_cfg (dict, optional): Initialization. Defaults to None.

    Shape:
        - feature: (N, in_channels, h, w)
        - mu, logvar: (N, latent_dim)
    """

    def __init__(self,
                 in_channels: int,
                 latent_dim: int = 8,
                 channels: Sequence[int] = (96, 192, 384),
                 norm_cfg: Optional[dict] = None,
                 act_cfg: dict = dict(type='LeakyReLU', negative_slope=0.2),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        layers = []
        for width in channels:
            layers.append(
                ConvModule(
                    in_channels,
                    width,
                    3,
                    stride=2,
                    padding=1,
                    norm_cfg=norm_cfg,
                    act_cfg=act_cfg))
            in_channels = width
        self.convs = nn.Sequential(*layers)
        self.fc_mu = nn.Linear(in_channels, latent_dim)
        self.fc_logvar = nn.Linear(in_channels, latent_dim)

    def forward(self,
                feature: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Return ``(mu, logvar)`` of the posterior over z."""
        x = self.convs(feature).mean(dim=(2, 3))
        return self.fc_mu(x), self.fc_logvar(x)


@MODELS.register_module()
class FeatureDiscriminator(BaseModule):
    """Judges (layout, feature) pairs patch by patch.

    The mask is encoded by its own ASPP layout encoder to the feature
    resolution, concatenated with the feature and passed through 3x3
    convolutions (stride 1: features are small) to one score per position.

    Args:
        num_classes (int): Number of classes of the masks.
        feature_channels (int): Channels of the feature.
        downsample_factor (int): Output stride of the feature.
        layout_channels (int | Sequence[int]): Widths of the layout encoder.
            Defaults to 64.
        channels (Sequence[int]): Widths of the judging convolutions.
            Defaults to (96, 192, 384).
        ignore_index (int): Label encoded as a zero vector. Defaults to 255.
        norm_cfg (dict, optional): Normalization of the layout encoder.
            Defaults to ``dict(type='BN')``.
        init_cfg (dict, optional): Initialization. Defaults to None.

    Shape:
        - masks: (N, H, W); feature: (N, feature_channels, h, w)
        - output: (N, 1, h, w)
    """

    def __init__(self,
                 num_classes: int,
                 feature_channels: int,
                 downsample_factor: int,
                 layout_channels: Union[int, Sequence[int]] = 64,
                 channels: Sequence[int] = (96, 192, 384),
                 ignore_index: int = 255,
                 norm_cfg: Optional[dict] = dict(type='BN'),
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(init_cfg)
        self.layout_encoder = ASPPLayoutEncoder(
            num_classes,
            downsample_factor,
            layout_channels,
            ignore_index=ignore_index,
            norm_cfg=norm_cfg)
        act = dict(type='LeakyReLU', negative_slope=0.2)
        in_channels = self.layout_encoder.out_channels + feature_channels
        layers = []
        for width in channels:
            layers.append(
                ConvModule(in_channels, width, 3, padding=1, act_cfg=act))
            in_channels = width
        layers.append(nn.Conv2d(in_channels, 1, 3, padding=1))
        self.judge = nn.Sequential(*layers)

    def forward(self, masks: torch.Tensor,
                feature: torch.Tensor) -> torch.Tensor:
        """Score each position of the pair; high means real."""
        return self.judge_layout(self.layout_encoder(masks), feature)

    def judge_layout(self, layout: torch.Tensor,
                     feature: torch.Tensor) -> torch.Tensor:
        """Score a feature against an already encoded layout."""
        return self.judge(torch.cat([layout, feature], dim=1))


def _lsgan(pred: torch.Tensor, real: bool) -> torch.Tensor:
    return F.mse_loss(pred, torch.full_like(pred, float(real)))


@MODELS.register_module()
class FeatureBicycleGAN(BaseModel):
    """BicycleGAN on (mask, feature) pairs.

    The data preprocessor turns a batch of images and label maps into
    ``dict(masks=(N, H, W), features=(N, C, h, w))``
    (:class:`SegFeatureDataPreProcessor` extracts them with a frozen
    segmentor). One :meth:`train_step` updates the discriminator, then the
    generator and encoder together; the optimizers are an
    :class:`OptimWrapperDict` with the keys ``generator``, ``encoder`` and
    ``discriminator`` (see :class:`MultiOptimWrapperConstructor`).

    Losses (logged under these names):
        - ``loss_gan_vae``, ``loss_gan``: LSGAN of the generator on the
          cVAE-GAN (z encoded from the real feature) and cLR-GAN (random z)
          outputs, weights ``lambda_gan_vae`` and ``lambda_gan``;
        - ``loss_l1``: L1 between the reconstruction and the real feature
          (``lambda_l1``);
        - ``loss_kl``: KL(q(z|feature) || N(0, I)) (``lambda_kl``);
        - ``loss_z``: L1 between the random z and the encoder's mean of the
          generated feature, through the generator only (``lambda_z``);
        - ``loss_d``: LSGAN of the discriminator on real, cVAE and cLR
          features (logged, not part of the generator's objective).

    Args:
        generator (dict): :class:`FeatureGenerator` config.
        encoder (dict): :class:`FeatureEncoder` config.
        discriminator (dict): :class:`FeatureDiscriminator` config.
        data_preprocessor (dict, optional): Gives masks and features.
            Defaults to None.
        lambda_gan (float): Weight of the cLR-GAN adversarial loss.
            Defaults to 1.0.
        lambda_gan_vae (float): Weight of the cVAE-GAN adversarial loss.
            Defaults to 1.0.
        lambda_l1 (float): Weight of the feature reconstruction L1.
            Defaults to 10.0.
        lambda_kl (float): Weight of the KL loss. Defaults to 0.01.
        lambda_z (float): Weight of the latent regression L1.
            Defaults to 0.5.
        init_cfg (dict, optional): Initialization. Defaults to None.
    """

    def __init__(self,
                 generator: ConfigType,
                 encoder: ConfigType,
                 discriminator: ConfigType,
                 data_preprocessor: Optional[dict] = None,
                 lambda_gan: float = 1.0,
                 lambda_gan_vae: float = 1.0,
                 lambda_l1: float = 10.0,
                 lambda_kl: float = 0.01,
                 lambda_z: float = 0.5,
                 init_cfg: Optional[dict] = None) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.generator = MODELS.build(generator) if isinstance(
            generator, dict) else generator
        self.encoder = MODELS.build(encoder) if isinstance(encoder,
                                                           dict) else encoder
        self.discriminator = MODELS.build(discriminator) if isinstance(
            discriminator, dict) else discriminator
        self.latent_dim = self.generator.latent_dim
        self.lambda_gan = lambda_gan
        self.lambda_gan_vae = lambda_gan_vae
        self.lambda_l1 = lambda_l1
        self.lambda_kl = lambda_kl
        self.lambda_z = lambda_z

    @torch.no_grad()
    def generate(self,
                 masks: torch.Tensor,
                 z: Optional[torch.Tensor] = None) -> torch.Tensor:
        """Synthesize features from masks; z ~ N(0, I) where None.

        Args:
            masks (Tensor): Class indices, (N, H, W).
            z (Tensor, optional): Latent codes, (N, latent_dim).
                Defaults to None.

        Returns:
            Tensor: Features, (N, C, ceil(H / f), ceil(W / f)).
        """
        return self.generator(masks, z)

    def forward(self,
                inputs: Union[dict, torch.Tensor],
                data_samples: Optional[list] = None,
                mode: str = 'tensor') -> torch.Tensor:
        """Generate features (``mode`` ``'tensor'`` or ``'predict'``).

        Args:
            inputs (dict | Tensor): Masks, or the preprocessor's dict
                holding ``masks``.
            data_samples (list, optional): Unused. Defaults to None.
            mode (str): ``'tensor'`` or ``'predict'``; training goes
                through :meth:`train_step`. Defaults to ``'tensor'``.

        Returns:
            Tensor: Synthetic features.
        """
        if mode not in ('tensor', 'predict'):
            raise ValueError(
                f'FeatureBicycleGAN.forward supports mode "tensor" and '
                f'"predict", got "{mode}"; train with train_step.')
        masks = inputs['masks'] if isinstance(inputs, dict) else inputs
        return self.generate(masks)

    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        """One update of D, then one of G and E together.

        Args:
            data (dict): A batch from the dataloader.
            optim_wrapper (OptimWrapperDict): With ``generator``,
                ``encoder`` and ``discriminator``.

        Returns:
            dict[str, Tensor]: The losses, for the logs.
        """
        missing = {'generator', 'encoder', 'discriminator'} - set(
            optim_wrapper.keys())
        if missing:
            raise KeyError(
                f'optim_wrapper lacks {sorted(missing)}: give one optimizer '
                'per sub-network with constructor='
                '"MultiOptimWrapperConstructor".')
        data = self.data_preprocessor(data, True)
        real = data['inputs']['features']
        masks = data['inputs']['masks']
        n = real.size(0)

        # Both branches generate once; D sees the outputs detached.
        mu, logvar = self.encoder(real)
        z_encoded = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        z_random = torch.randn(n, self.latent_dim, device=real.device)
        fake_encoded = self.generator(masks, z_encoded)
        fake_random = self.generator(masks, z_random)
        if fake_encoded.shape != real.shape:
            raise ValueError(
                f'The generator makes features of shape '
                f'{tuple(fake_encoded.shape)} but the real ones are '
                f'{tuple(real.shape)}: set feature_channels and '
                'downsample_factor to the chosen stage of the segmentor.')

        d_wrapper = optim_wrapper['discriminator']
        with d_wrapper.optim_context(self.discriminator):
            layout = self.discriminator.layout_encoder(masks)
            loss_d = 0.5 * (
                2 * _lsgan(self.discriminator.judge_layout(layout, real), True)
                + _lsgan(
                    self.discriminator.judge_layout(layout,
                                                    fake_encoded.detach()),
                    False) + _lsgan(
                        self.discriminator.judge_layout(
                            layout, fake_random.detach()), False))
            d_wrapper.update_params(loss_d)

        g_wrapper = optim_wrapper['generator']
        e_wrapper = optim_wrapper['encoder']
        self.discriminator.requires_grad_(False)
        try:
            with g_wrapper.optim_context(self.generator):
                layout = self.discriminator.layout_encoder(masks)
                losses = dict(
                    loss_gan_vae=self.lambda_gan_vae * _lsgan(
                        self.discriminator.judge_layout(layout, fake_encoded),
                        True),
                    loss_gan=self.lambda_gan * _lsgan(
                        self.discriminator.judge_layout(layout, fake_random),
                        True),
                    loss_l1=self.lambda_l1 * F.l1_loss(fake_encoded, real),
                    loss_kl=self.lambda_kl * torch.mean(
                        -0.5 * torch.sum(
                            1 + logvar - mu.pow(2) - logvar.exp(), dim=1)))
                # Latent regression trains G only: E is a constant here.
                self.encoder.requires_grad_(False)
                mu_random, _ = self.encoder(fake_random)
                self.encoder.requires_grad_(True)
                losses['loss_z'] = self.lambda_z * F.l1_loss(
                    mu_random, z_random)
                loss, log_vars = self.parse_losses(losses)
                g_wrapper.backward(loss)
                g_wrapper.step()
                e_wrapper.step()
                g_wrapper.zero_grad()
                e_wrapper.zero_grad()
        finally:
            self.discriminator.requires_grad_(True)
            self.encoder.requires_grad_(True)
        log_vars['loss_d'] = loss_d.detach()
        return log_vars
