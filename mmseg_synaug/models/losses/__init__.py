from .adversarial_loss import AdversarialLoss, adversarial_loss
from .inverse_frequency_ce_loss import (InverseFrequencyCrossEntropyLoss,
                                        inverse_frequency_weights,
                                        weighted_cross_entropy)
from .label_smoothing_loss import (LabelSmoothingLoss,
                                   label_smoothing_cross_entropy)

__all__ = [
    'AdversarialLoss', 'adversarial_loss', 'InverseFrequencyCrossEntropyLoss',
    'inverse_frequency_weights', 'weighted_cross_entropy',
    'LabelSmoothingLoss', 'label_smoothing_cross_entropy'
]
