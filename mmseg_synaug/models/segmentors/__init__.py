from .adversarial_encoder_decoder import AdversarialEncoderDecoder

__all__ = ['AdversarialEncoderDecoder']
