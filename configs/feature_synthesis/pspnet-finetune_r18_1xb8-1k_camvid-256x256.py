# Plain fine-tuning of the trained CPU PSPNet-R18 on CamVid: the reference
# schedule that the feature-synthesis configs share (same iterations, lr).
_base_ = ['../pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py']
# The trained baseline (tools/train.py configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py).  # noqa
pspnet_checkpoint = 'work_dirs/pspnet_r18_1xb8-1k_camvid-256x256/iter_1000.pth'  # noqa
load_from = pspnet_checkpoint
optim_wrapper = dict(optimizer=dict(lr=0.001))
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=1e-5,
        power=0.9,
        begin=0,
        end=1000,
        by_epoch=False)
]
