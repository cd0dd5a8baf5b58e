# Adversarial training (Luc et al., 2016) of the GPU-scale PSPNet-R18-d8
# CamVid baseline (../pspnet/pspnet_r18-d8_1xb16-2k_camvid-352x480.py):
# same segmentor, data, AMP and schedule, plus a discriminator on (image,
# label map) pairs and the adversarial term lambda * BCE(D(x, S(x)), real)
# in the segmentor's loss. The checkpoint loads into the plain config for
# testing once the discriminator is stripped
# (tools/model_converters/strip_discriminator.py).
_base_ = ['../pspnet/pspnet_r18-d8_1xb16-2k_camvid-352x480.py']
model = dict(
    type='AdversarialEncoderDecoder',
    # The discriminator at full width and full resolution on the GPU
    # (the CPU config pools by 2 and narrows it).
    discriminator=dict(
        type='LabelMapDiscriminator',
        num_classes=11,
        with_image=True,
        branch_channels=32,
        channels=(64, 128, 256, 512),
        downsample=1),
    # lambda, the weight of the adversarial term.
    adversarial_loss=dict(type='AdversarialLoss', loss_weight=0.1))
# Segmentor: the baseline's SGD under AMP; discriminator: Adam under AMP
# (Hung et al., 2018). The baseline's PolyLR schedule applies to both; its
# eta_min (1e-4) equals the discriminator's lr, so that lr stays constant.
optim_wrapper = dict(
    _delete_=True,
    constructor='MultiOptimWrapperConstructor',
    segmentor=dict(
        modules=['backbone', 'decode_head', 'auxiliary_head'],
        type='AmpOptimWrapper',
        optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0005),
        clip_grad=None,
        loss_scale='dynamic'),
    discriminator=dict(
        type='AmpOptimWrapper',
        optimizer=dict(type='Adam', lr=1e-4, betas=(0.9, 0.99)),
        loss_scale='dynamic'))
