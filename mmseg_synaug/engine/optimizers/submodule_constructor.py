"""One optimizer per named sub-network, for GANs trained with mmengine."""
from typing import Optional

import torch.nn as nn
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapperDict
from mmseg.registry import OPTIM_WRAPPER_CONSTRUCTORS

__all__ = ['SubmoduleOptimWrapperConstructor']


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class SubmoduleOptimWrapperConstructor:
    """Build an :class:`OptimWrapperDict` with one wrapper per sub-module.

    Each key of ``optim_wrapper_cfg`` names an attribute of the model
    (``generator``, ``encoder``, ``discriminator``) and holds an ordinary
    optim wrapper config, built by mmengine's default constructor on that
    sub-module's parameters.

    Example:
        >>> optim_wrapper = dict(
        ...     constructor='SubmoduleOptimWrapperConstructor',
        ...     generator=dict(optimizer=dict(type='Adam', lr=2e-4)),
        ...     discriminator=dict(optimizer=dict(type='Adam', lr=2e-4)))

    Args:
        optim_wrapper_cfg (dict): Optim wrapper config per sub-module.
        paramwise_cfg (dict, optional): Must be None: give it inside each
            sub-module's config. Defaults to None.
    """

    def __init__(self,
                 optim_wrapper_cfg: dict,
                 paramwise_cfg: Optional[dict] = None) -> None:
        if paramwise_cfg is not None:
            raise ValueError('SubmoduleOptimWrapperConstructor takes '
                             'paramwise_cfg inside each sub-module config.')
        if not isinstance(optim_wrapper_cfg, dict) or not optim_wrapper_cfg:
            raise ValueError('optim_wrapper needs one config per sub-module, '
                             f'got {optim_wrapper_cfg}.')
        self.constructors = {}
        for name, cfg in optim_wrapper_cfg.items():
            cfg = dict(cfg)
            cfg.setdefault('type', 'OptimWrapper')
            paramwise = cfg.pop('paramwise_cfg', None)
            self.constructors[name] = DefaultOptimWrapperConstructor(
                cfg, paramwise)

    def __call__(self, model: nn.Module) -> OptimWrapperDict:
        """Build the wrappers on ``getattr(model, name)`` for each name."""
        model = getattr(model, 'module', model)
        wrappers = {}
        for name, constructor in self.constructors.items():
            if not hasattr(model, name):
                raise AttributeError(
                    f'{type(model).__name__} has no sub-module `{name}` to '
                    'optimize; the optim_wrapper keys must name sub-modules.')
            wrappers[name] = constructor(getattr(model, name))
        return OptimWrapperDict(**wrappers)
