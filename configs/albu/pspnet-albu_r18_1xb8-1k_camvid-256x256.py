# The CPU PSPNet baseline with Albumentations weather and blur: rain, snow,
# fog, horizontal flip and blur, through AlbuSeg (mmseg's Albu keeping every
# label map aligned). Needs the `albu` extra (pip install
# 'mmseg_synaug[albu]'); the tested version is pinned in requirements/albu.txt.
_base_ = ['../pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py']
crop_size = (256, 256)
albu_transforms = [
    dict(type='HorizontalFlip', p=0.5),
    dict(
        type='OneOf',
        transforms=[
            dict(type='RandomRain', p=1.0),
            dict(type='RandomSnow', p=1.0),
            dict(type='RandomFog', p=1.0),
        ],
        p=0.3),
    dict(type='Blur', blur_limit=(3, 5), p=0.2),
]
train_pipeline = [
    dict(type='LoadCheckedImage'),
    dict(type='LoadCheckedAnnotations'),
    dict(
        type='RandomResize',
        scale=(480, 360),
        ratio_range=(0.5, 2.0),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='AlbuSeg', transforms=albu_transforms),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
