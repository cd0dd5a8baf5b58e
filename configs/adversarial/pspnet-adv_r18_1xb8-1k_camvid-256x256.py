# Adversarial training (Luc et al., 2016) of the CPU-scale PSPNet-R18 CamVid
# baseline (../pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py): same segmentor,
# data and schedule, plus a discriminator on (image, label map) pairs and the
# adversarial term lambda * BCE(D(x, S(x)), real) in the segmentor's loss.
# The checkpoint loads into the plain config for testing.
_base_ = ['../pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py']
model = dict(
    type='AdversarialEncoderDecoder',
    # A light discriminator for the CPU: label map and image average-pooled
    # by 2 first, narrow convolutions (~0.13 GMAC per 256x256 pair).
    discriminator=dict(
        type='LabelMapDiscriminator',
        num_classes=11,
        with_image=True,
        branch_channels=16,
        channels=(32, 64, 128, 256),
        downsample=2),
    # lambda, the weight of the adversarial term.
    adversarial_loss=dict(type='AdversarialLoss', loss_weight=0.1))
# Segmentor: the baseline's SGD; discriminator: Adam (Hung et al., 2018).
# The baseline's PolyLR schedule applies to both; its eta_min (1e-4) equals
# the discriminator's lr, so the discriminator's lr stays constant.
optim_wrapper = dict(
    _delete_=True,
    constructor='MultiOptimWrapperConstructor',
    # The segmentor: every module but the discriminator.
    segmentor=dict(
        modules=['backbone', 'decode_head', 'auxiliary_head'],
        type='OptimWrapper',
        optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=0.0005),
        clip_grad=None),
    discriminator=dict(
        type='OptimWrapper',
        optimizer=dict(type='Adam', lr=1e-4, betas=(0.9, 0.99))))
