# The CPU regime at full resolution: the half-resolution config with images
# resized around 480x360 (ratio 0.75-1.5), 256x352 crops, batch 8 (about
# as many pixels per iteration), tested at 480x360. Thin classes (Pole,
# SignSymbol) are 1-2 pixels wide at half resolution, under Fast-SCNN's
# output stride of 8.
_base_ = './fast_scnn_1xb16-2k_camvid-176x240.py'
scale = (480, 360)
crop_size = (256, 352)
model = dict(data_preprocessor=dict(size=crop_size))
train_pipeline = [
    dict(type='LoadCheckedImage'),
    dict(type='LoadCheckedAnnotations'),
    dict(
        type='RandomResize',
        scale=scale,
        ratio_range=(0.75, 1.5),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadCheckedImage'),
    dict(type='Resize', scale=scale, keep_ratio=True),
    dict(type='LoadCheckedAnnotations'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(batch_size=8, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
