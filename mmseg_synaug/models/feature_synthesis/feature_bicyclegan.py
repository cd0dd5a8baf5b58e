"""BicycleGAN on (mask, feature) pairs: the feature generator's training.

He, Schiele and Fritz, "Synthetic Convolutional Features for Improved
Semantic Segmentation" (2018) train their feature generator
with BicycleGAN's objective (Zhu et al., "Toward Multimodal Image-to-Image
Translation", NeurIPS 2017): cVAE-GAN (encode the real feature to z,
reconstruct it: L1 and KL) plus cLR-GAN (generate from a random z, encode
the result back: latent regression L1), each with an adversarial (LSGAN,
Mao et al. 2017) term.
"""
from typing import Dict, Optional, Union

import torch
import torch.nn as nn
import torch.nn.functional as F
from mmengine.model import BaseModel
from mmengine.optim import OptimWrapperDict
from mmseg.registry import MODELS

from ..losses import lsgan_loss
from ..utils import frozen, player_optim_wrappers

__all__ = ['FeatureBicycleGAN']

ConfigType = Union[dict, nn.Module]


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
        - ``loss_kl``: KL(q(z|feature) || N(0, I)) (``lambda_kl``),
          summed over the latent dimensions and the batch as in
          BicycleGAN's reference code (``kl_reduction='sum'``), or its
          mean over the batch (``'mean'``, a batch-size times weaker term);
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
        kl_reduction (str): How the KL divergence of each sample (summed
            over the latent dimensions) is reduced over the batch:
            ``'sum'`` (BicycleGAN's reference) or ``'mean'``.
            Defaults to ``'sum'``.
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
                 kl_reduction: str = 'sum',
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
        if kl_reduction not in ('sum', 'mean'):
            raise ValueError('kl_reduction must be "sum" (BicycleGAN\'s '
                             f'reference) or "mean", got {kl_reduction!r}.')
        self.kl_reduction = kl_reduction

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

    def kl_divergence(self, mu: torch.Tensor,
                      logvar: torch.Tensor) -> torch.Tensor:
        """KL(N(mu, exp(logvar)) || N(0, I)), reduced by ``kl_reduction``.

        Kingma and Welling (2014), Appendix B:
        ``-0.5 * sum(1 + logvar - mu ** 2 - exp(logvar))`` over the latent
        dimensions of each sample; BicycleGAN's reference sums it over the
        batch too.

        Args:
            mu (Tensor): Means of q(z|feature), (N, latent_dim).
            logvar (Tensor): Log-variances, (N, latent_dim).

        Returns:
            Tensor: Scalar divergence.
        """
        per_sample = -0.5 * torch.sum(
            1 + logvar - mu.pow(2) - logvar.exp(), dim=1)
        return per_sample.sum() if self.kl_reduction == 'sum' \
            else per_sample.mean()

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
        g_wrapper, e_wrapper, d_wrapper = player_optim_wrappers(
            optim_wrapper, ('generator', 'encoder', 'discriminator'),
            type(self).__name__)
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

        with d_wrapper.optim_context(self.discriminator):
            layout = self.discriminator.layout_encoder(masks)
            judge = self.discriminator.judge_layout
            loss_d = 0.5 * (
                2 * lsgan_loss(judge(layout, real), True) +
                lsgan_loss(judge(layout, fake_encoded.detach()), False) +
                lsgan_loss(judge(layout, fake_random.detach()), False))
            d_wrapper.update_params(loss_d)

        with g_wrapper.optim_context(self.generator), frozen(
                self.discriminator):
            layout = self.discriminator.layout_encoder(masks)
            losses = dict(
                loss_gan_vae=self.lambda_gan_vae * lsgan_loss(
                    self.discriminator.judge_layout(layout, fake_encoded),
                    True),
                loss_gan=self.lambda_gan * lsgan_loss(
                    self.discriminator.judge_layout(layout, fake_random),
                    True),
                loss_l1=self.lambda_l1 * F.l1_loss(fake_encoded, real),
                loss_kl=self.lambda_kl * self.kl_divergence(mu, logvar))
            # Latent regression trains G only: E is a constant here.
            with frozen(self.encoder):
                mu_random, _ = self.encoder(fake_random)
            losses['loss_z'] = self.lambda_z * F.l1_loss(mu_random, z_random)
            loss, log_vars = self.parse_losses(losses)
            g_wrapper.backward(loss)
            g_wrapper.step()
            e_wrapper.step()
            g_wrapper.zero_grad()
            e_wrapper.zero_grad()
        log_vars['loss_d'] = loss_d.detach()
        return log_vars
