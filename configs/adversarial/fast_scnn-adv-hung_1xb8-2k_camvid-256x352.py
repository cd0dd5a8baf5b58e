# Adversarial training as Hung et al. (BMVC 2018, "Adversarial Learning for
# Semi-Supervised Semantic Segmentation", fully supervised part) in the CPU
# regime (../fast_scnn/fast_scnn_1xb8-2k_camvid-256x352.py: Fast-SCNN from
# scratch, full resolution, 2000 iterations): the same segmentor, data,
# loss and SGD, plus a fully-convolutional discriminator on the label map
# alone (one logit per pixel, upsampled to the input size; the three binary
# cross-entropies averaged over the pixels that are not ignored) and the
# adversarial term with lambda_adv 0.01 (their best). The discriminator's
# optimizer is theirs: Adam, lr 1e-4, betas 0.9/0.99. The checkpoint loads
# into the plain config for testing.
_base_ = ['../fast_scnn/fast_scnn_1xb8-2k_camvid-256x352.py']
model = dict(
    type='AdversarialEncoderDecoder',
    discriminator=dict(
        type='FCDiscriminator',
        num_classes=11,
        # A quarter of the paper's widths (64, 128, 256, 512), as the
        # CPU-scale PSPNet variant (pspnet-adv-hung_r18_*).
        channels=(16, 32, 64, 128)),
    adversarial_loss=dict(type='AdversarialLoss', loss_weight=0.01))
# Segmentor: the baseline's SGD (lr 0.05, momentum 0.9, weight decay 4e-5);
# discriminator: Adam (Hung et al., 2018).
optim_wrapper = dict(
    _delete_=True,
    constructor='MultiOptimWrapperConstructor',
    # The segmentor: every module but the discriminator.
    segmentor=dict(
        modules=['backbone', 'decode_head', 'auxiliary_head'],
        type='OptimWrapper',
        optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=4e-5),
        clip_grad=None),
    discriminator=dict(
        type='OptimWrapper',
        optimizer=dict(type='Adam', lr=1e-4, betas=(0.9, 0.99))))
# One PolyLR list applies to both optimizers, decayed to 0 as in Hung et
# al. (the baseline's eta_min 1e-4 would hold the discriminator's lr 1e-4
# constant); the segmentor's last lr differs from the baseline's by 1e-4,
# 0.2% of its first.
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=0.0,
        power=0.9,
        begin=0,
        end=2000,
        by_epoch=False)
]
