# Ablation: the copy-paste baseline with the same loss filtering as the
# filtered synthetic mix (margin 1.25): the seams of pasted segments are
# label noise too, so this is the fair comparison for the filtered mix.
#   .venv/bin/python tools/filter_synthetic.py \
#       configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py SEG.pth \
#       work_dirs/synthetic/camvid_multi_copypaste --margin 1.25
_base_ = ['./pspnet-copypaste-multi_r18_1xb8-1k_camvid-256x256.py']
filtered_labels = 'labels_filtered_m1.25'
train_dataloader = dict(
    dataset=dict(
        synthetic=dict(data_prefix=dict(seg_map_path=filtered_labels))))
