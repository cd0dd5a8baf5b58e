# FCN-VGG16 baseline on Cityscapes (the VGG16 generator of the adversarial
# papers), DeepLab-LargeFOV style: VGG16 with pool4/pool5 at stride 1 and
# conv5 dilated by 2 (output stride 8), then an FCN head of two 3x3
# convolutions of 1024 channels dilated by 12 (fc6/fc7). ImageNet weights:
# torchvision's vgg16-397923af.pth from a local file (nothing is downloaded).
# One process (1x), batch 8: the total batch of mmseg's 4xb2 schedules.
_base_ = [
    'mmseg::_base_/models/fcn_r50-d8.py',
    'mmseg::_base_/datasets/cityscapes.py', 'mmseg::_base_/default_runtime.py',
    'mmseg::_base_/schedules/schedule_80k.py'
]
custom_imports = dict(imports=['mmseg_synaug'], allow_failed_imports=False)
crop_size = (512, 1024)
data_preprocessor = dict(size=crop_size)
norm_cfg = dict(type='SyncBN', requires_grad=True)
model = dict(
    data_preprocessor=data_preprocessor,
    pretrained=None,
    backbone=dict(
        _delete_=True,
        type='VGG',
        depth=16,
        strides=(2, 2, 2, 1, 1),
        dilations=(1, 1, 1, 1, 2),
        out_indices=(4, ),
        init_cfg=dict(
            type='Pretrained', checkpoint='checkpoints/vgg16-397923af.pth')),
    decode_head=dict(
        in_channels=512,
        in_index=-1,
        channels=1024,
        num_convs=2,
        kernel_size=3,
        dilation=12,
        concat_input=False,
        num_classes=19,
        norm_cfg=norm_cfg),
    auxiliary_head=None)
train_dataloader = dict(batch_size=8, num_workers=8)
val_evaluator = dict(type='SegMetric')
test_evaluator = val_evaluator
