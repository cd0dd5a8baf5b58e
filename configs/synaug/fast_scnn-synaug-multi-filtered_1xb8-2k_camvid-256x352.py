# The regime's generated mix with FreeMask's loss filtering (Yang et al.,
# NeurIPS 2023; margin 1.25) by the regime's baseline: pixels of the
# generated images whose cross-entropy under the real-data segmentor
# exceeds 1.25 times their class's mean loss on real CamVid train are
# ignored (the pixels the generator rendered as something else).
#   .venv/bin/python tools/filter_synthetic.py \
#       configs/fast_scnn/fast_scnn_1xb8-2k_camvid-256x352.py BASELINE.pth \
#       work_dirs/synthetic/cpu_regime/camvid_multi --margin 1.25
_base_ = ['./fast_scnn-synaug-multi_1xb8-2k_camvid-256x352.py']
filtered_labels = 'labels_filtered_m1.25'
train_dataloader = dict(
    dataset=dict(
        synthetic=dict(data_prefix=dict(seg_map_path=filtered_labels))))
