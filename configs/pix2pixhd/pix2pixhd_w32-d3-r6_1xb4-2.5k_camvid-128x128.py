# The CPU regime's generator (configs/fast_scnn/): pix2pixHD's global
# generator at width 32 (c7s1-32, 3 downsamplings, 6 residual blocks, no
# local enhancer), 2 discriminators of width 32, LSGAN + feature matching,
# no VGG loss; 128x128 crops at the native scale, batch 4, 2.5k iterations
# (lr constant for 1.25k, then linearly to 0): about an hour on one core of
# the 2-core CPU. Fully convolutional, it renders CamVid's full 480x360
# label maps, the regime's resolution.
_base_ = './pix2pixhd_w16-d3-r3_1xb2-2k_camvid-128x128.py'
model = dict(
    generator=dict(base_channels=32, num_blocks=6),
    discriminator=dict(base_channels=32))
train_dataloader = dict(batch_size=4)
train_cfg = dict(max_iters=2500)
custom_hooks = [dict(type='GeneratorGridHook', interval=500, max_samples=2)]
