# Two-phase schedule in the CPU regime, phase 2: the regime's baseline on
# real CamVid only for the second half of its 2000 iterations (the poly
# schedule restarted from lr 0.05), fine-tuned from phase 1
# (fast_scnn-copypaste-multi-pretrain_1xb8-1k_camvid-256x352.py).
# benchmark_cpu_regime.sh points each seed at its own phase 1
# (compare_configs.py replaces {seed} by the run's seed):
#   --cfg-options-for THIS_CONFIG_NAME \
#       load_from=work_dirs/cpu_regime/two_phase/PHASE1/seed{seed}/iter_1000.pth
_base_ = ['../fast_scnn/fast_scnn_1xb8-2k_camvid-256x352.py']
iters = 1000
param_scheduler = [
    dict(
        type='PolyLR',
        eta_min=1e-4,
        power=0.9,
        begin=0,
        end=iters,
        by_epoch=False)
]
train_cfg = dict(max_iters=iters)
load_from = ('{{ fileDirname }}/../../work_dirs/cpu_regime/two_phase/'
             'fast_scnn-copypaste-multi-pretrain_1xb8-1k_camvid-256x352/'
             'seed0/iter_1000.pth')
