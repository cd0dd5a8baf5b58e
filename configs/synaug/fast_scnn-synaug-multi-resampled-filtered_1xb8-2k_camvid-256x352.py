# FreeMask's recipe on the regime's generated images: the recomposed label
# maps chosen by hardness-aware re-sampling (1 to 20 renderings per map by
# how hard the regime's baseline finds their classes, 734 in all; the mix
# at share 0.5 uses the first 367), rendered by the regime's generator,
# then filtered by the same baseline at margin 1.25.
#   BASELINE=configs/fast_scnn/fast_scnn_1xb8-2k_camvid-256x352.py
#   .venv/bin/python tools/synthesize.py \
#       configs/pix2pixhd/pix2pixhd_w32-d3-r6_1xb4-2.5k_camvid-128x128.py \
#       GEN.pth configs/_base_/datasets/camvid.py --mode multi --num 734 \
#       --seed 0 --resample-config $BASELINE \
#       --resample-checkpoint BASELINE.pth --renderings-per-map 1 20 \
#       --out work_dirs/synthetic/cpu_regime/camvid_multi_resampled
#   .venv/bin/python tools/filter_synthetic.py $BASELINE BASELINE.pth \
#       work_dirs/synthetic/cpu_regime/camvid_multi_resampled --margin 1.25
_base_ = ['./fast_scnn-synaug-multi-filtered_1xb8-2k_camvid-256x352.py']
synthetic_root = ('{{ fileDirname }}/../../work_dirs/synthetic/cpu_regime/'
                  'camvid_multi_resampled')
train_dataloader = dict(dataset=dict(synthetic=dict(data_root=synthetic_root)))
