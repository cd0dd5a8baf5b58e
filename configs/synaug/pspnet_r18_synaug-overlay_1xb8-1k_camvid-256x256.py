# Ablation: synthetic samples from 'overlay' recomposition instead of 'multi'
# (tools/synthesize.py --mode overlay --out work_dirs/synthetic/camvid_overlay).
_base_ = ['../pspnet_synaug_camvid.py']
train_dataloader = dict(
    dataset=dict(
        synthetic=dict(
            data_root='{{ fileDirname }}/../../work_dirs/synthetic/camvid_overlay')))
