# GPU-scale pix2pixHD on CamVid at full resolution, sized for one H200: the
# paper's global generator (w64-d4-r9, 182 M parameters)
# and 3 discriminators of width 64, LSGAN + feature matching (lambda 10), no
# VGG loss (its ImageNet weights are never downloaded); 352x480 crops (the
# 360x480 images less 8 rows: a multiple of the generator's 16), batch 4,
# bf16 autocast, 3k iterations (12k images: 33 epochs of the 367 training
# images), lr 2e-4 constant for 1.5k iterations, then linearly to 0 (the
# paper's schedule, compressed from its 200 epochs).
# Time on one H200 (about 4 minutes): configs/pix2pixhd/README.md.
# A narrower generator trades width for epochs in the same time, e.g.
# --cfg-options model.generator.base_channels=32 (about 2.4x fewer FLOPs).
_base_ = ['./pix2pixhd_w64-d4-r9_1xb1-73.4k_camvid-360x480.py']
crop_size = (352, 480)
generator_train_pipeline = [
    dict(type='LoadCheckedImage'),
    dict(type='LoadCheckedAnnotations', num_classes=11),
    dict(type='RandomCrop', crop_size=crop_size),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=4,
    num_workers=4,
    dataset=dict(pipeline=generator_train_pipeline))
model = dict(data_preprocessor=dict(size=crop_size))
optim_wrapper = dict(
    generator=dict(type='AmpOptimWrapper', dtype='bfloat16'),
    discriminator=dict(type='AmpOptimWrapper', dtype='bfloat16'))
train_cfg = dict(max_iters=3000)
default_hooks = dict(
    logger=dict(interval=50), checkpoint=dict(interval=3000, max_keep_ckpts=1))
custom_hooks = [dict(type='GeneratorGridHook', interval=1000, max_samples=2)]
