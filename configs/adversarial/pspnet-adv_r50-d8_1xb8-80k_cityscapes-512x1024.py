# Adversarial training (Luc et al., 2016) of PSPNet-R50-D8 on Cityscapes: the
# paper's ResNet-50 generator. mmseg's 4xb2 schedule in one process with
# batch 8 (adversarial training is single-process for now). The checkpoint
# loads into ../pspnet/pspnet_r50-d8_4xb2-80k_cityscapes-512x1024.py.
_base_ = ['../pspnet/pspnet_r50-d8_4xb2-80k_cityscapes-512x1024.py']
model = dict(
    type='AdversarialEncoderDecoder',
    discriminator=dict(
        type='LabelMapDiscriminator',
        num_classes=19,
        with_image=True,
        branch_channels=64,
        channels=(128, 256, 512, 512)),
    adversarial_loss=dict(type='AdversarialLoss', loss_weight=0.1))
train_dataloader = dict(batch_size=8, num_workers=8)
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
