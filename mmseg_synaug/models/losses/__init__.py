from .adversarial_loss import AdversarialLoss, adversarial_loss

__all__ = ['AdversarialLoss', 'adversarial_loss']
