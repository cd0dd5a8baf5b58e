from .adversarial_encoder_decoder import AdversarialEncoderDecoder
from .coarse_to_fine import CoarseToFineSegmentor
from .feature_synthesis_encoder_decoder import FeatureSynthesisEncoderDecoder

__all__ = [
    'AdversarialEncoderDecoder', 'CoarseToFineSegmentor',
    'FeatureSynthesisEncoderDecoder'
]
