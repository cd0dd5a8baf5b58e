"""Benchmarks as a library: the command lines in ``tools/analysis_tools/``
(``compare_configs.py``, ``benchmark_train.py``,
``gpu_benchmark/staged_benchmark.py``) are thin wrappers. The staged GPU
benchmark (:mod:`.staged`) and its stage folders (:mod:`.bundle`) are
imported by name.

Not imported by ``import mmseg_synaug``: only the benchmark tools need it.
"""
from .compare import (Comparison, curve, device_slots, finished,
                      parse_extra_test, run_comparison, score_extra_tests,
                      summarize)
from .runs import (REPO_ROOT, add_config_options, check_options_for,
                   check_run_options, config_name, config_with_options,
                   options_for, shown_path, train_tool)
from .speed import (concurrency_rows, concurrency_table, measure_concurrent,
                    measure_image_reading, measure_speed, reading_table,
                    speed_row, speed_table)
from .tables import (comparison_table, curve_series, curve_table,
                     extra_test_table, machine)

__all__ = [
    'Comparison', 'run_comparison', 'finished', 'summarize', 'curve',
    'device_slots', 'REPO_ROOT', 'train_tool', 'config_name', 'options_for',
    'check_options_for', 'check_run_options', 'shown_path', 'comparison_table',
    'curve_series', 'curve_table', 'machine', 'measure_speed', 'speed_row',
    'speed_table', 'add_config_options', 'config_with_options',
    'parse_extra_test', 'score_extra_tests', 'extra_test_table',
    'measure_concurrent', 'concurrency_rows', 'concurrency_table',
    'measure_image_reading', 'reading_table'
]
