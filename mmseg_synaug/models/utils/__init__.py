from .backbone_split import (check_splittable, encoder_modules,
                             forward_from_stage, forward_to_stage,
                             logits_from_stage)
from .one_hot import one_hot_with_ignore

__all__ = [
    'check_splittable', 'encoder_modules', 'forward_from_stage',
    'forward_to_stage', 'logits_from_stage', 'one_hot_with_ignore'
]
