# GPU-scale PSPNet baseline on CamVid (Zhao et al., CVPR 2017): ResNet-18
# (V1c stem) with dilated stages 3-4 (output stride 8), plain BN (one GPU),
# no pretrained weights, 352x480 crops of the full-resolution 480x360
# images, batch 16, mixed precision (AMP), SGD lr 0.02 with poly decay,
# 2k iterations, validation mid-way and at the end. Timings:
# configs/pspnet/README.md.
_base_ = [
    'mmseg::_base_/models/pspnet_r50-d8.py', '../_base_/datasets/camvid.py',
    'mmseg::_base_/default_runtime.py'
]
crop_size = (352, 480)
norm_cfg = dict(type='BN', requires_grad=True)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    pretrained=None,
    # The base's strides (1, 2, 1, 1) and dilations (1, 1, 2, 4): stride 8.
    backbone=dict(depth=18, norm_cfg=norm_cfg),
    decode_head=dict(
        in_channels=512, channels=128, num_classes=11, norm_cfg=norm_cfg),
    auxiliary_head=dict(
        in_channels=256, channels=64, num_classes=11, norm_cfg=norm_cfg))
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
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
# 16 CPU cores for up to three trainings at a time: 4 loader workers each.
train_dataloader = dict(
    batch_size=16, num_workers=4, dataset=dict(pipeline=train_pipeline))
optim_wrapper = dict(
    type='AmpOptimWrapper',
    optimizer=dict(type='SGD', lr=0.02, momentum=0.9, weight_decay=0.0005),
    clip_grad=None,
    loss_scale='dynamic')
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=1e-4,
        power=0.9,
        begin=0,
        end=2000,
        by_epoch=False)
]
train_cfg = dict(
    type='FastResumeIterBasedTrainLoop', max_iters=2000, val_interval=1000)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
default_hooks = dict(
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=50, log_metric_by_epoch=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    # Every 500 iterations, the latest kept: an interrupted run resumes
    # (tools/train.py --resume).
    checkpoint=dict(
        type='CheckpointHook', by_epoch=False, interval=500, max_keep_ckpts=1),
    sampler_seed=dict(type='DistSamplerSeedHook'),
    visualization=dict(type='SegVisualizationHook'))
