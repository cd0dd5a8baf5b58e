# FASSEG frontal faces, 6 classes: train 20, test 30 images of ~363x512, each
# with a coarse (frontal01) and a fine (frontal02) colour-coded label map.
# data_root None looks the dataset up in this order: the config or
# --cfg-options, $SYNAUG_DATA_ROOT/fasseg_frontal, data/fasseg_frontal in the
# repository, ../shared/data/fasseg_frontal beside the repository.
custom_imports = dict(imports=['mmseg_synaug'], allow_failed_imports=False)
dataset_type = 'FASSEGDataset'
data_root = None
crop_size = (256, 256)
train_pipeline = [
    dict(type='LoadCheckedImage'),
    dict(type='LoadFASSEGAnnotations'),
    dict(
        type='RandomResize',
        scale=(256, 360),
        ratio_range=(0.75, 1.5),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadCheckedImage'),
    dict(type='Resize', scale=(256, 360), keep_ratio=True),
    dict(type='LoadFASSEGAnnotations'),
    dict(type='PackSegInputs')
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
val_evaluator = dict(type='SegMetric')
test_evaluator = val_evaluator
