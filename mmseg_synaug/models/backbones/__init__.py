from .segnet_encoder import SegNetEncoder, SegNetFeatures

__all__ = ['SegNetEncoder', 'SegNetFeatures']
