# Two-phase schedule, phase 1 (FreeMask, Liu et al.): pre-train on the
# filtered synthetic set only (share 1.0: no real sample). Phase 2 is
# pspnet-synaug-multi-filtered-finetune_r18_1xb8-1k_camvid-256x256.py, which
# loads this run's last checkpoint and trains on real CamVid only.
_base_ = ['./pspnet-synaug-multi-filtered-r05_r18_1xb8-1k_camvid-256x256.py']
train_dataloader = dict(dataset=dict(synthetic_ratio=1.0))
