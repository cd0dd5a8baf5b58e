# Two-phase schedule in the CPU regime (FreeMask, Liu et al.), phase 1:
# pre-train on the copy-paste set only (share 1.0: no real sample) for the
# first half of the regime's 2000 iterations. Phase 2 is
# fast_scnn-copypaste-multi-finetune_1xb8-1k_camvid-256x352.py (real
# CamVid only, the other half), so that both phases together train as many
# iterations as one run of the regime.
_base_ = ['./fast_scnn-copypaste-multi_1xb8-2k_camvid-256x352.py']
iters = 1000
train_dataloader = dict(dataset=dict(synthetic_ratio=1.0))
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
