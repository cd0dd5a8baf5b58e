# CPU-scale SegNet on CamVid: the VGG16 layout (2-2-3-3-3 convolutions,
# max-pooling indices drive the decoder's unpooling) at a quarter of its
# width, plain BN, no pretrained weights, 256x256 crops, batch 8, 1k
# iterations.
_base_ = [
    '../_base_/datasets/camvid.py', 'mmseg::_base_/default_runtime.py',
    '../_base_/schedules/schedule_cpu_1k.py'
]
crop_size = (256, 256)
norm_cfg = dict(type='BN', requires_grad=True)
stage_channels = (16, 32, 64, 128, 128)
stage_convs = (2, 2, 3, 3, 3)
conv_type = 'standard'
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size=crop_size)
model = dict(
    type='EncoderDecoder',
    data_preprocessor=data_preprocessor,
    backbone=dict(
        type='SegNetEncoder',
        stage_channels=stage_channels,
        stage_convs=stage_convs,
        conv_type=conv_type,
        norm_cfg=norm_cfg),
    decode_head=dict(
        type='SegNetHead',
        stage_channels=stage_channels,
        stage_convs=stage_convs,
        conv_type=conv_type,
        in_channels=stage_channels[-1],
        channels=stage_channels[0],
        num_classes=11,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(
            type='CrossEntropyLoss', use_sigmoid=False, loss_weight=1.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
