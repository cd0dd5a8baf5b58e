# Ablation: the filtered mix, with the synthetic set rendered by
# hardness-aware re-sampling (FreeMask) instead of uniformly: the real label
# maps whose classes the real-data segmentor finds hard get more renderings
# (1 to 20 per map; a uniform set of the same --num spreads them evenly):
#   .venv/bin/python tools/synthesize.py GEN_CONFIG GEN.pth \
#       configs/_base_/datasets/camvid.py --mode multi --num 734 \
#       --out work_dirs/synthetic/camvid_multi_resampled \
#       --resample-config configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py \
#       --resample-checkpoint SEG.pth --renderings-per-map 1 20
# then filtered as the filtered mix is (tools/filter_synthetic.py ...
# --margin 1.25).
_base_ = ['./pspnet-synaug-multi-filtered-r05_r18_1xb8-1k_camvid-256x256.py']
resampled_root = ('{{ fileDirname }}/../../work_dirs/synthetic/'
                  'camvid_multi_resampled')
train_dataloader = dict(dataset=dict(synthetic=dict(data_root=resampled_root)))
