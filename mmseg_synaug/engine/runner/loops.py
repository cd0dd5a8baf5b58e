"""An iteration-based training loop that resumes without loading the data
it skips.

mmengine's :class:`~mmengine.runner.IterBasedTrainLoop` resumes at
iteration ``k`` by drawing ``k`` batches from the data loader and throwing
them away: every image of them is read and transformed. On the GPU
benchmark's machine (one H200, 16 cores, six trainings at once) resuming
PSPNet-R18-d8 at iteration 1000 of 2000 took 125 s before the first new
iteration, longer than the 100 iterations that followed.

With mmengine's :class:`~mmengine.dataset.InfiniteSampler` (every config of
this project) the batches are a fixed function of the sampler's seed, so
skipping them only needs the sampler's index stream advanced by
``k * batch_size`` indices: the same samples in the same order as
mmengine's resume, in milliseconds. (The random augmentations of the
loader workers are seeded anew, as after any restart.)
"""
import itertools
import logging
import time

from mmengine.dataset import InfiniteSampler
from mmengine.logging import print_log
from mmengine.runner import IterBasedTrainLoop
from mmengine.runner.loops import _InfiniteDataloaderIterator
from mmseg.registry import LOOPS

__all__ = ['FastResumeIterBasedTrainLoop']


@LOOPS.register_module()
class FastResumeIterBasedTrainLoop(IterBasedTrainLoop):
    """:class:`~mmengine.runner.IterBasedTrainLoop` whose resume advances
    the sampler instead of loading the batches already trained.

    A drop-in replacement (same arguments, ``train_cfg = dict(type=
    'FastResumeIterBasedTrainLoop', max_iters=..., val_interval=...)``).
    With a sampler other than :class:`~mmengine.dataset.InfiniteSampler`
    it resumes as mmengine does.
    """

    def run(self) -> None:
        if self._iter > 0 and self.skip_trained_batches(self._iter):
            # mmengine's loop still calls next() once per trained batch:
            # those calls now return nothing and load nothing.
            self.dataloader_iterator = _PassCalls(self.dataloader_iterator,
                                                  self._iter)
        return super().run()

    def skip_trained_batches(self, num_batches: int) -> bool:
        """Advance the sampler past ``num_batches`` batches and restart the
        loader's iterator there; False where the sampler cannot be advanced
        (mmengine's resume then loads and drops the batches).

        Args:
            num_batches (int): Batches already trained.

        Returns:
            bool: Whether the batches were skipped.
        """
        loader = self.dataloader
        sampler = loader.sampler
        batch_sampler = getattr(loader, 'batch_sampler', None)
        batch_size = getattr(batch_sampler, 'batch_size', None)
        if not isinstance(sampler, InfiniteSampler) or not batch_size or \
                getattr(batch_sampler, 'sampler', sampler) is not sampler:
            return False
        start = time.perf_counter()
        sampler.indices = sampler._indices_of_rank()
        consumed = num_batches * batch_size
        next(itertools.islice(sampler.indices, consumed, consumed), None)
        # A new iterator draws its first batch from the advanced stream (the
        # old one had prefetched from the start of it).
        self.dataloader_iterator = _InfiniteDataloaderIterator(loader)
        print_log(
            f'Resumed at iteration {num_batches}: skipped {num_batches} '
            f'batches ({consumed} samples) in the sampler in '
            f'{time.perf_counter() - start:.2f} s, without loading them',
            logger='current',
            level=logging.INFO)
        return True


class _PassCalls:
    """An iterator whose first ``count`` ``next()`` calls return None, then
    those of ``iterator``."""

    def __init__(self, iterator, count: int) -> None:
        self.iterator = iterator
        self.count = count

    def __iter__(self):
        return self

    def __next__(self):
        if self.count > 0:
            self.count -= 1
            return None
        return next(self.iterator)
