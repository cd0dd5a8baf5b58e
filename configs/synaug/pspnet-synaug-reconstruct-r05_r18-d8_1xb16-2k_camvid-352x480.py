# Ablation at GPU scale: synthetic samples from 'reconstruct' recomposition
# instead of 'multi', half of each epoch synthetic
# (tools/synthesize.py --mode reconstruct
#  --out work_dirs/synthetic/camvid_reconstruct).
_base_ = ['./pspnet-synaug-multi-r05_r18-d8_1xb16-2k_camvid-352x480.py']
train_dataloader = dict(
    dataset=dict(
        synthetic=dict(
            data_root=('{{ fileDirname }}/../../work_dirs/'
                       'synthetic/camvid_reconstruct'))))
