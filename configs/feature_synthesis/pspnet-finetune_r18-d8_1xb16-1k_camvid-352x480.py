# GPU-scale plain fine-tuning of the trained PSPNet-R18-d8 on CamVid
# (configs/pspnet/pspnet_r18-d8_1xb16-2k_camvid-352x480.py: 352x480 crops,
# batch 16, mixed precision): 1k more iterations at a tenth of its learning
# rate, poly decay. The reference of
# pspnet-featsyn_r18-d8_1xb16-1k_camvid-352x480.py (same schedule).
#   python tools/train.py THIS_CONFIG --cfg-options load_from=PSPNET_D8.pth
_base_ = ['../pspnet/pspnet_r18-d8_1xb16-2k_camvid-352x480.py']
pspnet_checkpoint = 'work_dirs/pspnet_r18-d8_1xb16-2k_camvid-352x480/iter_2000.pth'  # noqa
load_from = pspnet_checkpoint
optim_wrapper = dict(optimizer=dict(lr=0.002))
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=1e-5,
        power=0.9,
        begin=0,
        end=1000,
        by_epoch=False)
]
train_cfg = dict(
    type='FastResumeIterBasedTrainLoop', max_iters=1000, val_interval=1000)
default_hooks = dict(
    checkpoint=dict(type='CheckpointHook', by_epoch=False, interval=1000))
