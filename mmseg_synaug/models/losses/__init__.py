from .label_smoothing_loss import (LabelSmoothingLoss,
                                   label_smoothing_cross_entropy)

__all__ = ['LabelSmoothingLoss', 'label_smoothing_cross_entropy']
