from .inverse_frequency_ce_loss import (InverseFrequencyCrossEntropyLoss,
                                        inverse_frequency_weights,
                                        weighted_cross_entropy)

__all__ = [
    'InverseFrequencyCrossEntropyLoss', 'inverse_frequency_weights',
    'weighted_cross_entropy'
]
