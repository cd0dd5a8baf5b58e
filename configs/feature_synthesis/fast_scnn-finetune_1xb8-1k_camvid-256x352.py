# Plain fine-tuning of the CPU regime's trained Fast-SCNN baseline
# (configs/fast_scnn/fast_scnn_1xb8-2k_camvid-256x352.py, 2000 iterations)
# for 1000 more iterations at a tenth of its learning rate: the reference
# that fast_scnn-featsyn_1xb8-1k_camvid-256x352.py shares (same schedule).
#   python tools/train.py THIS_CONFIG --cfg-options load_from=BASELINE.pth
_base_ = ['../fast_scnn/fast_scnn_1xb8-2k_camvid-256x352.py']
baseline_checkpoint = 'work_dirs/cpu_regime/fast_scnn_1xb8-2k_camvid-256x352/seed0/iter_2000.pth'  # noqa
load_from = baseline_checkpoint
iters = 1000
optim_wrapper = dict(optimizer=dict(lr=0.005))
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=1e-5,
        power=0.9,
        begin=0,
        end=iters,
        by_epoch=False)
]
train_cfg = dict(max_iters=iters)
