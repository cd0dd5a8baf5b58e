# FreeMask's loss filtering (Yang et al., NeurIPS 2023) at GPU scale: the
# 'multi' synthetic mix of the GPU PSPNet-R18-d8 with its label maps
# filtered by the real-data baseline (pixels whose cross-entropy exceeds
# 1.25 times their class's mean loss on real CamVid train are ignored).
# The image preset of the GPU benchmark writes the filtered maps beside the
# set's labels (docs/gpu_benchmark.md):
#   python tools/filter_synthetic.py \
#       configs/pspnet/pspnet_r18-d8_1xb16-2k_camvid-352x480.py BASELINE.pth \
#       work_dirs/synthetic/camvid_multi --margin 1.25
_base_ = ['./pspnet-synaug-multi-r05_r18-d8_1xb16-2k_camvid-352x480.py']
filtered_labels = 'labels_filtered_m1.25'
train_dataloader = dict(
    dataset=dict(
        synthetic=dict(data_prefix=dict(seg_map_path=filtered_labels))))
