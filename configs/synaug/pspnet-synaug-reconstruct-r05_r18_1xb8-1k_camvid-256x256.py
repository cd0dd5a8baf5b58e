# Ablation: synthetic samples from 'reconstruct' recomposition instead of
# 'multi', share 0.5 (tools/synthesize.py --mode reconstruct
# --out work_dirs/synthetic/camvid_reconstruct).
_base_ = ['../pspnet_synaug_camvid.py']
reconstruct_root = ('{{ fileDirname }}/../../work_dirs/synthetic/'
                    'camvid_reconstruct')
train_dataloader = dict(
    dataset=dict(synthetic=dict(data_root=reconstruct_root)))
