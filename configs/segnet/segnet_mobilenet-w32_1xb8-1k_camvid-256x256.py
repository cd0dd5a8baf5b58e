# CPU-scale MobileNet SegNet on CamVid: the SegNet layout with every 3x3
# convolution depthwise-separable (MobileNet's block), at half of VGG16's
# width; otherwise as the VGG16 SegNet config.
_base_ = ['./segnet_vgg16-w16_1xb8-1k_camvid-256x256.py']
stage_channels = (32, 64, 128, 256, 256)
conv_type = 'depthwise_separable'
model = dict(
    backbone=dict(stage_channels=stage_channels, conv_type=conv_type),
    decode_head=dict(
        stage_channels=stage_channels,
        conv_type=conv_type,
        in_channels=stage_channels[-1],
        channels=stage_channels[0]))
