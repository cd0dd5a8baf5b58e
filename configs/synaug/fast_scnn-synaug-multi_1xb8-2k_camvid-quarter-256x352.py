# The generated mix of the quarter-label CPU regime: the 92 real images
# mixed with the same recomposed label maps as the quarter copy-paste
# config (from those 92 only, same --num and --seed), rendered by the
# generator trained on the 92, half of each epoch:
#   GEN_CONFIG=configs/pix2pixhd/pix2pixhd_w32-d3-r6_1xb4-2.5k_camvid-quarter-128x128.py
#   .venv/bin/python tools/synthesize.py $GEN_CONFIG GEN.pth \
#       configs/fast_scnn/fast_scnn_1xb8-2k_camvid-quarter-256x352.py \
#       --mode multi --num 367 --seed 0 \
#       --out work_dirs/synthetic/cpu_regime/camvid_quarter_multi
_base_ = ['./fast_scnn-copypaste-multi_1xb8-2k_camvid-quarter-256x352.py']
train_dataloader = dict(
    dataset=dict(
        synthetic=dict(data_root='{{ fileDirname }}/../../work_dirs/synthetic/'
                       'cpu_regime/camvid_quarter_multi')))
