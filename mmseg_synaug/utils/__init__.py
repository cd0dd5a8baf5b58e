from .checkpoint import (CHECKPOINT_SAFE_GLOBALS,
                         register_checkpoint_safe_globals)
from .config_options import merge_cfg_options
from .data_root import DATA_ROOT_ENV, data_root_candidates, resolve_data_root
from .dist import close_distributed, setup_cpu_distributed, setup_distributed
from .errors import DEBUG_ENV, DataError, run_tool
from .progress import progress

__all__ = [
    'CHECKPOINT_SAFE_GLOBALS', 'register_checkpoint_safe_globals',
    'DATA_ROOT_ENV', 'data_root_candidates', 'resolve_data_root', 'DataError',
    'close_distributed', 'setup_cpu_distributed', 'setup_distributed',
    'merge_cfg_options', 'run_tool', 'DEBUG_ENV', 'progress'
]
