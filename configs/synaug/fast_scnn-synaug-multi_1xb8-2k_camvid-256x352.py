# Image-level synthetic augmentation (Liu et al.) in the CPU regime
# (configs/fast_scnn/): Fast-SCNN at full resolution trained on CamVid train
# mixed with the `multi` set rendered by the regime's generator, half of
# each epoch synthetic. The same recomposed label maps as the copy-paste
# config (same --num and --seed), rendered by pix2pixHD instead of pasted:
#   .venv/bin/python tools/synthesize.py \
#       configs/pix2pixhd/pix2pixhd_w32-d3-r6_1xb4-2.5k_camvid-128x128.py \
#       GEN.pth configs/_base_/datasets/camvid.py --mode multi --num 367 \
#       --seed 0 --out work_dirs/synthetic/cpu_regime/camvid_multi
_base_ = ['./fast_scnn-copypaste-multi_1xb8-2k_camvid-256x352.py']
synthetic_root = ('{{ fileDirname }}/../../work_dirs/synthetic/cpu_regime/'
                  'camvid_multi')
train_dataloader = dict(dataset=dict(synthetic=dict(data_root=synthetic_root)))
