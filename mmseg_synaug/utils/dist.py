"""Distributed training of every model: the wrapper chosen from the model.

Data parallelism as in PyTorch's DistributedDataParallel (Li et al.,
"PyTorch Distributed: Experiences on Accelerating Data Parallel Training",
VLDB 2020): every rank holds a replica, sees its own shard of the data
(mmengine's ``DefaultSampler``) and averages gradients with the others.
A model that runs its own ``train_step`` with several optimizers (a GAN, the
adversarial segmentor) cannot be wrapped in one DDP, which would replace that
``train_step`` and expect every parameter to get a gradient in every
backward; as in mmagic, each of its submodules is wrapped on its own
(mmengine's ``MMSeparateDistributedDataParallel``) and the model's
``train_step`` is kept.

:func:`setup_distributed` makes that choice from the config, starts gloo on
machines without GPUs, and converts ``SyncBN`` there; the two wrappers below
add what mmengine leaves out: logged values averaged over the ranks, and
submodules that still read as themselves once wrapped.
"""
import functools
import gc
import inspect
import logging
from contextlib import ExitStack, contextmanager
from typing import Any, Dict, Iterator, List, Optional, Union

import torch
import torch.distributed as dist
import torch.nn as nn
from mmengine.config import Config
from mmengine.device import get_device
from mmengine.logging import print_log
from mmengine.model import (BaseModel, MMDistributedDataParallel,
                            MMSeparateDistributedDataParallel)
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmengine.registry import MODELS as ROOT_MODELS
from mmseg.registry import MODEL_WRAPPERS
from torch.nn.parallel import DistributedDataParallel

__all__ = [
    'setup_distributed', 'setup_cpu_distributed', 'choose_model_wrapper',
    'reduce_log_vars', 'DistributedDataParallelLogMean',
    'SubmoduleDistributedDataParallel', 'SeparateDistributedDataParallel'
]

#: Wrapper of models trained by mmengine's default ``train_step``.
PLAIN_WRAPPER = 'mmseg.DistributedDataParallelLogMean'
#: Wrapper of models that run their own ``train_step``.
SEPARATE_WRAPPER = 'mmseg.SeparateDistributedDataParallel'


def _distributed() -> bool:
    return dist.is_available() and dist.is_initialized()


def reduce_log_vars(log_vars: Dict[str, Any]) -> Dict[str, Any]:
    """Average the logged values over the ranks, in one collective.

    mmengine logs what rank 0 computed on its own shard; the mean over the
    ranks is the value of the global batch. Every rank must log the same
    keys (true of a model's ``train_step``, which runs the same code on
    each rank).

    Args:
        log_vars (dict): Scalars (0-d tensors or numbers) by name.

    Returns:
        dict: The same keys, each value the mean over the ranks (as a 0-d
        tensor); unchanged outside a distributed run.
    """
    if not _distributed() or dist.get_world_size() == 1 or not log_vars:
        return log_vars
    keys = sorted(log_vars)
    device = get_device() if dist.get_backend() == 'nccl' else 'cpu'
    values = torch.stack([
        torch.as_tensor(log_vars[key]).detach().to(device,
                                                   torch.float64).mean()
        for key in keys
    ])
    dist.all_reduce(values)
    values /= dist.get_world_size()
    reduced = dict(log_vars)
    for key, value in zip(keys, values):
        reduced[key] = value.float()
    return reduced


@MODEL_WRAPPERS.register_module()
class DistributedDataParallelLogMean(MMDistributedDataParallel):
    """mmengine's DDP wrapper, logging the mean of the losses over ranks.

    For models trained by mmengine's default ``train_step`` (segmentors);
    chosen by :func:`setup_distributed`.
    """

    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: OptimWrapper) -> Dict[str, torch.Tensor]:
        """mmengine's step; the log variables averaged over the ranks."""
        return reduce_log_vars(super().train_step(data, optim_wrapper))


