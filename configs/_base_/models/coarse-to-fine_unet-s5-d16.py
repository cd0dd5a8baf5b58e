# Coarse-to-fine refiner: mmseg's UNet (5 stages, output stride 1 at the
# last decoder stage) on the image concatenated with the one-hot coarse map
# (in_channels = 3 + num_classes, filled in by CoarseToFineSegmentor), an
# FCN head on the full-resolution decoder output, cross-entropy weighted by
# inverse class frequency (computed from the labels seen in training); the
# scaled one-hot coarse map is added to the logits (residual refinement).
norm_cfg = dict(type='BN', requires_grad=True)
num_classes = 6
data_preprocessor = dict(
    type='SegDataPreProcessor',
    mean=[123.675, 116.28, 103.53],
    std=[58.395, 57.12, 57.375],
    bgr_to_rgb=True,
    pad_val=0,
    seg_pad_val=255,
    size=(256, 256),
    # UNet needs sizes divisible by 16: pad test images, crop logits back.
    test_cfg=dict(size_divisor=16))
model = dict(
    type='CoarseToFineSegmentor',
    data_preprocessor=data_preprocessor,
    num_classes=num_classes,
    image_only=False,
    # Residual refinement: logits += s * one-hot coarse, s learnt from 3.
    coarse_skip=3.0,
    pretrained=None,
    backbone=dict(
        type='UNet',
        base_channels=16,
        num_stages=5,
        strides=(1, 1, 1, 1, 1),
        enc_num_convs=(2, 2, 2, 2, 2),
        dec_num_convs=(2, 2, 2, 2),
        downsamples=(True, True, True, True),
        enc_dilations=(1, 1, 1, 1, 1),
        dec_dilations=(1, 1, 1, 1),
        with_cp=False,
        conv_cfg=None,
        norm_cfg=norm_cfg,
        act_cfg=dict(type='ReLU'),
        upsample_cfg=dict(type='InterpConv'),
        norm_eval=False),
    decode_head=dict(
        type='FCNHead',
        in_channels=16,
        in_index=4,
        channels=16,
        num_convs=1,
        concat_input=False,
        dropout_ratio=0.1,
        num_classes=num_classes,
        norm_cfg=norm_cfg,
        align_corners=False,
        loss_decode=dict(
            type='InverseFrequencyCrossEntropyLoss',
            num_classes=num_classes,
            class_weight=None,
            power=1.0,
            max_weight=10.0)),
    train_cfg=dict(),
    test_cfg=dict(mode='whole'))
