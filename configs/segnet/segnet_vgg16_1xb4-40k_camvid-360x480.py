# Full-scale SegNet on CamVid as in the paper: full VGG16 width, whole
# 360x480 frames, batch 4, 40k iterations (GPU).
_base_ = ['./segnet_vgg16-w16_1xb8-1k_camvid-256x256.py']
crop_size = (360, 480)
stage_channels = (64, 128, 256, 512, 512)
model = dict(
    data_preprocessor=dict(size=crop_size),
    backbone=dict(stage_channels=stage_channels),
    decode_head=dict(
        stage_channels=stage_channels,
        in_channels=stage_channels[-1],
        channels=stage_channels[0]))
train_pipeline = [
    dict(type='LoadCheckedImage'),
    dict(type='LoadCheckedAnnotations'),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(batch_size=4, dataset=dict(pipeline=train_pipeline))
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=1e-4,
        power=0.9,
        begin=0,
        end=40000,
        by_epoch=False)
]
train_cfg = dict(max_iters=40000, val_interval=4000)
default_hooks = dict(checkpoint=dict(interval=4000))
