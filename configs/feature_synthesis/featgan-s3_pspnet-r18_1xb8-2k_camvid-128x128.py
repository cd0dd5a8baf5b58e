# Feature generator (BicycleGAN, He et al.) for stage 3 (stage_index 2:
# 256 channels at 1/16) of the CPU PSPNet-R18 on CamVid, trained on the
# features of random 128x128 patches, extracted by the frozen trained
# segmentor. Small widths for CPU; the paper's are 96, 192, 384.
#   python tools/train.py THIS_CONFIG \
#       --cfg-options model.data_preprocessor.checkpoint=PSPNET.pth
_base_ = ['../_base_/datasets/camvid.py', 'mmseg::_base_/default_runtime.py']
# The trained segmentor: its config and checkpoint (loaded at the first
# batch, so the config builds without it).
segmentor_config = '{{fileDirname}}/../pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py'  # noqa
segmentor_checkpoint = 'work_dirs/pspnet_r18_1xb8-1k_camvid-256x256/iter_1000.pth'  # noqa
stage_index = 2
feature_channels = 256
downsample_factor = 16
num_classes = 11
latent_dim = 8
crop_size = (128, 128)
widths = (48, 96, 192)
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
        layout_channels=32,
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
        layout_channels=32,
        channels=widths),
    lambda_gan=1.0,
    lambda_gan_vae=1.0,
    lambda_l1=10.0,
    lambda_kl=0.01,
    lambda_z=0.5)
# Real images only (no photometric distortion): features of real patches.
train_pipeline = [
    dict(type='LoadCheckedImage'),
    dict(type='LoadCheckedAnnotations'),
    dict(
        type='RandomResize',
        scale=(480, 360),
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
# Patches of the val split for the PSPNet-score
# (tools/analysis_tools/feature_score.py).
score_pipeline = [
    dict(type='LoadCheckedImage'),
    dict(type='LoadCheckedAnnotations'),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='PackSegInputs')
]
train_dataloader = dict(batch_size=8, dataset=dict(pipeline=train_pipeline))
score_dataloader = dict(
    batch_size=8,
    num_workers=2,
    persistent_workers=False,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type='CamVidDataset',
        data_root=None,
        data_prefix=dict(img_path='val', seg_map_path='valannot'),
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
train_cfg = dict(type='FastResumeIterBasedTrainLoop', max_iters=2000)
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=10, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=500),
    sampler_seed=dict(type='DistSamplerSeedHook'))