@MODEL_WRAPPERS.register_module()
class SubmoduleDistributedDataParallel(MMDistributedDataParallel):
    """The DDP of one submodule, which still reads as that submodule.

    A model's own ``train_step`` was written against its plain submodules:
    it reads their attributes (``self.decode_head.ignore_index``) and calls
    their methods (``self.auxiliary_head.loss(...)``,
    ``self.discriminator.judge_layout(...)``). Once wrapped, attributes are
    looked up in the submodule, and a method called with gradients enabled
    runs through DDP's forward, so that its backward averages the gradients
    over the ranks as a call of the module itself would. The state dict
    carries the submodule's own keys (no ``module.``), so checkpoints load
    with or without the wrapper.
    """

    def __getattr__(self, name: str) -> Any:
        try:
            return super().__getattr__(name)
        except AttributeError:
            module = self.__dict__['_modules'].get('module')
            # DDP's own (private) attributes are never the submodule's.
            if module is None or name.startswith('_'):
                raise
        attr = getattr(module, name)
        if inspect.ismethod(attr) and attr.__self__ is module:
            return functools.partial(self._call_through_ddp, name)
        return attr

    def _call_through_ddp(self, name: str, *args, **kwargs) -> Any:
        """Run ``module.<name>`` as the module's forward, inside DDP's."""
        module = self.module
        method = getattr(module, name)
        if not (torch.is_grad_enabled() and module.training):
            return method(*args, **kwargs)

        def forward_once(*inner_args, **inner_kwargs):
            # The method may call the module's own forward: restore it.
            del module.forward
            return method(*inner_args, **inner_kwargs)

        module.forward = forward_once
        try:
            return DistributedDataParallel.forward(self, *args, **kwargs)
        finally:
            module.__dict__.pop('forward', None)

    def state_dict(self, *args, destination=None, prefix='', keep_vars=False):
        """The submodule's state dict, under the submodule's own prefix."""
        return self.module.state_dict(
            *args, destination=destination, prefix=prefix, keep_vars=keep_vars)

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict,
                              missing_keys, unexpected_keys, error_msgs):
        # torch's load_state_dict walks ``_modules``: read ``prefix.x`` into
        # ``prefix.module.x``, as saved by :meth:`state_dict`.
        for key in [k for k in state_dict if k.startswith(prefix)]:
            if not key.startswith(prefix + 'module.'):
                state_dict[prefix + 'module.' +
                           key[len(prefix):]] = state_dict.pop(key)


