from .loops import FastResumeIterBasedTrainLoop

__all__ = ['FastResumeIterBasedTrainLoop']
