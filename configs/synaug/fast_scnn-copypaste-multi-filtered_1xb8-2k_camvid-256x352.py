# The regime's copy-paste baseline with FreeMask's loss filtering (margin
# 1.25) by the regime's baseline: pixels of the copy-paste set that the
# baseline finds much harder than their class on real images (seams,
# pasted segments out of place) are ignored.
#   .venv/bin/python tools/filter_synthetic.py \
#       configs/fast_scnn/fast_scnn_1xb8-2k_camvid-256x352.py BASELINE.pth \
#       work_dirs/synthetic/cpu_regime/camvid_multi_copypaste --margin 1.25
_base_ = ['./fast_scnn-copypaste-multi_1xb8-2k_camvid-256x352.py']
filtered_labels = 'labels_filtered_m1.25'
train_dataloader = dict(
    dataset=dict(
        synthetic=dict(data_prefix=dict(seg_map_path=filtered_labels))))
