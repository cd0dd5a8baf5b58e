# FASSEG frontal faces for coarse-to-fine refinement: each sample carries the
# image, its coarse map (frontal01, the refiner's input) and its fine map
# (frontal02, the target). Test images are resized to 360 px high; both maps
# are loaded after the resize, at the original size, for the metric, and
# PackCoarseFineInputs resizes the coarse input to the image.
# data_root None looks the dataset up as in fasseg.py.
custom_imports = dict(imports=['mmseg_synaug'], allow_failed_imports=False)
dataset_type = 'FASSEGDataset'
data_root = None
crop_size = (256, 256)
train_pipeline = [
    dict(type='LoadCheckedImage'),
    dict(type='LoadFASSEGAnnotations', with_coarse=True),
    dict(
        type='RandomResize',
        scale=(256, 360),
        ratio_range=(0.8, 1.25),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackCoarseFineInputs')
]
test_pipeline = [
    dict(type='LoadCheckedImage'),
    dict(type='Resize', scale=(256, 360), keep_ratio=True),
    dict(type='LoadFASSEGAnnotations', with_coarse=True),
    dict(type='PackCoarseFineInputs')
]
train_dataloader = dict(
    batch_size=4,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='train',
        label_quality='fine',
        pipeline=train_pipeline))
val_dataloader = dict(
    batch_size=1,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        split='test',
        label_quality='fine',
        pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(type='CoarseToFineMetric', boundary_tolerance=3)
test_evaluator = val_evaluator
