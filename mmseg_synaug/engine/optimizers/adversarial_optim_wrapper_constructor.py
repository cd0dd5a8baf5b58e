"""Two optimizers for adversarial training: segmentor and discriminator."""
import copy
from typing import Optional

import torch.nn as nn
from mmengine.model import is_model_wrapper
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapperDict
from mmseg.registry import OPTIM_WRAPPER_CONSTRUCTORS

__all__ = ['AdversarialOptimWrapperConstructor']


class _ParameterView(nn.Module):
    """Some children of a model, under their own names, sharing parameters.

    Lets a :class:`DefaultOptimWrapperConstructor` (and its
    ``paramwise_cfg`` keys such as ``backbone`` or ``head``) see the
    segmentor without its discriminator.
    """

    def __init__(self, model: nn.Module, exclude: str) -> None:
        super().__init__()
        for name, child in model.named_children():
            if name != exclude:
                self.add_module(name, child)


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class AdversarialOptimWrapperConstructor:
    """Build an :class:`OptimWrapperDict` for a segmentor and discriminator.

    ``discriminator`` gets the parameters of ``model.discriminator``;
    ``segmentor`` gets all the others (backbone, neck, heads). Each entry is
    an ordinary optimizer-wrapper config, built by its own ``constructor``
    (``DefaultOptimWrapperConstructor`` unless given) with its own
    ``paramwise_cfg``. The config's ``param_scheduler`` list applies to both
    optimizers; a dict ``dict(segmentor=[...], discriminator=[...])`` sets
    them apart.

    Example:
        >>> optim_wrapper = dict(
        ...     constructor='AdversarialOptimWrapperConstructor',
        ...     segmentor=dict(
        ...         type='OptimWrapper',
        ...         optimizer=dict(type='SGD', lr=0.01, momentum=0.9)),
        ...     discriminator=dict(
        ...         type='OptimWrapper',
        ...         optimizer=dict(type='Adam', lr=1e-4, betas=(0.9, 0.99))))

    Args:
        optim_wrapper_cfg (dict): The two wrapper configs, under the keys
            ``segmentor`` and ``discriminator``.
        paramwise_cfg (dict, optional): Must be None: give a
            ``paramwise_cfg`` inside each wrapper's config. Defaults to None.
    """

    keys = ('segmentor', 'discriminator')

    def __init__(self,
                 optim_wrapper_cfg: dict,
                 paramwise_cfg: Optional[dict] = None) -> None:
        if not isinstance(optim_wrapper_cfg, dict):
            raise TypeError('optim_wrapper_cfg must be a dict, got '
                            f'{type(optim_wrapper_cfg).__name__}.')
        if paramwise_cfg is not None:
            raise ValueError(
                'AdversarialOptimWrapperConstructor takes no top-level '
                'paramwise_cfg: put it inside optim_wrapper.segmentor or '
                'optim_wrapper.discriminator.')
        keys = set(optim_wrapper_cfg)
        if keys != set(self.keys):
            hint = ''
            if 'optimizer' in keys or 'type' in keys:
                hint = (' A single-optimizer optim_wrapper was inherited: '
                        'replace it with `_delete_=True`.')
            raise ValueError(
                'optim_wrapper for adversarial training must hold exactly '
                f'the keys {list(self.keys)} (besides `constructor`), got '
                f'{sorted(keys)}.{hint}')
        for key in self.keys:
            if not isinstance(optim_wrapper_cfg[key], dict):
                raise TypeError(f'optim_wrapper.{key} must be a dict, got '
                                f'{type(optim_wrapper_cfg[key]).__name__}.')
        self.optim_wrapper_cfg = copy.deepcopy(optim_wrapper_cfg)

    def __call__(self, model: nn.Module) -> OptimWrapperDict:
        """Build the two optimizer wrappers.

        Args:
            model (nn.Module): An ``AdversarialEncoderDecoder``.

        Returns:
            OptimWrapperDict: Wrappers under ``segmentor`` and
            ``discriminator``.
        """
        if is_model_wrapper(model):
            raise NotImplementedError(
                'Adversarial training runs in one process: the model runs '
                'its own train_step, which distributed wrappers bypass. '
                'Train without --launcher (or with one process).')
        discriminator = getattr(model, 'discriminator', None)
        if not isinstance(discriminator, nn.Module):
            raise TypeError(
                'AdversarialOptimWrapperConstructor needs a model with a '
                f'`discriminator`; {type(model).__name__} has none (use '
                "model=dict(type='AdversarialEncoderDecoder', ...)).")
        modules = dict(
            segmentor=_ParameterView(model, exclude='discriminator'),
            discriminator=discriminator)
        wrappers = {}
        for key in self.keys:
            cfg = copy.deepcopy(self.optim_wrapper_cfg[key])
            constructor_type = cfg.pop('constructor',
                                       'DefaultOptimWrapperConstructor')
            paramwise_cfg = cfg.pop('paramwise_cfg', None)
            if constructor_type in ('DefaultOptimWrapperConstructor',
                                    DefaultOptimWrapperConstructor):
                constructor = DefaultOptimWrapperConstructor(
                    cfg, paramwise_cfg)
            else:
                constructor = OPTIM_WRAPPER_CONSTRUCTORS.build(
                    dict(
                        type=constructor_type,
                        optim_wrapper_cfg=cfg,
                        paramwise_cfg=paramwise_cfg))
            wrappers[key] = constructor(modules[key])
        return OptimWrapperDict(**wrappers)
