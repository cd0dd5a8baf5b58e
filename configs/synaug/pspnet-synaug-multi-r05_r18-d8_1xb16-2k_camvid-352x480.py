# Image-level synthetic augmentation (Liu et al.) at GPU scale: the GPU
# PSPNet-R18-d8 CamVid baseline trained on real CamVid train mixed with
# synthetic samples, half of each epoch synthetic ('multi' recomposition).
# The synthetic set is written by tools/synthesize.py (a trained pix2pixHD
# renders LabelRecomposition's label maps) into `synthetic_root`; stage B
# of the staged GPU benchmark writes it (docs/gpu_benchmark.md):
#   python tools/synthesize.py PIX2PIXHD_CONFIG GEN.pth \
#       configs/pspnet/pspnet_r18-d8_1xb16-2k_camvid-352x480.py \
#       --mode multi --num 184 --out work_dirs/synthetic/camvid_multi
_base_ = ['../pspnet/pspnet_r18-d8_1xb16-2k_camvid-352x480.py']
synthetic_root = ('{{ fileDirname }}/../../work_dirs/synthetic/'
                  'camvid_multi')
synthetic_ratio = 0.5
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='SyntheticMixDataset',
        real=dict(
            type='CamVidDataset',
            data_prefix=dict(img_path='train', seg_map_path='trainannot'),
            pipeline={{_base_.train_pipeline}}),
        synthetic=dict(
            type='CamVidDataset',
            data_root=synthetic_root,
            data_prefix=dict(img_path='images', seg_map_path='labels'),
            pipeline={{_base_.train_pipeline}}),
        synthetic_ratio=synthetic_ratio))
