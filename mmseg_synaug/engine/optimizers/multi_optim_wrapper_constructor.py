"""One optimizer per named sub-network, for models trained by several players.

A GAN (pix2pixHD, the feature generator) or an adversarially trained
segmentor steps its generator (segmentor) and its discriminator with
separate optimizers. This is mmagic's ``MultiOptimWrapperConstructor``
(same config keys and semantics), kept in the project so that training
works where mmagic is not installed or ``mmagic.models`` cannot be imported
(numpy 2), and extended in two ways: ``paramwise_cfg`` also applies to a
wrapper over several modules, and a parameter in two wrappers is an error.
"""
import copy
import re
from typing import Dict, List, Sequence, Union

import torch.nn as nn
from mmengine.model import (BaseModel, MMDistributedDataParallel,
                            is_model_wrapper)
from mmengine.optim import (DefaultOptimWrapperConstructor, OptimWrapper,
                            OptimWrapperDict)
from mmseg.registry import OPTIM_WRAPPER_CONSTRUCTORS

__all__ = ['MultiOptimWrapperConstructor', 'select_modules']


def _select_names(model: nn.Module, names: Union[str,
                                                 Sequence[str]]) -> List[str]:
    """Names of the sub-modules that ``names`` select, as mmagic does.

    A name that is a child of ``model`` (or a parameter of ``model`` itself,
    such as a learnt scale) selects that child; any other is a regular
    expression matched (``re.fullmatch``) against the names of all
    sub-modules. A match inside an already selected module is dropped.
    """
    if isinstance(names, str):
        names = [names]
    selected: List[str] = []
    for name in names:
        if name in model._modules or model._parameters.get(name) is not None:
            found = [name]
        else:
            found = [
                n for n, _ in model.named_modules()
                if n and re.fullmatch(name, n)
            ]
        if not found:
            children = list(model._modules)
            raise ValueError(
                f'No sub-module of {type(model).__name__} matches {name!r}; '
                f'its children are {children}. Name children or regular '
                'expressions of sub-module names (e.g. modules=[...]).')
        selected += [n for n in found if n not in selected]
    return [
        n for n in selected
        if not any(n.startswith(other + '.') for other in selected)
    ]


