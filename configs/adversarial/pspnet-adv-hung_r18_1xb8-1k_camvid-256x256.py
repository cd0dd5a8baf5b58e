# Adversarial training as Hung et al. (BMVC 2018, "Adversarial Learning for
# Semi-Supervised Semantic Segmentation", fully supervised part) of the
# CPU-scale PSPNet-R18 CamVid baseline: a fully-convolutional discriminator
# on the label map alone (no image) gives one logit per pixel, upsampled to
# the input size; the three binary cross-entropies (adversarial term, real,
# fake) are averaged over the pixels that are not ignored; lambda_adv 0.01
# (their best); Adam (lr 1e-4, betas 0.9/0.99) for the discriminator,
# decayed with the segmentor's learning rate by the same poly schedule.
_base_ = ['./pspnet-adv_r18_1xb8-1k_camvid-256x256.py']
model = dict(
    discriminator=dict(
        _delete_=True,
        type='FCDiscriminator',
        num_classes=11,
        # The paper's widths are (64, 128, 256, 512) (~1.8 GMAC per 256x256
        # map, pspnet-adv-hung-w64_*); a quarter of them keeps the
        # discriminator cheap on the CPU (~0.11 GMAC).
        channels=(16, 32, 64, 128)),
    adversarial_loss=dict(type='AdversarialLoss', loss_weight=0.01))
# One PolyLR list applies to both optimizers (segmentor and discriminator):
# lr = base_lr * (1 - t / T) ** 0.9 for each, down to 0 as in Hung et al.
# (the plain baseline stops at eta_min 1e-4, which would hold the
# discriminator's lr 1e-4 constant).
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=0.0,
        power=0.9,
        begin=0,
        end=1000,
        by_epoch=False)
]
