from .coarse_to_fine import CoarseToFineSegmentor
from .feature_synthesis_encoder_decoder import FeatureSynthesisEncoderDecoder

__all__ = ['CoarseToFineSegmentor', 'FeatureSynthesisEncoderDecoder']
