# CamVid (label map, real image) pairs for training a label-to-image
# generator: the training split at its native scale, random crops and flips.
# LoadCheckedAnnotations checks every label value against the dataset's 11
# classes (void 11 -> 255), so a value >= 11 is a DataError naming the file.
custom_imports = dict(imports=['mmseg_synaug'], allow_failed_imports=False)
dataset_type = 'CamVidDataset'
data_root = None
crop_size = (128, 128)
generator_train_pipeline = [
    dict(type='LoadCheckedImage'),
    dict(type='LoadCheckedAnnotations', num_classes=11),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=2,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='InfiniteSampler', shuffle=True),
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        data_prefix=dict(img_path='train', seg_map_path='trainannot'),
        pipeline=generator_train_pipeline))
