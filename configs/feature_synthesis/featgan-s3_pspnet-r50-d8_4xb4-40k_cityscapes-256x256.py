# Full-scale feature generator: stage 3 (stage_index 2, the paper's conv4:
# 1024 channels at 1/8 with the d8 dilation) of PSPNet-R50-d8 on
# Cityscapes, random 256x256 patches, the paper's widths 96, 192, 384.
# The CPU CamVid config with the segmentor, the sizes and the data
# changed (mmseg's Cityscapes layout under data/cityscapes/).
_base_ = ['./featgan-s3_pspnet-r18_1xb8-2k_camvid-128x128.py']
segmentor_config = '{{fileDirname}}/../pspnet/pspnet_r50-d8_4xb2-80k_cityscapes-512x1024.py'  # noqa
segmentor_checkpoint = 'work_dirs/pspnet_r50-d8_4xb2-80k_cityscapes-512x1024/iter_80000.pth'  # noqa
feature_channels = 1024
downsample_factor = 8
num_classes = 19
crop_size = (256, 256)
widths = (96, 192, 384)
model = dict(
    data_preprocessor=dict(
        segmentor=segmentor_config,
        checkpoint=segmentor_checkpoint,
        size=crop_size),
    generator=dict(
        num_classes=num_classes,
        feature_channels=feature_channels,
        downsample_factor=downsample_factor,
        layout_channels=64,
        unet_channels=widths),
    encoder=dict(in_channels=feature_channels, channels=widths),
    discriminator=dict(
        num_classes=num_classes,
        feature_channels=feature_channels,
        downsample_factor=downsample_factor,
        layout_channels=64,
        channels=widths))
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
cityscapes = dict(
    _delete_=True, type='CityscapesDataset', data_root='data/cityscapes/')
train_dataloader = dict(
    batch_size=4,
    dataset=dict(
        cityscapes,
        data_prefix=dict(
            img_path='leftImg8bit/train', seg_map_path='gtFine/train'),
        pipeline=train_pipeline))
score_dataloader = dict(
    num_workers=4,
    dataset=dict(
        cityscapes,
        data_prefix=dict(
            img_path='leftImg8bit/val', seg_map_path='gtFine/val'),
        pipeline=score_pipeline))
train_cfg = dict(max_iters=40000)
default_hooks = dict(logger=dict(interval=50), checkpoint=dict(interval=4000))
