"""What several models share: one-hot label maps, and the training of a
segmentor or generator against a discriminator."""
from .adversarial_training import (AdversarialSegmentorMixin,
                                   check_player_optimizers, frozen,
                                   player_optim_wrappers, set_requires_grad)
from .one_hot import one_hot_with_ignore

__all__ = [
    'set_requires_grad', 'frozen', 'player_optim_wrappers',
    'check_player_optimizers', 'AdversarialSegmentorMixin',
    'one_hot_with_ignore'
]
