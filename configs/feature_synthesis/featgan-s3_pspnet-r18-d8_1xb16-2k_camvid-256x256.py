# GPU-scale feature generator (BicycleGAN, He et al.) for stage 3
# (stage_index 2: 256 channels at 1/8 with the d8 dilation) of the GPU
# PSPNet-R18-d8 on CamVid
# (configs/pspnet/pspnet_r18-d8_1xb16-2k_camvid-352x480.py), random 256x256
# patches, batch 16, the paper's widths 96, 192, 384 (fp32: the
# generator's training takes no --amp). Its time on one H200 is to be
# measured (no GPU was available when it was written).
#   python tools/train.py THIS_CONFIG \
#       --cfg-options model.data_preprocessor.checkpoint=PSPNET_D8.pth
_base_ = ['./featgan-s3_pspnet-r18_1xb8-2k_camvid-128x128.py']
segmentor_config = '{{fileDirname}}/../pspnet/pspnet_r18-d8_1xb16-2k_camvid-352x480.py'  # noqa
segmentor_checkpoint = 'work_dirs/pspnet_r18-d8_1xb16-2k_camvid-352x480/iter_2000.pth'  # noqa
downsample_factor = 8
crop_size = (256, 256)
widths = (96, 192, 384)
model = dict(
    data_preprocessor=dict(
        segmentor=segmentor_config,
        checkpoint=segmentor_checkpoint,
        size=crop_size),
    generator=dict(
        downsample_factor=downsample_factor,
        layout_channels=64,
        unet_channels=widths),
    encoder=dict(channels=widths),
    discriminator=dict(
        downsample_factor=downsample_factor,
        layout_channels=64,
        channels=widths))
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
score_pipeline = [
    dict(type='LoadCheckedImage'),
    dict(type='LoadCheckedAnnotations'),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=16, num_workers=8, dataset=dict(pipeline=train_pipeline))
score_dataloader = dict(
    batch_size=16, num_workers=8, dataset=dict(pipeline=score_pipeline))
