"""Feature-level synthetic augmentation, model side, in one place.

He, Schiele and Fritz, "Synthetic Convolutional Features for Improved
Semantic Segmentation" (2018): a feature generator, trained as a
BicycleGAN on (mask, feature) pairs that a frozen segmentor gives
(:class:`SegFeatureDataPreProcessor`), turns label masks into the features
of one backbone stage (:mod:`.backbone_split`); the segmentor is then
fine-tuned with synthetic features added to its batches
(:class:`FeatureSynthesisEncoderDecoder` with its
:class:`SyntheticFeatureSampler`, which draws layouts from mask sources
and mines hard ones). The start-up hook is in ``engine/hooks`` and the
PSPNet-score in ``evaluation``, where mmengine and mmseg keep hooks and
metrics.
"""
from .backbone_split import (check_splittable, encoder_modules,
                             forward_from_stage, forward_to_stage,
                             logits_from_stage, stage_channels)
from .discriminator import FeatureDiscriminator, FeatureEncoder
from .feature_bicyclegan import FeatureBicycleGAN
from .feature_synthesis_encoder_decoder import FeatureSynthesisEncoderDecoder
from .generator import ASPPLayoutEncoder, FeatureGenerator, FeatureUNet
from .layout_sampler import LayoutSampler
from .mask_sources import (BankMaskSource, BatchMaskSource, DatasetMaskSource,
                           FolderMaskSource, MaskSource, PseudoLabelMaskSource,
                           fit_masks)
from .seg_feature_data_preprocessor import (SegFeatureDataPreProcessor,
                                            build_frozen_segmentor)
from .synthetic_feature_sampler import SyntheticFeatureSampler

__all__ = [
    'ASPPLayoutEncoder', 'FeatureBicycleGAN', 'FeatureDiscriminator',
    'FeatureEncoder', 'FeatureGenerator', 'FeatureUNet',
    'FeatureSynthesisEncoderDecoder', 'SyntheticFeatureSampler',
    'LayoutSampler', 'MaskSource', 'BatchMaskSource', 'BankMaskSource',
    'DatasetMaskSource', 'FolderMaskSource', 'PseudoLabelMaskSource',
    'fit_masks', 'SegFeatureDataPreProcessor', 'build_frozen_segmentor',
    'check_splittable', 'encoder_modules', 'forward_from_stage',
    'forward_to_stage', 'logits_from_stage', 'stage_channels'
]
