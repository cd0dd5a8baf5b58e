"""Staged GPU benchmark: does synthetic augmentation help PSPNet on CamVid?

The stages, their folders and their export are
:mod:`mmseg_synaug.benchmark.staged`, all of them in order within a time
budget :mod:`mmseg_synaug.benchmark.full`; docs/gpu_benchmark.md explains
them.

    python tools/analysis_tools/gpu_benchmark/staged_benchmark.py full \\
        [--budget SECONDS] [--seeds 0 1 2]    # resumable: run it again

    python tools/analysis_tools/gpu_benchmark/staged_benchmark.py a|b|c|d \\
        [--root work_dirs/gpu_benchmark] [--data-root .gpu/camvid_jpg] \\
        [--seeds 0 1] [--parallel 4] [--tiny] [--config NAME=PATH]
    python .../staged_benchmark.py export a --to DIR   # parts to copy
    python .../staged_benchmark.py import DIR          # parts copied back
"""
from mmseg_synaug.benchmark.staged import main

if __name__ == '__main__':
    main()
