from .backbone_split import (check_splittable, encoder_modules,
                             forward_from_stage, forward_to_stage,
                             logits_from_stage)

__all__ = [
    'check_splittable', 'encoder_modules', 'forward_from_stage',
    'forward_to_stage', 'logits_from_stage'
]
