# Full-scale pix2pixHD on CamVid at the native 360x480: the paper's global
# generator (c7s1-64, d128, d256, d512, d1024, R1024 x 9, u512 ... u64,
# c7s1-3) and 3 discriminators of width 64; LSGAN + feature matching
# (lambda 10); batch 1 and the paper's 200 epochs: 200 x 367 training
# images = 73,400 iterations, lr 2e-4 constant for the first 100 epochs,
# then linearly to 0 (schedule_pix2pixhd.py). Images are padded to 368x480
# (a multiple of 16); the padding has the ignore label.
# 360x480 is below the paper's 1024x512 of the global generator, so no local
# enhancer. Coarse to fine, as the paper: train this G1, then G1 + G2 at a
# higher resolution from its checkpoint with
#   --cfg-options model.generator.num_local_enhancers=1
#   model.generator.local_base_channels=32 load_from=<G1 checkpoint>
#   model.freeze_global_iters=<iterations with G1 fixed>
# (the G1 of L=1, C'=32 has the 64 channels of this one).
# The paper's optional VGG19 perceptual loss (lambda 10, layer weights 1/32
# ... 1, inputs in [-1, 1] as its reference code) needs ImageNet weights,
# which are never downloaded, so it is off here (loss_weight 0): turn it on
# with --cfg-options model.perceptual_loss.loss_weight=10
# model.perceptual_loss.pretrained=/path/to/vgg19-dcbb9e9d.pth (a torchvision
# VGG19 state dict); a missing file is a clear error naming the option.
_base_ = [
    'mmseg::_base_/default_runtime.py',
    '../_base_/datasets/camvid_pix2pixhd.py',
    '../_base_/schedules/schedule_pix2pixhd.py'
]
generator_train_pipeline = [
    dict(type='LoadCheckedImage'),
    dict(type='LoadCheckedAnnotations', num_classes=11),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PackSegInputs')
]
train_dataloader = dict(
    batch_size=1, dataset=dict(pipeline=generator_train_pipeline))
model = dict(
    type='Pix2PixHD',
    num_classes=11,
    ignore_index=255,
    generator=dict(
        type='Pix2PixHDGenerator',
        base_channels=64,
        num_downsamples=4,
        num_blocks=9,
        num_local_enhancers=0),
    discriminator=dict(
        type='MultiScalePatchDiscriminator',
        num_scales=3,
        base_channels=64,
        num_layers=3),
    feature_matching_weight=10.0,
    perceptual_loss=dict(pretrained=None, loss_weight=0.0),
    data_preprocessor=dict(
        type='mmseg.SegDataPreProcessor',
        mean=[127.5, 127.5, 127.5],
        std=[127.5, 127.5, 127.5],
        bgr_to_rgb=True,
        pad_val=0,
        seg_pad_val=255,
        size=(368, 480)))
train_cfg = dict(max_iters=73400)
default_hooks = dict(checkpoint=dict(interval=3670))
custom_hooks = [dict(type='GeneratorGridHook', interval=1000, max_samples=1)]
