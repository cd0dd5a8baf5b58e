# Coarse-to-fine refiner on Cityscapes with its real coarse annotations
# (gtCoarse, converted to *_gtCoarse_labelTrainIds.png by cityscapesScripts)
# as input and gtFine as target; 19 classes, images resized to 1024x512.
# Set data_root to the folder holding leftImg8bit/, gtFine/ and gtCoarse/.
_base_ = ['./coarse-to-fine_unet-s5-d16_1xb4-0.4k_fasseg-256x256.py']
num_classes = 19
crop_size = (512, 512)
data_root = 'data/cityscapes/'
model = dict(
    data_preprocessor=dict(size=crop_size),
    num_classes=num_classes,
    decode_head=dict(
        num_classes=num_classes, loss_decode=dict(num_classes=num_classes)))
train_pipeline = [
    dict(type='LoadCheckedImage'),
    dict(type='LoadCheckedAnnotations', num_classes=num_classes),
    dict(type='LoadCoarseAnnotations', num_classes=num_classes),
    dict(
        type='RandomResize',
        scale=(1024, 512),
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackCoarseFineInputs')
]
test_pipeline = [
    dict(type='LoadCheckedImage'),
    dict(type='Resize', scale=(1024, 512), keep_ratio=True),
    dict(type='LoadCheckedAnnotations', num_classes=num_classes),
    dict(type='LoadCoarseAnnotations', num_classes=num_classes),
    dict(type='PackCoarseFineInputs')
]
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='CityscapesCoarseFineDataset',
        data_root=data_root,
        data_prefix=dict(
            img_path='leftImg8bit/train',
            seg_map_path='gtFine/train',
            coarse_seg_map_path='gtCoarse/train'),
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='CityscapesCoarseFineDataset',
        data_root=data_root,
        data_prefix=dict(
            img_path='leftImg8bit/val',
            seg_map_path='gtFine/val',
            coarse_seg_map_path='gtCoarse/val'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
