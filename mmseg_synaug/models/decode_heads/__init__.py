from .segnet_head import SegNetHead

__all__ = ['SegNetHead']
