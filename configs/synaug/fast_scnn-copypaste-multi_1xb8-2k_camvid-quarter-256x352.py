# The copy-paste baseline of the quarter-label CPU regime: the 92 real
# images mixed with copy-paste samples recomposed from those 92 only,
# half of each epoch. The set is written by
#   .venv/bin/python tools/synthesize.py none none \
#       configs/fast_scnn/fast_scnn_1xb8-2k_camvid-quarter-256x352.py \
#       --mode multi --copy-paste --num 367 \
#       --out work_dirs/synthetic/cpu_regime/camvid_quarter_multi_copypaste
_base_ = ['./fast_scnn-copypaste-multi_1xb8-2k_camvid-256x352.py']
quarter = ('{{ fileDirname }}/../_base_/datasets/splits/'
           'camvid_train_quarter.txt')
train_dataloader = dict(
    dataset=dict(
        real=dict(ann_file=quarter),
        synthetic=dict(data_root='{{ fileDirname }}/../../work_dirs/synthetic/'
                       'cpu_regime/camvid_quarter_multi_copypaste')))
