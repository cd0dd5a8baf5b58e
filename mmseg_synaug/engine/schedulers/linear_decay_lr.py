"""Constant learning rate, then a linear decay to zero over the last part.

The schedule of pix2pixHD (Wang et al., "High-Resolution Image Synthesis
and Semantic Manipulation with Conditional GANs", CVPR 2018, after
pix2pix/CycleGAN): the initial learning rate for the first half of
training, then linearly decayed to zero over the second half.
"""
from typing import Union

from mmengine.optim import OptimWrapper
from mmengine.optim.scheduler import LinearLR
from mmseg.registry import PARAM_SCHEDULERS
from torch.optim import Optimizer

__all__ = ['LinearDecayLR']

INF = int(1e9)


@PARAM_SCHEDULERS.register_module()
class LinearDecayLR(LinearLR):
    """mmengine's :class:`LinearLR` starting at a fraction of training.

    The decay starts at ``begin + decay_start * (end - begin)`` and brings
    the learning rate linearly from its value to ``end_factor`` times it at
    ``end``. ``end`` defaults, as for every mmengine scheduler built by the
    runner, to the end of training (``train_cfg.max_iters``), so that
    changing ``max_iters`` (``--cfg-options train_cfg.max_iters=N``) keeps
    the shape of the schedule; a plain :class:`LinearLR` would need its
    ``begin`` changed by hand.

    Example:
        >>> param_scheduler = [
        ...     dict(type='LinearDecayLR', decay_start=0.5, by_epoch=False)]

    Args:
        optimizer (Optimizer | OptimWrapper): Wrapped optimizer.
        decay_start (float): Fraction of ``[begin, end)`` after which the
            decay starts, in [0, 1). Defaults to 0.5 (the paper's).
        end_factor (float): Final learning rate as a fraction of the
            initial one. Defaults to 0.0.
        begin (int): First step of the schedule. Defaults to 0.
        end (int): Step at which the decay ends; the runner sets the end
            of training. Defaults to ``INF`` (an error: give it).
        last_step (int): The index of the last step. Defaults to -1.
        by_epoch (bool): Steps are epochs. Defaults to True, as mmengine's
            schedulers; iteration-based configs set False.
        verbose (bool): Print the value at each update. Defaults to False.
    """

    def __init__(self,
                 optimizer: Union[Optimizer, OptimWrapper],
                 decay_start: float = 0.5,
                 end_factor: float = 0.0,
                 begin: int = 0,
                 end: int = INF,
                 last_step: int = -1,
                 by_epoch: bool = True,
                 verbose: bool = False) -> None:
        if not 0 <= decay_start < 1:
            raise ValueError('LinearDecayLR: decay_start must be in [0, 1), '
                             f'got {decay_start}.')
        if end >= INF:
            raise ValueError(
                'LinearDecayLR needs the end of training: build it through '
                "the runner's param_scheduler (which sets `end` to "
                'train_cfg.max_iters) or give `end`.')
        self.decay_start = decay_start
        decay_begin = min(begin + int(round((end - begin) * decay_start)),
                          end - 1)
        super().__init__(
            optimizer,
            start_factor=1.0,
            end_factor=end_factor,
            begin=decay_begin,
            end=end,
            last_step=last_step,
            by_epoch=by_epoch,
            verbose=verbose)
