"""Hardness-aware re-sampling: more renderings of the hard label maps.

FreeMask: Synthetic Images with Dense Annotations Make Stronger
Segmentation Models (Yang et al., NeurIPS 2023), section 3.3: instead of
rendering every real label map equally often, a segmentor trained on the
real images says which maps are hard, and those get more synthetic
images. A map's hardness is the pixel-weighted mean of its classes' losses
on the real data,

.. math:: h_i = \\sum_c p_{ic} \\bar{L}_c \\,/\\, \\sum_c p_{ic},

with :math:`p_{ic}` the pixels of class :math:`c` in map :math:`i` and
:math:`\\bar{L}_c` the mean cross-entropy of class :math:`c`
(:func:`~mmseg_synaug.synthesis.filtering.real_class_loss`); rare classes,
which a real-data segmentor learns worst, weigh in through their high loss.

The maps are ranked by hardness (ties by index), and map of rank
:math:`r` (1 the easiest, :math:`n` the hardest) gets a share
proportional to :math:`r`, clipped to ``[min_count, max_count]`` and
scaled so that the counts add up to the budget (``--num`` of
tools/synthesize.py): the budget is unchanged, only its allocation. The
counts are a deterministic function of the losses, and a harder map never
gets fewer renderings than an easier one.
"""
import json
import os
import os.path as osp
from typing import Optional, Sequence

import numpy as np
import torch

from ..utils import DataError
from .filtering import real_class_loss

__all__ = [
    'map_hardness', 'allocate_renderings', 'rendering_sources',
    'hardness_allocation', 'RESAMPLING_FILE'
]

#: File of a synthetic set's folder holding its re-sampling allocation.
RESAMPLING_FILE = 'resampling.json'


def map_hardness(map_class_pixels: np.ndarray,
                 class_loss: Sequence[Optional[float]]) -> np.ndarray:
    """Pixel-weighted mean class loss of each label map.

    Args:
        map_class_pixels (np.ndarray): Pixels of each class in each map.
        class_loss (Sequence[float or None]): Mean loss of each class on
            real data; None (a class without real pixels) weighs 0.

    Shape:
        - map_class_pixels: :math:`(N, C)`.
        - returns: :math:`(N,)`.

    Returns:
        np.ndarray: The hardness of each map; 0 for a map without labelled
        pixels.
    """
    pixels = np.asarray(map_class_pixels, dtype=np.float64)
    loss = np.array([0.0 if c is None else c for c in class_loss])
    total = pixels.sum(1)
    return (pixels @ loss) / np.maximum(total, 1)


def allocate_renderings(hardness: Sequence[float],
                        total: int,
                        min_count: int = 1,
                        max_count: int = 20) -> np.ndarray:
    """Renderings of each map: by hardness rank, in a range, to a budget.

    Map of rank ``r`` (1 the easiest) gets ``clip(s * r, min_count,
    max_count)`` renderings, ``s`` chosen so that they sum to ``total``;
    the fractions are rounded by largest remainder (ties to the harder
    map), so the counts are integers, sum to ``total`` exactly and never
    decrease with hardness.

    Args:
        hardness (Sequence[float]): Hardness of each map
            (:func:`map_hardness`).
        total (int): The budget: renderings of all maps together.
        min_count (int): Fewest renderings of a map (>= 0). Defaults to 1.
        max_count (int): Most renderings of a map. Defaults to 20.

    Returns:
        np.ndarray: ``int64`` counts, one per map.
    """
    n = len(hardness)
    if not 0 <= min_count <= max_count:
        raise DataError(
            f'The renderings per map must satisfy 0 <= min <= max, got '
            f'min {min_count} and max {max_count}.',
            fix='Use e.g. --renderings-per-map 1 20 (FreeMask).')
    if n == 0 or not n * min_count <= total <= n * max_count:
        raise DataError(
            f'{total} renderings cannot be spread over {n} label maps with '
            f'{min_count} to {max_count} each.',
            fix=f'Give --num between {n * min_count} and {n * max_count}, '
            'or change --renderings-per-map.')
    order = np.argsort(np.asarray(hardness, dtype=np.float64), kind='stable')
    rank = np.empty(n, dtype=np.float64)
    rank[order] = np.arange(1, n + 1)

    def spread(scale: float) -> np.ndarray:
        return np.clip(scale * rank, min_count, max_count)

    low, high = 0.0, float(max_count) + 1.0  # spread(high) is all max_count
    for _ in range(200):
        mid = (low + high) / 2
        if spread(mid).sum() < total:
            low = mid
        else:
            high = mid
    share = spread(high)
    counts = np.floor(share + 1e-9).astype(np.int64)
    counts = np.minimum(counts, max_count)
    left = int(total - counts.sum())
    if left > 0:
        # largest remainder first; among equal remainders the harder map
        room = np.flatnonzero(counts < max_count)
        remainder = share[room] - counts[room]
        pick = room[np.lexsort((-rank[room], -remainder))][:left]
        counts[pick] += 1
    elif left < 0:
        room = np.flatnonzero(counts > min_count)
        remainder = share[room] - counts[room]
        pick = room[np.lexsort((rank[room], remainder))][:-left]
        counts[pick] -= 1
    return counts


