from .feature_synthesis_encoder_decoder import FeatureSynthesisEncoderDecoder

__all__ = ['FeatureSynthesisEncoderDecoder']
