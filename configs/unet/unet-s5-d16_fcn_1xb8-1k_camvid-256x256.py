# CPU-scale U-Net baseline on CamVid: mmseg's UNet (5 stages, output stride
# 16) with base width 16 instead of 64, plain BN, an FCN head, 256x256 crops,
# batch 8, 1k iterations; sliding-window inference (UNet needs sizes
# divisible by 16).
_base_ = [
    'mmseg::_base_/models/fcn_unet_s5-d16.py', '../_base_/datasets/camvid.py',
    'mmseg::_base_/default_runtime.py',
    '../_base_/schedules/schedule_cpu_1k.py'
]
crop_size = (256, 256)
norm_cfg = dict(type='BN', requires_grad=True)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    backbone=dict(base_channels=16, norm_cfg=norm_cfg),
    decode_head=dict(
        in_channels=16, channels=16, num_classes=11, norm_cfg=norm_cfg),
    auxiliary_head=dict(
        in_channels=32, channels=16, num_classes=11, norm_cfg=norm_cfg),
    test_cfg=dict(mode='slide', crop_size=crop_size, stride=(170, 170)))