def rendering_sources(counts: Sequence[int], seed: int = 0) -> np.ndarray:
    """Sample ``k`` -> label map: map ``i`` ``counts[i]`` times, shuffled.

    Args:
        counts (Sequence[int]): Renderings of each map.
        seed (int): Seed of the shuffle. Defaults to 0.

    Returns:
        np.ndarray: ``sum(counts)`` map indices.
    """
    sources = np.repeat(np.arange(len(counts)), np.asarray(counts))
    return sources[np.random.RandomState(seed).permutation(len(sources))]


def _write_json(path: str, data: dict) -> None:
    tmp = osp.join(osp.dirname(path), f'.{osp.basename(path)}.tmp')
    with open(tmp, 'w') as f:
        json.dump(data, f, indent=2)
    os.replace(tmp, path)


def hardness_allocation(segmentor: torch.nn.Module,
                        dataset,
                        total: int,
                        min_count: int = 1,
                        max_count: int = 20,
                        seed: int = 0,
                        out_dir: Optional[str] = None,
                        identity: Optional[dict] = None) -> dict:
    """Class losses of a real set, hardness and renderings of its maps.

    With ``out_dir`` the allocation is written to
    ``{out_dir}/resampling.json`` and read back by a resumed run (or a
    shard) that has the same ``identity``, so the real set is scored once
    and every run renders the same maps; other settings are an error.

    Args:
        segmentor (torch.nn.Module): Trained on the real set.
        dataset: The real training set, samples with ``img`` and
            ``gt_seg_map`` (the maps synthesis recomposes, in order).
        total (int): The budget of renderings.
        min_count (int): Fewest per map. Defaults to 1.
        max_count (int): Most per map. Defaults to 20.
        seed (int): Seed of the order of the renderings. Defaults to 0.
        out_dir (str, optional): The synthetic set's folder.
            Defaults to None.
        identity (dict, optional): What else must match to reuse a
            written allocation (e.g. the segmentor's checkpoint).
            Defaults to None.

    Returns:
        dict: ``class_loss``, per map ``hardness`` and ``counts``, and
        ``sources`` (sample ``k`` renders map ``sources[k]``).
    """
    key = dict(
        identity or {},
        total=total,
        min_count=min_count,
        max_count=max_count,
        seed=seed,
        num_maps=len(dataset))
    path = None if out_dir is None else osp.join(out_dir, RESAMPLING_FILE)
    if path is not None and osp.isfile(path):
        with open(path) as f:
            allocation = json.load(f)
        old = {k: allocation.get(k) for k in key}
        if old != key:
            raise DataError(
                f'`{path}` holds an allocation of other settings ({old}), '
                f'not {key}: one set would mix two allocations.',
                fix='Resume with the same settings, or write the new set '
                'to another --out folder.')
        print(f're-sampling allocation read from {path}', flush=True)
        return allocation
    real = real_class_loss(segmentor, dataset)
    hardness = map_hardness(real['map_class_pixels'], real['class_loss'])
    counts = allocate_renderings(hardness, total, min_count, max_count)
    allocation = dict(
        key,
        class_loss=real['class_loss'],
        hardness=hardness.tolist(),
        counts=counts.tolist(),
        sources=rendering_sources(counts, seed).tolist())
    if path is not None:
        os.makedirs(out_dir, exist_ok=True)
        _write_json(path, allocation)
    return allocation
