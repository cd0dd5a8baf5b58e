"""Progress of long loops: a tqdm bar on a terminal, a few lines in a log.

tqdm redraws its bar with carriage returns; written to a file (a ``nohup``
log, a CI log) that is one line of thousands of redraws. Where stderr is
not a terminal, :func:`progress` prints one line per tenth of the work
instead, with the count, the seconds so far and the rate.
"""
import math
import sys
import time
from typing import Iterable, Iterator, Optional, TypeVar

from tqdm import tqdm

__all__ = ['progress']

T = TypeVar('T')


def progress(iterable: Iterable[T],
             desc: str,
             unit: str = 'it',
             total: Optional[int] = None,
             disable: bool = False) -> Iterable[T]:
    """Iterate over ``iterable`` showing progress on stderr.

    Args:
        iterable (Iterable): What to iterate over.
        desc (str): What the loop does, e.g. ``'filter'``.
        unit (str): What one item is, e.g. ``'img'``. Defaults to ``'it'``.
        total (int, optional): The number of items where ``iterable`` has
            no length. Defaults to None.
        disable (bool): Show nothing. Defaults to False.

    Returns:
        Iterable: The items of ``iterable``, in order.
    """
    if disable:
        return iterable
    if sys.stderr.isatty():
        return tqdm(iterable, desc=desc, unit=unit, total=total)
    if total is None:
        total = len(iterable)  # type: ignore[arg-type]
    return _logged(iterable, desc, unit, total)


def _logged(iterable: Iterable[T], desc: str, unit: str,
            total: int) -> Iterator[T]:
    step = max(1, math.ceil(total / 10))
    start = time.perf_counter()
    for done, item in enumerate(iterable, 1):
        yield item
        if done % step == 0 or done == total:
            seconds = time.perf_counter() - start
            rate = done / seconds if seconds > 0 else float('inf')
            print(
                f'{desc}: {done}/{total} {unit} ({seconds:.0f} s, '
                f'{rate:.2f} {unit}/s)',
                file=sys.stderr,
                flush=True)
