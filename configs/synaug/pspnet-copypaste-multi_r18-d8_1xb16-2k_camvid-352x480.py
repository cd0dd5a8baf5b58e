# Copy-paste baseline at GPU scale: the same recomposed label maps as the
# 'multi' synthetic set, with the real pixels of each pasted segment
# instead of generated images, half of each epoch
# (tools/synthesize.py none none
#  configs/pspnet/pspnet_r18-d8_1xb16-2k_camvid-352x480.py --mode multi
#  --copy-paste --num 184 --out work_dirs/synthetic/camvid_multi_copypaste).
_base_ = ['./pspnet-synaug-multi-r05_r18-d8_1xb16-2k_camvid-352x480.py']
train_dataloader = dict(
    dataset=dict(
        synthetic=dict(
            data_root=('{{ fileDirname }}/../../work_dirs/'
                       'synthetic/camvid_multi_copypaste'))))
