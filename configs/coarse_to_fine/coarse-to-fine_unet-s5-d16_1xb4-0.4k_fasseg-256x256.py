# Coarse-to-fine refiner on FASSEG at CPU scale: a U-Net (base width 16) on
# image + one-hot coarse map (frontal01), trained on the fine maps
# (frontal02) with inverse-frequency-weighted cross-entropy; 256x256 crops,
# batch 4, 400 iterations of AdamW. Evaluated on FASSEG test with
# CoarseToFineMetric (refined and coarse maps against the fine map).
_base_ = [
    '../_base_/models/coarse-to-fine_unet-s5-d16.py',
    '../_base_/datasets/fasseg_coarse_fine.py',
    'mmseg::_base_/default_runtime.py',
    '../_base_/schedules/schedule_cpu_1k.py'
]
max_iters = 400
optim_wrapper = dict(
    _delete_=True,
    type='OptimWrapper',
    optimizer=dict(type='AdamW', lr=1e-3, weight_decay=1e-4))
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=1e-5,
        power=0.9,
        begin=0,
        end=max_iters,
        by_epoch=False)
]
train_cfg = dict(max_iters=max_iters, val_interval=max_iters)
default_hooks = dict(
    logger=dict(interval=20),
    checkpoint=dict(interval=max_iters),
    visualization=dict(type='SegVisualizationHook', draw=False))
