# Feature generator (BicycleGAN, He et al.) for the CPU regime's Fast-SCNN
# (configs/fast_scnn/): stage 0, the output of its learning-to-downsample
# module (64 channels at 1/8), from which the global feature extractor and
# the feature fusion compute the rest; trained on the features of random
# 128x128 patches extracted by the frozen trained regime baseline. The
# widths of the CPU PSPNet generator.
#   python tools/train.py THIS_CONFIG \
#       --cfg-options model.data_preprocessor.checkpoint=BASELINE.pth
_base_ = ['./featgan-s3_pspnet-r18_1xb8-2k_camvid-128x128.py']
segmentor_config = '{{fileDirname}}/../fast_scnn/fast_scnn_1xb8-2k_camvid-256x352.py'  # noqa
segmentor_checkpoint = 'work_dirs/cpu_regime/fast_scnn_1xb8-2k_camvid-256x352/seed0/iter_2000.pth'  # noqa
stage_index = 0
feature_channels = 64
downsample_factor = 8
model = dict(
    data_preprocessor=dict(
        segmentor=segmentor_config,
        checkpoint=segmentor_checkpoint,
        stage_index=stage_index),
    generator=dict(
        feature_channels=feature_channels,
        downsample_factor=downsample_factor),
    encoder=dict(in_channels=feature_channels),
    discriminator=dict(
        feature_channels=feature_channels,
        downsample_factor=downsample_factor))