@MODEL_WRAPPERS.register_module()
class SeparateDistributedDataParallel(MMSeparateDistributedDataParallel):
    """Each submodule on its own DDP; the model's ``train_step`` kept.

    mmengine's :class:`MMSeparateDistributedDataParallel` (as mmagic trains
    its GANs), with three additions:

    - the submodules are :class:`SubmoduleDistributedDataParallel`, which
      keep the model's code working unchanged (attributes, method calls,
      state dict keys); the members of a ``ModuleList``/``ModuleDict``
      (several auxiliary heads) are wrapped one by one;
    - the logged values are averaged over the ranks
      (:func:`reduce_log_vars`);
    - every ``check_interval`` steps (and at the first) the parameters of
      each wrapped submodule are compared across ranks; ranks that drifted
      apart (a gradient computed outside any DDP forward) raise an error
      naming the submodule instead of training on silently.

    Args:
        module (nn.Module): The model.
        broadcast_buffers (bool): As in DDP. Defaults to False.
        find_unused_parameters (bool): As in DDP. Defaults to False.
        check_interval (int): Steps between the comparisons of the
            parameters across ranks; 0 never compares. Defaults to 100.
        **kwargs: Further DDP arguments (``device_ids``, ...).
    """

    def __init__(self,
                 module: nn.Module,
                 broadcast_buffers: bool = False,
                 find_unused_parameters: bool = False,
                 check_interval: int = 100,
                 **kwargs) -> None:
        super(DistributedDataParallel, self).__init__()
        self.module = module
        self.check_interval = check_interval
        self._steps = 0
        device = get_device()

        def wrap(sub_module: nn.Module) -> nn.Module:
            sub_module = sub_module.to(device)
            if not any(p.requires_grad for p in sub_module.parameters()):
                return sub_module
            if isinstance(sub_module, (nn.ModuleList, nn.ModuleDict)):
                for key, member in sub_module._modules.items():
                    sub_module._modules[key] = wrap(member)
                return sub_module
            return SubmoduleDistributedDataParallel(
                module=sub_module,
                broadcast_buffers=broadcast_buffers,
                find_unused_parameters=find_unused_parameters,
                **kwargs)

        for name, sub_module in list(module._modules.items()):
            module._modules[name] = wrap(sub_module)

    def wrapped(self) -> Dict[str, SubmoduleDistributedDataParallel]:
        """The wrapped submodules, by their path in the model."""
        return {
            name: sub_module
            for name, sub_module in self.module.named_modules()
            if isinstance(sub_module, SubmoduleDistributedDataParallel)
        }

    def train_step(self, data: Union[dict, tuple, list],
                   optim_wrapper: OptimWrapperDict) -> Dict[str, torch.Tensor]:
        """The model's ``train_step``; the logs averaged over the ranks."""
        log_vars = self.module.train_step(data, optim_wrapper)
        self._steps += 1
        if self.check_interval and (self._steps -
                                    1) % self.check_interval == 0:
            self.check_in_sync()
        return reduce_log_vars(log_vars)

    @torch.no_grad()
    def check_in_sync(self) -> None:
        """Raise if a wrapped submodule's parameters differ across ranks."""
        if not _distributed() or dist.get_world_size() == 1:
            return
        names: List[str] = []
        sums = []
        for name, sub_module in self.wrapped().items():
            params = [p.detach().double() for p in sub_module.parameters()]
            names.append(name)
            sums.append(sum(p.abs().sum() for p in params))
        if not sums:
            return
        device = get_device() if dist.get_backend() == 'nccl' else 'cpu'
        high = torch.stack(sums).to(device)
        low = high.clone()
        dist.all_reduce(high, op=dist.ReduceOp.MAX)
        dist.all_reduce(low, op=dist.ReduceOp.MIN)
        drifted = [
            name for name, hi, lo in zip(names, high.tolist(), low.tolist())
            if hi - lo > 1e-9 * max(abs(hi), 1.0)
        ]
        if drifted:
            raise RuntimeError(
                f'After step {self._steps} the parameters of {drifted} '
                'differ across ranks: their gradients were not averaged. '
                'Either some of their parameters got no gradient in a step '
                '(frozen or unused): set `find_unused_parameters = True` in '
                'the config; or the model computed with them outside any '
                'call of the submodule or of one of its methods (e.g. '
                'through a sub-submodule, `self.discriminator.layer(x)`), '
                'which DDP does not see: call the submodule or a method of '
                'it.')

    @contextmanager
    def no_sync(self) -> Iterator[None]:
        """``no_sync`` of every wrapped submodule at once."""
        with ExitStack() as stack:
            for sub_module in self.wrapped().values():
                stack.enter_context(sub_module.no_sync())
            yield


def _model_class(cfg: Config) -> Optional[type]:
    """The class the config's ``model`` builds, or None if not found."""
    model_type = cfg.model.get('type') if 'model' in cfg else None
    if not isinstance(model_type, str):
        return model_type if inspect.isclass(model_type) else None
    scope = cfg.get('default_scope', None) or 'mmengine'
    with ROOT_MODELS.switch_scope_and_registry(scope) as registry:
        found = registry.get(model_type)
    return found if inspect.isclass(found) else None


def choose_model_wrapper(cfg: Config) -> str:
    """The DDP wrapper for the config's model.

    Args:
        cfg (Config): A training config.

    Returns:
        str: :data:`SEPARATE_WRAPPER` for a model with its own
        ``train_step`` (Pix2PixHD, FeatureBicycleGAN,
        AdversarialEncoderDecoder, CoarseToFineSegmentor with a
        discriminator), else :data:`PLAIN_WRAPPER`. A model whose own
        ``train_step`` hands a single optimizer to mmengine's (the
        coarse-to-fine refiner without a discriminator) gets the plain one.
    """
    model_class = _model_class(cfg)
    optim_cfg = cfg.get('optim_wrapper') or {}
    one_optimizer = (
        optim_cfg.get('constructor') != 'MultiOptimWrapperConstructor'
        or 'modules' in optim_cfg)
    if (model_class is not None and issubclass(model_class, BaseModel)
            and model_class.train_step is not BaseModel.train_step
            and not (one_optimizer and getattr(
                model_class, 'single_optimizer_train_step', False))):
        return SEPARATE_WRAPPER
    return PLAIN_WRAPPER


