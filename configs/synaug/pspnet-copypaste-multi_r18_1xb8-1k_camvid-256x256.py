# Copy-paste baseline: the same recomposed label maps as the 'multi' synthetic
# set, with the real pixels of each pasted segment instead of generated
# images (tools/synthesize.py --mode multi --copy-paste
# --out work_dirs/synthetic/camvid_multi_copypaste).
_base_ = ['../pspnet_synaug_camvid.py']
copy_paste_root = ('{{ fileDirname }}/../../work_dirs/synthetic/'
                   'camvid_multi_copypaste')
train_dataloader = dict(
    dataset=dict(synthetic=dict(data_root=copy_paste_root)))
