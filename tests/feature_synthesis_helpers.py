"""Shared by the feature-synthesis tests: the CPU PSPNet config, patches."""
from mmengine.dataset import pseudo_collate
from mmseg.registry import DATASETS

from conftest import REPO_ROOT

PSPNET = str(REPO_ROOT / 'configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py')


def camvid_patches(camvid_root: str,
                   split: str = 'train',
                   n: int = 2,
                   crop: int = 64) -> dict:
    """A collated batch of ``n`` random ``crop`` patches of real CamVid."""
    dataset = DATASETS.build(
        dict(
            type='CamVidDataset',
            data_root=camvid_root,
            data_prefix=dict(img_path=split, seg_map_path=split + 'annot'),
            indices=n,
            pipeline=[
                dict(type='LoadCheckedImage'),
                dict(type='LoadCheckedAnnotations'),
                dict(type='RandomCrop', crop_size=(crop, crop)),
                dict(type='PackSegInputs')
            ]))
    return pseudo_collate([dataset[i] for i in range(n)])