def _sync_bn_to_bn(node: Any) -> int:
    """Replace ``type='SyncBN'`` by ``'BN'`` in a config tree; count them."""
    count = 0
    if isinstance(node, dict):
        if node.get('type') == 'SyncBN':
            node['type'] = 'BN'
            count += 1
        for value in node.values():
            count += _sync_bn_to_bn(value)
    elif isinstance(node, (list, tuple)):
        for value in node:
            count += _sync_bn_to_bn(value)
    return count


def setup_cpu_distributed(cfg: Config) -> None:
    """Let a ``--launcher pytorch`` run work on CPU-only machines.

    mmengine 0.10.7 always calls ``torch.cuda.set_device`` when it starts
    the process group and wraps the model in DDP with ``device_ids=[rank]``;
    both fail without a GPU. On such a machine this starts the process group
    with the gloo backend itself (the Runner then leaves it alone), wraps
    the model without device ids, and turns ``SyncBN`` (GPU-only in torch)
    into per-process ``BN`` with a warning. With GPUs, or without a
    launcher, it does nothing.

    Args:
        cfg (Config): The run's config; ``model_wrapper_cfg`` and
            ``sync_bn`` may be changed.
    """
    if cfg.get('launcher', 'none') == 'none' or torch.cuda.is_available():
        return
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel')
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    converted = _sync_bn_to_bn(cfg.get('model', {}))
    if cfg.get('sync_bn', None) is not None:
        cfg.sync_bn = None
        converted += 1
    if converted:
        print_log(
            'SyncBN runs on GPUs only (torch\'s SyncBatchNorm): on these CPU '
            'processes each rank normalises with its own batch statistics '
            f'(BN; {converted} SyncBN setting(s) of the config converted).',
            'current', logging.WARNING)
    print_log(
        f'No GPU: rank {dist.get_rank()}/{dist.get_world_size()} uses the '
        'gloo backend on the CPU.', 'current')


def setup_distributed(cfg: Config) -> None:
    """Prepare a config for ``--launcher pytorch`` (torchrun) training.

    Unless the config sets ``model_wrapper_cfg`` itself, the wrapper is
    chosen from the model (:func:`choose_model_wrapper`): each submodule on
    its own DDP with the model's ``train_step`` kept for GANs and the
    adversarial segmentor, one DDP otherwise; ``find_unused_parameters``
    of the config is passed on, as mmengine does, and set where pix2pixHD
    keeps G1 frozen (``model.freeze_global_iters``). Without GPUs the
    processes use gloo (:func:`setup_cpu_distributed`). Nothing changes for
    a single-process run.

    Args:
        cfg (Config): The run's config, changed in place.
    """
    if cfg.get('launcher', 'none') == 'none':
        return
    if cfg.get('model_wrapper_cfg', None) is None:
        find_unused = cfg.get('find_unused_parameters', False)
        if cfg.model.get('freeze_global_iters', 0) > 0 and not find_unused:
            # pix2pixHD's G1 gets no gradient while it is frozen.
            find_unused = True
            print_log(
                'model.freeze_global_iters > 0: find_unused_parameters=True '
                '(the frozen G1 gets no gradient).', 'current')
        cfg.model_wrapper_cfg = dict(
            type=choose_model_wrapper(cfg), find_unused_parameters=find_unused)
    setup_cpu_distributed(cfg)
    print_log(f'Distributed model wrapper: {cfg.model_wrapper_cfg["type"]}.',
              'current')


def close_distributed(runner: Any) -> None:
    """Close the process group of a distributed run after its work.

    Left to the interpreter's exit, gloo's process group can abort a rank
    after the work has finished ("terminate called without an active
    exception", about one run in four on a loaded 2-core machine), which
    fails the whole torchrun job. The DDP wrapper holds the group, so
    destroying the group alone leaves its threads running: the ranks meet,
    drop the wrapped model, then destroy the group and exit with no gloo
    thread left. Outside a distributed run this does nothing.

    Args:
        runner (mmengine.runner.Runner): The runner that trained or tested;
            in a distributed run its ``model`` is None afterwards.
    """
    if not _distributed():
        return
    dist.barrier()
    runner.model = None
    gc.collect()
    dist.destroy_process_group()
