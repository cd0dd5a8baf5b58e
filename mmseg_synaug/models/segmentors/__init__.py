from .adversarial_encoder_decoder import AdversarialEncoderDecoder
from .coarse_to_fine import CoarseToFineSegmentor

__all__ = ['AdversarialEncoderDecoder', 'CoarseToFineSegmentor']
