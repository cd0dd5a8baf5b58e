# The copy-paste baseline in the CPU regime (configs/fast_scnn/): Fast-SCNN
# at full resolution trained on CamVid train mixed with the `multi`
# copy-paste set (recomposed label maps with the real pixels of the pasted
# segments), half of each epoch synthetic. The set is written by
#   .venv/bin/python tools/synthesize.py none none \
#       configs/_base_/datasets/camvid.py --mode multi --copy-paste \
#       --num 367 --out work_dirs/synthetic/cpu_regime/camvid_multi_copypaste
# (a folder of its own: its filtered maps are the regime baseline's, not
# those of the PSPNet configs' copy-paste set).
_base_ = ['../fast_scnn/fast_scnn_1xb8-2k_camvid-256x352.py']
synthetic_root = ('{{ fileDirname }}/../../work_dirs/synthetic/cpu_regime/'
                  'camvid_multi_copypaste')
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
