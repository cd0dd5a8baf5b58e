# CPU-scale PSPNet baseline on CamVid: ResNet-18 (V1c stem) without dilation
# (output stride 32), plain BN, no pretrained weights, 256x256 crops,
# batch 8, 1k iterations. Timings: configs/pspnet/README.md.
_base_ = [
    'mmseg::_base_/models/pspnet_r50-d8.py', '../_base_/datasets/camvid.py',
    'mmseg::_base_/default_runtime.py',
    '../_base_/schedules/schedule_cpu_1k.py'
]
crop_size = (256, 256)
norm_cfg = dict(type='BN', requires_grad=True)
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    pretrained=None,
    backbone=dict(
        depth=18,
        strides=(1, 2, 2, 2),
        dilations=(1, 1, 1, 1),
        norm_cfg=norm_cfg),
    decode_head=dict(
        in_channels=512, channels=128, num_classes=11, norm_cfg=norm_cfg),
    auxiliary_head=dict(
        in_channels=256, channels=64, num_classes=11, norm_cfg=norm_cfg))
