"""A probe for the 2-process tests, imported by their configs only.

``DistProbeHook`` writes, after every iteration, one JSON line per rank to
``<work_dir>/probe_rank<R>.jsonl``: a checksum of the parameters of each
submodule of the model, the values this rank computed itself (before any
reduction over the ranks) and the values handed to the logger. It is
registered only in the training processes whose config imports this module
(``custom_imports``), never in the test process's registries; so is
``DriftProbeModel``, a model whose ranks must drift apart.
"""
import json
import os.path as osp
from typing import Dict

import torch
import torch.distributed as dist
from mmengine.hooks import Hook
from mmengine.model import BaseModel, is_model_wrapper
from mmseg.registry import HOOKS, MODELS


def _plain(module: torch.nn.Module) -> torch.nn.Module:
    return module.module if is_model_wrapper(module) else module


def checksums(model: torch.nn.Module) -> Dict[str, list]:
    """Sum and sum of squares (float64) of each trainable submodule."""
    result = {}
    for name, child in _plain(model).named_children():
        params = [p.detach().double() for p in child.parameters()]
        if params:
            result[name] = [
                float(sum(p.sum() for p in params)),
                float(sum((p * p).sum() for p in params))
            ]
    return result


@HOOKS.register_module()
class DistProbeHook(Hook):
    """Record parameter checksums and local and logged values per rank."""

    priority = 'LOWEST'

    def before_train(self, runner) -> None:
        self.rank = dist.get_rank() if dist.is_initialized() else 0
        self.path = osp.join(runner.work_dir, f'probe_rank{self.rank}.jsonl')
        self.local = {}
        model = _plain(runner.model)
        # Separate wrappers run the model's train_step; mmengine's DDP its
        # parse_losses: record what this rank computed before reduction.
        name = 'train_step' if 'Separate' in type(
            runner.model).__name__ else 'parse_losses'
        original = getattr(model, name)

        def recording(*args, **kwargs):
            result = original(*args, **kwargs)
            log_vars = result if name == 'train_step' else result[1]
            self.local = {k: float(v) for k, v in log_vars.items()}
            return result

        setattr(model, name, recording)
        with open(self.path, 'a') as file:
            file.write(
                json.dumps(
                    dict(iter=runner.iter, params=checksums(runner.model))) +
                '\n')

    def after_train_iter(self,
                         runner,
                         batch_idx: int,
                         data_batch=None,
                         outputs=None) -> None:
        record = dict(
            iter=runner.iter + 1,
            params=checksums(runner.model),
            local=self.local,
            logged={
                k: float(v)
                for k, v in (outputs or {}).items()
            },
            images=[
                osp.basename(sample.img_path)
                for sample in (data_batch or {}).get('data_samples', [])
            ],
            wrapper=type(runner.model).__name__)
        with open(self.path, 'a') as file:
            file.write(json.dumps(record) + '\n')


@MODELS.register_module()
class DriftProbeModel(BaseModel):
    """Two linear layers; ``b`` is used only through its own submodule.

    ``self.b.layer(x)`` computes with ``b``'s weights outside any call of
    ``b`` (or of a method of ``b``), so DDP never averages its gradients:
    the separate wrapper's drift check must stop the run, naming ``b``.
    """

    def __init__(self, data_preprocessor: dict) -> None:
        super().__init__(data_preprocessor=data_preprocessor)
        self.a = torch.nn.Linear(3, 4)
        self.b = torch.nn.Module()
        self.b.layer = torch.nn.Linear(4, 1)

    def train_step(self, data, optim_wrapper) -> Dict[str, torch.Tensor]:
        data = self.data_preprocessor(data, True)
        x = data['inputs'].float().mean(dim=(2, 3))
        loss = self.b.layer(self.a(x)).pow(2).mean()
        optim_wrapper.update_params(loss)
        return dict(loss=loss.detach())

    def forward(self, inputs, data_samples=None, mode='tensor'):
        return self.b.layer(self.a(inputs.float().mean(dim=(2, 3))))