def select_modules(model: nn.Module, names: Union[str,
                                                  Sequence[str]]) -> nn.Module:
    """The sub-modules of ``model`` that ``names`` select, under their names.

    Returns a container whose parameters are the selected modules'
    parameters, named as in ``model`` (``backbone.conv1.weight``), so that
    ``paramwise_cfg.custom_keys`` match as they would on the whole model.

    Args:
        model (nn.Module): The model.
        names (str or Sequence[str]): Children of ``model``, parameters of
            ``model`` itself, or regular expressions of sub-module names.

    Returns:
        nn.Module: The selected module itself when ``names`` is one child's
        name; else a container sharing the selected modules.

    Raises:
        ValueError: A name selects nothing.
    """
    if isinstance(names, str) and names in model._modules:
        return model._modules[names]
    view = nn.Module()
    for name in _select_names(model, names):
        if name in model._parameters:
            view.register_parameter(name, model._parameters[name])
            continue
        parent = view
        *path, leaf = name.split('.')
        for part in path:
            if part not in parent._modules:
                parent.add_module(part, nn.Module())
            parent = parent._modules[part]
        parent.add_module(leaf, model.get_submodule(name))
    return view


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class MultiOptimWrapperConstructor:
    """Build one optimizer wrapper per named sub-module of a model.

    Each key of the config names a wrapper and, unless it holds
    ``modules``, the sub-module (an attribute of the model) whose parameters
    it optimizes; ``modules`` names several (children or regular
    expressions, as mmagic). Each value is an ordinary optim-wrapper config
    (``type`` defaults to ``'OptimWrapper'``) with its own optional
    ``paramwise_cfg``, built by mmengine's
    :class:`~mmengine.optim.DefaultOptimWrapperConstructor`. A config
    holding ``modules`` at the top level builds one wrapper over those
    modules instead. The config's ``param_scheduler`` list applies to every
    wrapper; a dict keyed like the wrappers sets them apart (mmengine).

    Examples:
        A GAN:

        >>> optim_wrapper = dict(
        ...     constructor='MultiOptimWrapperConstructor',
        ...     generator=dict(optimizer=dict(type='Adam', lr=2e-4)),
        ...     discriminator=dict(optimizer=dict(type='Adam', lr=2e-4)))

        An adversarially trained segmentor (the segmentor is all the
        modules but the discriminator):

        >>> optim_wrapper = dict(
        ...     constructor='MultiOptimWrapperConstructor',
        ...     segmentor=dict(
        ...         modules=['backbone', 'decode_head', 'auxiliary_head'],
        ...         optimizer=dict(type='SGD', lr=0.01, momentum=0.9),
        ...         paramwise_cfg=dict(
        ...             custom_keys=dict(backbone=dict(lr_mult=0.1)))),
        ...     discriminator=dict(optimizer=dict(type='Adam', lr=1e-4)))

    Args:
        optim_wrapper_cfg (dict): One optim-wrapper config per key, or one
            config with ``modules``.
        paramwise_cfg (dict, optional): Must be None: give a
            ``paramwise_cfg`` inside each wrapper's config. Defaults to None.
    """

    def __init__(self,
                 optim_wrapper_cfg: dict,
                 paramwise_cfg: Union[dict, None] = None) -> None:
        if not isinstance(optim_wrapper_cfg, dict) or not optim_wrapper_cfg:
            raise TypeError(
                'optim_wrapper must hold one optim-wrapper config per '
                f'sub-module, got {optim_wrapper_cfg!r}.')
        if paramwise_cfg is not None:
            raise ValueError(
                'MultiOptimWrapperConstructor takes no top-level '
                'paramwise_cfg: put it inside each wrapper config, e.g. '
                'optim_wrapper.generator.paramwise_cfg.')
        single_keys = {'optimizer', 'type'} & set(optim_wrapper_cfg)
        if single_keys and 'modules' not in optim_wrapper_cfg:
            raise TypeError(
                'optim_wrapper holds a single optimizer '
                f'({sorted(single_keys)}) beside the per-module configs: a '
                'single-optimizer optim_wrapper was inherited; replace it '
                'with `_delete_=True`, or name its `modules`.')
        cfgs: Dict[str, dict] = (
            dict(single=optim_wrapper_cfg)
            if 'modules' in optim_wrapper_cfg else optim_wrapper_cfg)
        self.single = 'modules' in optim_wrapper_cfg
        self.modules: Dict[str, Union[str, List[str]]] = {}
        self.constructors: Dict[str, DefaultOptimWrapperConstructor] = {}
        for key, cfg in cfgs.items():
            if not isinstance(cfg, dict) or 'optimizer' not in cfg:
                raise TypeError(
                    f'optim_wrapper.{key} must be an optim-wrapper config '
                    f'with an `optimizer`, got {cfg!r}.')
            cfg = copy.deepcopy(dict(cfg))
            self.modules[key] = cfg.pop('modules', key)
            cfg.setdefault('type', 'OptimWrapper')
            paramwise = cfg.pop('paramwise_cfg', None)
            self.constructors[key] = DefaultOptimWrapperConstructor(
                cfg, paramwise)

    def __call__(self,
                 model: nn.Module) -> Union[OptimWrapperDict, OptimWrapper]:
        """Build the wrappers.

        Args:
            model (nn.Module): The model, possibly in a model wrapper.

        Returns:
            OptimWrapperDict or OptimWrapper: One wrapper per key, or the
            one wrapper of a top-level ``modules`` config.

        Raises:
            NotImplementedError: The model steps its own optimizers
                (``train_step``) but ``MMDistributedDataParallel`` would
                bypass it.
            ValueError: A key names no sub-module, or two wrappers share a
                parameter.
        """
        if is_model_wrapper(model):
            inner = model.module
            if (isinstance(model, MMDistributedDataParallel)
                    and type(inner).train_step is not BaseModel.train_step):
                raise NotImplementedError(
                    f'{type(inner).__name__} runs its own train_step with '
                    'several optimizers, which MMDistributedDataParallel '
                    'bypasses: train it in one process (no --launcher), or '
                    'with a wrapper that calls it, if the model supports '
                    "one (model_wrapper_cfg=dict(type="
                    "'MMSeparateDistributedDataParallel')).")
            model = inner
        wrappers = {
            key: constructor(select_modules(model, self.modules[key]))
            for key, constructor in self.constructors.items()
        }
        self._check_disjoint(wrappers)
        if self.single:
            return wrappers['single']
        return OptimWrapperDict(**wrappers)

    @staticmethod
    def _check_disjoint(wrappers: Dict[str, OptimWrapper]) -> None:
        owner: Dict[int, str] = {}
        for key, wrapper in wrappers.items():
            for group in wrapper.optimizer.param_groups:
                for param in group['params']:
                    if owner.setdefault(id(param), key) != key:
                        raise ValueError(
                            f'The optimizers {owner[id(param)]!r} and '
                            f'{key!r} share parameters: their modules must '
                            'not overlap.')
