# Image-level synthetic augmentation (Liu et al.), full scale, on
# Cityscapes: mmseg's PSPNet-R50-d8 trained on real Cityscapes train mixed
# with synthetic samples (half of each epoch) written by tools/synthesize.py
# from a pix2pixHD trained on Cityscapes, in `synthetic_root`
# (`images/*.png`, `labels/*.png` with train ids). The paper's multi-label
# recomposition adds Wall, Fence, Pole, Traffic light and Train.
_base_ = ['./pspnet/pspnet_r50-d8_4xb2-80k_cityscapes-512x1024.py']
synthetic_root = '{{ fileDirname }}/../work_dirs/synthetic/cityscapes_multi'
synthetic_ratio = 0.5
train_dataloader = dict(
    dataset=dict(
        _delete_=True,
        type='SyntheticMixDataset',
        real={{_base_.train_dataloader.dataset}},
        synthetic=dict(
            type='CityscapesDataset',
            data_root=synthetic_root,
            data_prefix=dict(img_path='images', seg_map_path='labels'),
            img_suffix='.png',
            seg_map_suffix='.png',
            pipeline={{_base_.train_pipeline}}),
        synthetic_ratio=synthetic_ratio))
