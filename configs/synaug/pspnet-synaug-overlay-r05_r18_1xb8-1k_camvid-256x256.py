# Ablation: synthetic samples from 'overlay' recomposition instead of
# 'multi', share 0.5 (tools/synthesize.py --mode overlay
# --out work_dirs/synthetic/camvid_overlay).
_base_ = ['../pspnet_synaug_camvid.py']
overlay_root = '{{ fileDirname }}/../../work_dirs/synthetic/camvid_overlay'
train_dataloader = dict(dataset=dict(synthetic=dict(data_root=overlay_root)))
