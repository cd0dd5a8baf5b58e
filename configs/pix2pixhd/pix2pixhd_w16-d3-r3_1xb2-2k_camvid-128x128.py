# CPU-scale pix2pixHD on CamVid: global generator c7s1-16, 3 downsamplings
# (d32, d64, d128), 3 residual blocks, no local enhancer; 2 discriminators
# of width 16; LSGAN + feature matching (lambda 10), no VGG loss; 128x128
# crops at the native scale, batch 2, 2k iterations (lr constant for 1k,
# then linearly to 0). type='Pix2PixHD' is the project's registration in
# mmseg's registry: it trains without MMagic's models (numpy 1.x or 2.x).
_base_ = [
    'mmseg::_base_/default_runtime.py',
    '../_base_/datasets/camvid_pix2pixhd.py',
    '../_base_/schedules/schedule_pix2pixhd.py'
]
crop_size = (128, 128)
model = dict(
    type='Pix2PixHD',
    num_classes=11,
    ignore_index=255,
    generator=dict(
        type='Pix2PixHDGenerator',
        base_channels=16,
        num_downsamples=3,
        num_blocks=3,
        num_local_enhancers=0),
    discriminator=dict(
        type='MultiScalePatchDiscriminator',
        num_scales=2,
        base_channels=16,
        num_layers=3),
    feature_matching_weight=10.0,
    perceptual_loss=None,
    data_preprocessor=dict(
        type='mmseg.SegDataPreProcessor',
        mean=[127.5, 127.5, 127.5],
        std=[127.5, 127.5, 127.5],
        bgr_to_rgb=True,
        pad_val=0,
        seg_pad_val=255,
        size=crop_size))
