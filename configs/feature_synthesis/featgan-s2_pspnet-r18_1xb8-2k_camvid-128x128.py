# Stage-choice ablation of the generator: stage 2 (stage_index 1: 128
# channels at 1/8) of the CPU PSPNet-R18 instead of stage 3.
_base_ = ['./featgan-s3_pspnet-r18_1xb8-2k_camvid-128x128.py']
stage_index = 1
feature_channels = 128
downsample_factor = 8
model = dict(
    data_preprocessor=dict(stage_index=stage_index),
    generator=dict(
        feature_channels=feature_channels,
        downsample_factor=downsample_factor),
    encoder=dict(in_channels=feature_channels),
    discriminator=dict(
        feature_channels=feature_channels,
        downsample_factor=downsample_factor))
