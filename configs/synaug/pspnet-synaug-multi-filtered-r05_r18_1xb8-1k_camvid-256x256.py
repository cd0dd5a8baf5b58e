# Ablation: the 'multi' synthetic set at share 0.5 with its label maps
# filtered by a real-data segmentor's loss (FreeMask, Yang et al., NeurIPS
# 2023): pixels whose cross-entropy exceeds 1.25 times their class's mean
# loss on real CamVid train are ignored. The filtered maps are written
# beside the originals by
#   .venv/bin/python tools/filter_synthetic.py \
#       configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py SEG.pth \
#       work_dirs/synthetic/camvid_multi --margin 1.25
_base_ = ['./pspnet-synaug-multi-r05_r18_1xb8-1k_camvid-256x256.py']
filtered_labels = 'labels_filtered_m1.25'
train_dataloader = dict(
    dataset=dict(
        synthetic=dict(data_prefix=dict(seg_map_path=filtered_labels))))
