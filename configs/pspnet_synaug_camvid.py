# Image-level synthetic augmentation (Liu et al.), CPU scale, on CamVid: the
# CPU PSPNet baseline trained on real CamVid train mixed with synthetic
# samples, half of each epoch synthetic. The synthetic set is written by
# tools/synthesize.py (a trained pix2pixHD renders LabelRecomposition's
# label maps), into `synthetic_root`:
#   python tools/synthesize.py configs/pix2pixhd/<camvid config>.py GEN.pth \
#       configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py \
#       --mode multi --num 367 --out work_dirs/synthetic/camvid_multi
_base_ = ['./pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py']
synthetic_root = '{{ fileDirname }}/../work_dirs/synthetic/camvid_multi'
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
