# The regime's copy-paste mix with FreeMask's hardness-aware re-sampling:
# the copy-paste set rendered from label maps chosen by how hard the
# regime's baseline finds their classes (1 to 20 renderings per map by
# rank, 734 in all) instead of one per map. At share 0.5 the mix uses the
# set's first 367 samples, as many as the uniform copy-paste mix; they are
# in shuffled order, so they follow the allocation in proportion.
#   BASELINE=configs/fast_scnn/fast_scnn_1xb8-2k_camvid-256x352.py
#   .venv/bin/python tools/synthesize.py none none \
#       configs/_base_/datasets/camvid.py --mode multi --copy-paste \
#       --num 734 --seed 0 \
#       --resample-config $BASELINE --resample-checkpoint BASELINE.pth \
#       --renderings-per-map 1 20 \
#       --out work_dirs/synthetic/cpu_regime/camvid_multi_copypaste_resampled
_base_ = ['./fast_scnn-copypaste-multi_1xb8-2k_camvid-256x352.py']
train_dataloader = dict(
    dataset=dict(
        synthetic=dict(data_root='{{ fileDirname }}/../../work_dirs/synthetic/'
                       'cpu_regime/camvid_multi_copypaste_resampled')))
