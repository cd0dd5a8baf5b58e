from .adversarial_training import (AdversarialSegmentorMixin,
                                   check_player_optimizers, frozen,
                                   player_optim_wrappers, set_requires_grad)
from .backbone_split import (check_splittable, encoder_modules,
                             forward_from_stage, forward_to_stage,
                             logits_from_stage, stage_channels)
from .feature_synthesizer import FeatureSynthesizer
from .layout_sampler import LayoutSampler
from .mask_sources import (BankMaskSource, BatchMaskSource, DatasetMaskSource,
                           FolderMaskSource, MaskSource, PseudoLabelMaskSource,
                           fit_masks)
from .one_hot import one_hot_with_ignore

__all__ = [
    'set_requires_grad', 'frozen', 'player_optim_wrappers',
    'check_player_optimizers', 'AdversarialSegmentorMixin', 'check_splittable',
    'encoder_modules', 'forward_from_stage', 'forward_to_stage',
    'logits_from_stage', 'stage_channels', 'one_hot_with_ignore',
    'FeatureSynthesizer', 'LayoutSampler', 'MaskSource', 'BatchMaskSource',
    'BankMaskSource', 'DatasetMaskSource', 'FolderMaskSource',
    'PseudoLabelMaskSource', 'fit_masks'
]
