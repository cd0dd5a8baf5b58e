# The CPU regime: the full-resolution config with the cross-entropy weighted
# by median frequency balancing itself, (median(f) / f_c) ** 1 (Eigen &
# Fergus, ICCV 2015), instead of its square root: at the square root Pole is
# seldom predicted (recall 2-8% on CamVid val), see README.md.
_base_ = './fast_scnn_1xb8-2k_camvid-256x352.py'
# Sky, Building, Pole, Road, Pavement, Tree, SignSymbol, Fence, Car,
# Pedestrian, Bicyclist.
class_weight = [
    0.266, 0.193, 4.564, 0.142, 1.0, 0.461, 3.825, 3.981, 0.765, 7.018, 15.382
]
norm_cfg = dict(type='BN', requires_grad=True, momentum=0.01)
model = dict(
    decode_head=dict(loss_decode=dict(class_weight=class_weight)),
    auxiliary_head=[
        dict(
            type='FCNHead',
            in_channels=128,
            channels=32,
            num_convs=1,
            num_classes=11,
            in_index=-2,
            norm_cfg=norm_cfg,
            concat_input=False,
            align_corners=False,
            loss_decode=dict(
                type='InverseFrequencyCrossEntropyLoss',
                num_classes=11,
                class_weight=class_weight,
                loss_weight=0.4)),
        dict(
            type='FCNHead',
            in_channels=64,
            channels=32,
            num_convs=1,
            num_classes=11,
            in_index=-3,
            norm_cfg=norm_cfg,
            concat_input=False,
            align_corners=False,
            loss_decode=dict(
                type='InverseFrequencyCrossEntropyLoss',
                num_classes=11,
                class_weight=class_weight,
                loss_weight=0.4)),
    ])
