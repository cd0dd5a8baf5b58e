# The CPU regime: Fast-SCNN from scratch on CamVid at half resolution, a
# schedule in which the baseline learns the rare classes on 2 CPU cores.
# Images are resized around 240x180 (ratio 0.75-1.5) and cropped to
# 176x240, batch 16; test at 240x180, scored at the full label resolution.
# SGD lr 0.05, poly to 2k iterations; validation and a checkpoint every
# 500 iterations, so that a run gives a curve and resumes.
# Cross-entropy weighted by the square root of median frequency balancing
# (Eigen & Fergus, ICCV 2015), on every head alike: the weights below are
# (median(f) / f_c) ** 0.5 of the pixel frequencies f_c of CamVid train
# (mmseg's CrossEntropyLoss with class_weight fails on the ignore label in
# mmseg 1.2.2, hence the project's weighted cross-entropy).
# Timings and scores: configs/fast_scnn/README.md.
_base_ = [
    'mmseg::_base_/models/fast_scnn.py', '../_base_/datasets/camvid.py',
    'mmseg::_base_/default_runtime.py',
    '../_base_/schedules/schedule_cpu_1k.py'
]
scale = (240, 180)
crop_size = (176, 240)
norm_cfg = dict(type='BN', requires_grad=True, momentum=0.01)
# Sky, Building, Pole, Road, Pavement, Tree, SignSymbol, Fence, Car,
# Pedestrian, Bicyclist.
class_weight = [
    0.516, 0.439, 2.136, 0.376, 1.0, 0.679, 1.956, 1.995, 0.875, 2.649, 3.922
]
data_preprocessor = dict(size=crop_size)
model = dict(
    data_preprocessor=data_preprocessor,
    backbone=dict(norm_cfg=norm_cfg),
    decode_head=dict(
        num_classes=11,
        norm_cfg=norm_cfg,
        loss_decode=dict(
            _delete_=True,
            type='InverseFrequencyCrossEntropyLoss',
            num_classes=11,
            class_weight=class_weight,
            loss_weight=1.0)),
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
train_pipeline = [
    dict(type='LoadCheckedImage'),
    dict(type='LoadCheckedAnnotations'),
    dict(
        type='RandomResize',
        scale=scale,
        ratio_range=(0.75, 1.5),
        keep_ratio=True),
    dict(type='RandomCrop', crop_size=crop_size, cat_max_ratio=0.75),
    dict(type='RandomFlip', prob=0.5),
    dict(type='PhotoMetricDistortion'),
    dict(type='PackSegInputs')
]
test_pipeline = [
    dict(type='LoadCheckedImage'),
    dict(type='Resize', scale=scale, keep_ratio=True),
    dict(type='LoadCheckedAnnotations'),
    dict(type='PackSegInputs')
]
train_dataloader = dict(batch_size=16, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
iters = 2000
interval = 500
optimizer = dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=4e-5)
optim_wrapper = dict(type='OptimWrapper', optimizer=optimizer, clip_grad=None)
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=1e-4,
        power=0.9,
        begin=0,
        end=iters,
        by_epoch=False)
]
train_cfg = dict(max_iters=iters, val_interval=interval)
default_hooks = dict(
    checkpoint=dict(
        by_epoch=False, interval=interval, max_keep_ckpts=1, save_last=True))
