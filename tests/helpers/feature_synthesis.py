"""Shared by the feature-synthesis tests: the CPU PSPNet config, patches."""
import copy
from typing import Optional

from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmseg.registry import DATASETS, MODELS

from helpers import REPO_ROOT

PSPNET = str(REPO_ROOT / 'configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py')

# A tiny stage-3 generator of the CPU PSPNet-R18 (256 channels at 1/16).
GENERATOR = dict(
    type='FeatureGenerator',
    num_classes=11,
    feature_channels=256,
    downsample_factor=16,
    layout_channels=8,
    unet_channels=(8, 16))


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


def featsyn_segmentor(synthesizer: Optional[dict] = None, crop: int = 64):
    """The CPU PSPNet as a FeatureSynthesisEncoderDecoder (stage 3).

    Args:
        synthesizer (dict, optional): Overrides of a SyntheticFeatureSampler
            with the tiny :data:`GENERATOR` (random weights), the batch
            masks as layouts and OHNM off. Defaults to None.
        crop (int): Padding size of the data preprocessor. Defaults to 64.
    """
    cfg = copy.deepcopy(Config.fromfile(PSPNET).model)
    cfg.type = 'FeatureSynthesisEncoderDecoder'
    cfg.stage_index = 2
    cfg.data_preprocessor.size = (crop, crop)
    cfg.synthesizer = dict(
        type='SyntheticFeatureSampler', generator=GENERATOR, ohnm_interval=0)
    cfg.synthesizer.update(synthesizer or {})
    model = MODELS.build(cfg)
    model.init_weights()
    return model
