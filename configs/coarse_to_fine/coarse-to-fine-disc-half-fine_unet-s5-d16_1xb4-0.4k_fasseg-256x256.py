# The report's second model, done as its future work proposes: a per-pixel
# discriminator lets the refiner train on images that have only coarse
# labels. Fine maps of the first 10 training images (as in
# coarse-to-fine-half-fine_*), plus the other 10 with their coarse maps only
# (PackCoarseFineInputs(has_fine_label=False): their fine maps are not
# used). The discriminator judges (image, label probabilities) per pixel:
# fine one-hot maps are real, the refiner's outputs fake; the refiner is
# pushed to make its outputs on all images look fine.
_base_ = ['./coarse-to-fine_unet-s5-d16_1xb4-0.4k_fasseg-256x256.py']
model = dict(
    discriminator=dict(
        type='PixelDiscriminator', base_channels=32, num_downsamples=2),
    adv_loss_weight=0.01,
    disc_loss_weight=1.0,
    coarse_loss_weight=0.0)
# One optimizer per player (as every model with a discriminator): the
# refiner (every module but the discriminator, and the learnt coarse-skip
# scale) and the discriminator, each the base config's AdamW; the PolyLR
# schedule applies to both.
optim_wrapper = dict(
    _delete_=True,
    constructor='MultiOptimWrapperConstructor',
    segmentor=dict(
        modules=['backbone', 'decode_head', 'coarse_skip'],
        type='OptimWrapper',
        optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-4)),
    discriminator=dict(
        type='OptimWrapper',
        optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-4)))
crop_size = (256, 256)
coarse_only_pipeline = [
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
    dict(type='PackCoarseFineInputs', has_fine_label=False)
]
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='ConcatDataset',
        datasets=[
            dict(
                type='FASSEGDataset',
                split='train',
                indices=list(range(10)),
                pipeline={{_base_.train_pipeline}}),
            dict(
                type='FASSEGDataset',
                split='train',
                indices=list(range(10, 20)),
                pipeline=coarse_only_pipeline)
        ]))
