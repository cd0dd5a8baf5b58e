from .coarse_to_fine import CoarseToFineSegmentor

__all__ = ['CoarseToFineSegmentor']
