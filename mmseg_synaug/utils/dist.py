"""Distributed training on machines without GPUs."""
import torch
import torch.distributed as dist
from mmengine.config import Config
from mmengine.logging import print_log


def setup_cpu_distributed(cfg: Config) -> None:
    """Let a ``--launcher pytorch`` run work on CPU-only machines.

    mmengine 0.10.7 always calls ``torch.cuda.set_device`` when it starts
    the process group and wraps the model in DDP with ``device_ids=[rank]``;
    both fail without a GPU. On such a machine this starts the process group
    with the gloo backend itself (the Runner then leaves it alone) and wraps
    the model without device ids. With GPUs, or without a launcher, it does
    nothing.

    Args:
        cfg (Config): The run's config; ``model_wrapper_cfg`` is set.
    """
    if cfg.get('launcher', 'none') == 'none' or torch.cuda.is_available():
        return
    if not dist.is_initialized():
        dist.init_process_group(backend='gloo')
    wrapper = cfg.get('model_wrapper_cfg') or dict(
        type='MMDistributedDataParallel')
    wrapper['device_ids'] = None
    cfg.model_wrapper_cfg = wrapper
    print_log(
        f'No GPU: rank {dist.get_rank()}/{dist.get_world_size()} uses the '
        'gloo backend on the CPU.', 'current')
