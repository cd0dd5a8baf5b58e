# Coarse-to-fine refiner on CamVid, which has fine labels only: the coarse
# input is simulated from the fine map by SimulateCoarseLabels (polygon
# simplification, removal of segments under 100 px, a void band on the
# boundaries). Training draws the simplification and the band per sample;
# the test coarse maps use fixed settings, so they are the same every run.
_base_ = ['./coarse-to-fine_unet-s5-d16_1xb4-0.4k_fasseg-256x256.py']
num_classes = 11
crop_size = (256, 256)
model = dict(
    num_classes=num_classes,
    decode_head=dict(
        num_classes=num_classes, loss_decode=dict(num_classes=num_classes)))
train_pipeline = [
    dict(type='LoadCheckedImage'),
    dict(type='LoadCheckedAnnotations'),
    dict(
        type='SimulateCoarseLabels',
        epsilon=(2.0, 8.0),
        boundary_width=(0, 3),
        min_area=100),
    dict(
        type='RandomResize',
        scale=(480, 360),
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackCoarseFineInputs')
]
test_pipeline = [
    dict(type='LoadCheckedImage'),
    dict(type='Resize', scale=(480, 360), keep_ratio=True),
    dict(type='LoadCheckedAnnotations'),
    dict(
        type='SimulateCoarseLabels',
        epsilon=4.0,
        boundary_width=2,
        min_area=100),
    dict(type='PackCoarseFineInputs')
]
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='CamVidDataset',
        data_root=None,
        data_prefix=dict(img_path='train', seg_map_path='trainannot'),
        pipeline=train_pipeline))
val_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='CamVidDataset',
        data_root=None,
        data_prefix=dict(img_path='val', seg_map_path='valannot'),
        pipeline=test_pipeline))
test_dataloader = val_dataloader
