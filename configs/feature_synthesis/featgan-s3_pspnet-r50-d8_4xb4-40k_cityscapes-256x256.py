# Full-scale feature generator: stage 3 (stage_index 2, the paper's conv4:
# 1024 channels at 1/8 with the d8 dilation) of PSPNet-R50-d8 on
# Cityscapes, random 256x256 patches, the paper's widths 96, 192, 384.
_base_ = [
    'mmseg::_base_/datasets/cityscapes.py', 'mmseg::_base_/default_runtime.py'
]
custom_imports = dict(imports=['mmseg_synaug'], allow_failed_imports=False)
segmentor_config = '{{fileDirname}}/../pspnet/pspnet_r50-d8_4xb2-80k_cityscapes-512x1024.py'  # noqa
segmentor_checkpoint = 'work_dirs/pspnet_r50-d8_4xb2-80k_cityscapes-512x1024/iter_80000.pth'  # noqa
stage_index = 2
feature_channels = 1024
downsample_factor = 8
num_classes = 19
latent_dim = 8
crop_size = (256, 256)
widths = (96, 192, 384)
model = dict(
    type='FeatureBicycleGAN',
    data_preprocessor=dict(
        type='SegFeatureDataPreProcessor',
        segmentor=segmentor_config,
        checkpoint=segmentor_checkpoint,
        stage_index=stage_index,
        size=crop_size),
    generator=dict(
        type='FeatureGenerator',
        num_classes=num_classes,
        feature_channels=feature_channels,
        downsample_factor=downsample_factor,
        latent_dim=latent_dim,
        layout_channels=64,
        unet_channels=widths),
    encoder=dict(
        type='FeatureEncoder',
        in_channels=feature_channels,
        latent_dim=latent_dim,
        channels=widths),
    discriminator=dict(
        type='FeatureDiscriminator',
        num_classes=num_classes,
        feature_channels=feature_channels,
        downsample_factor=downsample_factor,
        layout_channels=64,
        channels=widths),
    lambda_gan=1.0,
    lambda_gan_vae=1.0,
    lambda_l1=10.0,
    lambda_kl=0.01,
    lambda_z=0.5)
train_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(
        type='RandomResize',
        scale=(2048, 1024),
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
score_pipeline = [
    dict(type='LoadImageFromFile'),
    dict(type='LoadAnnotations'),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='PackSegInputs')
]
train_dataloader = dict(batch_size=4, dataset=dict(pipeline=train_pipeline))
score_dataloader = dict(
    batch_size=8,
    num_workers=4,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='CityscapesDataset',
        data_root='data/cityscapes/',
        data_prefix=dict(
            img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
        pipeline=score_pipeline))
val_dataloader = None
val_cfg = None
val_evaluator = None
test_dataloader = None
test_cfg = None
test_evaluator = None
adam = dict(type='Adam', lr=2e-4, betas=(0.5, 0.999))
optim_wrapper = dict(
    constructor='MultiOptimWrapperConstructor',
    generator=dict(optimizer=adam),
    encoder=dict(optimizer=adam),
    discriminator=dict(optimizer=adam))
train_cfg = dict(type='FastResumeIterBasedTrainLoop', max_iters=40000)
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=4000),
    sampler_seed=dict(type='DistSamplerSeedHook'))
