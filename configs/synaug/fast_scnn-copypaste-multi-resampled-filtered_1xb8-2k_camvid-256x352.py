# The regime's two FreeMask steps together on the copy-paste set: the
# hardness-aware re-sampled set (fast_scnn-copypaste-multi-resampled_*)
# filtered by the regime's baseline at margin 1.25, as the filtered mix
# (fast_scnn-copypaste-multi-filtered_*) filters the uniform one.
#   .venv/bin/python tools/filter_synthetic.py \
#       configs/fast_scnn/fast_scnn_1xb8-2k_camvid-256x352.py BASELINE.pth \
#       work_dirs/synthetic/cpu_regime/camvid_multi_copypaste_resampled \
#       --margin 1.25
_base_ = ['./fast_scnn-copypaste-multi-resampled_1xb8-2k_camvid-256x352.py']
filtered_labels = 'labels_filtered_m1.25'
train_dataloader = dict(
    dataset=dict(
        synthetic=dict(data_prefix=dict(seg_map_path=filtered_labels))))
