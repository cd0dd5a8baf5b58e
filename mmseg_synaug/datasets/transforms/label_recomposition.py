"""Recompose label maps to raise the frequency of rare classes.

Liu et al., "Pixel level data augmentation for semantic image segmentation
using generative adversarial networks": new label maps are made from real
ones by pasting segments of rare classes taken from other samples; a
label-to-image generator then renders them (or, for the copy-paste
baseline, the real pixels under each segment are pasted with it).
"""
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness
from mmseg.registry import TRANSFORMS

from ...utils import DataError

MODES = ('overlay', 'multi', 'reconstruct')


@TRANSFORMS.register_module()
class LabelRecomposition(BaseTransform):
    """Paste segments of rare classes from other samples into a label map.

    Modes (the paper's three):

    - ``overlay``: paste one segment of one class, preferring classes the
      map lacks.
    - ``multi``: paste one segment of each of ``num_classes_to_add``
      classes (e.g. Wall, Fence, Pole, Traffic light, Train on Cityscapes).
    - ``reconstruct``: keep only ``background_classes`` of the map (e.g.
      sky, road, building; other pixels become ``ignore_index``), then paste
      segments of classes drawn until every class of ``classes`` was tried,
      rarest first, to balance the distribution.

    Classes are drawn with probability proportional to
    ``frequency ** (-1 / temperature)`` (temperature 1: inverse frequency;
    large: uniform) among ``classes`` (default: all). A segment is a
    connected component of at least ``min_segment_size`` pixels in one of
    the other samples (``mix_results``, from :meth:`get_indices`); it keeps
    its place by default, or is scaled and shifted at random. Segments are
    class pixels only, so the ignore value is never pasted. With
    ``paste_image`` the source's pixels under the segment are pasted too
    (the copy-paste baseline; for synthesis the image is regenerated from
    the label map anyway).

    Use inside mmseg's ``MultiImageMixDataset``, whose dataset loads
    ``img`` and ``gt_seg_map``.

    Required Keys:

    - img
    - gt_seg_map
    - mix_results (list[dict] with img, gt_seg_map)

    Modified Keys:

    - img (with ``paste_image``)
    - gt_seg_map

    Added Keys:

    - recomposition (dict): mode, classes added, source of each segment

    Args:
        class_frequency (Sequence[float]): Pixel share of each class in the
            training labels, indexed by class.
        mode (str): ``'overlay'``, ``'multi'`` or ``'reconstruct'``.
            Defaults to ``'overlay'``.
        classes (Sequence[int], optional): Classes that may be pasted.
            Defaults to all.
        num_classes_to_add (int): Classes pasted in ``multi`` mode.
            Defaults to 3.
        background_classes (Sequence[int]): Kept in ``reconstruct`` mode.
            Defaults to ().
        temperature (float): Of the rarity sampling. Defaults to 1.0.
        min_segment_size (int): Smallest segment pasted, in pixels.
            Defaults to 200.
        num_sources (int): Other samples to take segments from.
            Defaults to 4.
        scale_range (tuple[float, float], optional): Random scale of a
            pasted segment about its centre; None keeps it. Defaults to None.
        max_shift (float): Random shift, as a fraction of the image size.
            Defaults to 0.
        paste_image (bool): Paste the source pixels too. Defaults to True.
        ignore_index (int): The ignore value. Defaults to 255.
        prob (float): Probability of recomposing a sample. Defaults to 1.0.
    """

    def __init__(self,
                 class_frequency: Sequence[float],
                 mode: str = 'overlay',
                 classes: Optional[Sequence[int]] = None,
                 num_classes_to_add: int = 3,
                 background_classes: Sequence[int] = (),
                 temperature: float = 1.0,
                 min_segment_size: int = 200,
                 num_sources: int = 4,
                 scale_range: Optional[Tuple[float, float]] = None,
                 max_shift: float = 0.0,
                 paste_image: bool = True,
                 ignore_index: int = 255,
                 prob: float = 1.0) -> None:
        if mode not in MODES:
            raise DataError(
                f"LabelRecomposition mode '{mode}' is unknown.",
                fix=f'Use one of {MODES}.')
        if mode == 'reconstruct' and not background_classes:
            raise DataError(
                "LabelRecomposition mode 'reconstruct' needs "
                'background_classes.',
                fix='Give the classes of the base layout, e.g. sky, road and '
                'building.')
        if temperature <= 0:
            raise DataError(
                f'temperature must be > 0, got {temperature}.',
                fix='Use 1.0 for inverse frequency.')
        frequency = np.asarray(class_frequency, dtype=np.float64)
        self.class_frequency = frequency
        self.mode = mode
        self.classes = np.asarray(
            list(classes) if classes is not None else range(len(frequency)))
        if self.classes.max() >= len(frequency):
            raise DataError(
                f'classes {self.classes.tolist()} go beyond the '
                f'{len(frequency)} entries of class_frequency.',
                fix='Give one frequency per class of the dataset.')
        self.num_classes_to_add = num_classes_to_add
        self.background_classes = tuple(background_classes)
        self.temperature = temperature
        self.min_segment_size = min_segment_size
        self.num_sources = num_sources
        self.scale_range = scale_range
        self.max_shift = max_shift
        self.paste_image = paste_image
        self.ignore_index = ignore_index
        self.prob = prob

    def class_probabilities(self) -> np.ndarray:
        """Sampling probability of each of ``classes``, rarest highest."""
        frequency = np.clip(self.class_frequency[self.classes], 1e-8, None)
        weights = frequency**(-1.0 / self.temperature)
        return weights / weights.sum()

    @cache_randomness
    def get_indices(self, dataset) -> List[int]:
        """Draw the samples segments are taken from.

        Args:
            dataset: The wrapped dataset.

        Returns:
            list[int]: ``num_sources`` indices.
        """
        return np.random.randint(0, len(dataset), self.num_sources).tolist()

    @cache_randomness
    def _draw_classes(self, present: np.ndarray) -> List[int]:
        """Draw the classes to paste, in pasting order."""
        probs = self.class_probabilities()
        if self.mode == 'overlay':
            lacking = ~np.isin(self.classes, present)
            if lacking.any():
                probs = probs * lacking
                probs = probs / probs.sum()
            return [int(np.random.choice(self.classes, p=probs))]
        if self.mode == 'multi':
            count = min(self.num_classes_to_add, len(self.classes))
            return np.random.choice(
                self.classes, size=count, replace=False, p=probs).tolist()
        # reconstruct: every class once, rarest most likely first, so that
        # rare segments are not covered by common ones pasted later
        order = np.random.choice(
            self.classes, size=len(self.classes), replace=False, p=probs)
        return order[::-1].tolist()

    def _find_segment(self, sources: List[dict], cls: int,
                      shape: Tuple[int, int]) -> Optional[Tuple[int, dict]]:
        """A random segment of ``cls`` in the sources, resized to ``shape``.

        Returns:
            tuple[int, dict] or None: Source position and a dict with the
            segment ``mask`` (bool, ``shape``) and source ``img``.
        """
        candidates = []
        for position, source in enumerate(sources):
            label, img = source['gt_seg_map'], source['img']
            if label.shape != shape:
                label = cv2.resize(
                    label, shape[::-1], interpolation=cv2.INTER_NEAREST)
                img = cv2.resize(img, shape[::-1])
            count, components, stats, _ = cv2.connectedComponentsWithStats(
                (label == cls).astype(np.uint8), connectivity=8)
            for component in range(1, count):
                if stats[component, cv2.CC_STAT_AREA] >= \
                        self.min_segment_size:
                    candidates.append((position, components, component, img))
        if not candidates:
            return None
        position, components, component, img = candidates[np.random.randint(
            len(candidates))]
        mask = components == component
        if self.scale_range is not None or self.max_shift > 0:
            mask, img = self._move(mask, img)
        return position, dict(mask=mask, img=img)

    def _move(self, mask: np.ndarray,
              img: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Scale a segment about its centre and shift it, at random."""
        h, w = mask.shape
        ys, xs = np.nonzero(mask)
        centre = (float(xs.mean()), float(ys.mean()))
        scale = (
            np.random.uniform(
                *self.scale_range) if self.scale_range is not None else 1.0)
        matrix = cv2.getRotationMatrix2D(centre, 0, scale)
        matrix[:, 2] += np.random.uniform(-self.max_shift, self.max_shift,
                                          2) * (w, h)
        mask = cv2.warpAffine(
            mask.astype(np.uint8), matrix, (w, h), flags=cv2.INTER_NEAREST) > 0
        img = cv2.warpAffine(img, matrix, (w, h), flags=cv2.INTER_LINEAR)
        return mask, img

    def transform(self, results: dict) -> dict:
        if np.random.rand() >= self.prob:
            return results
        sources = results.get('mix_results')
        if not sources:
            raise DataError(
                'LabelRecomposition got no other samples (mix_results).',
                fix="Wrap the dataset in dict(type='MultiImageMixDataset', "
                'dataset=..., pipeline=[dict(type=\'LabelRecomposition\', '
                '...), ...]).')
        label = results['gt_seg_map'].copy()
        img = results['img'].copy()
        if self.mode == 'reconstruct':
            label[~np.isin(label, self.background_classes)] = \
                self.ignore_index
        added: List[Dict] = []
        for cls in self._draw_classes(np.unique(label)):
            found = self._find_segment(sources, cls, label.shape)
            if found is None:
                continue
            position, segment = found
            label[segment['mask']] = cls
            if self.paste_image:
                img[segment['mask']] = segment['img'][segment['mask']]
            added.append(
                dict(
                    cls=cls,
                    source=sources[position].get('img_path', position),
                    pixels=int(segment['mask'].sum())))
        results['gt_seg_map'] = label
        results['img'] = img
        results['recomposition'] = dict(mode=self.mode, added=added)
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(mode={self.mode!r}, '
                f'class_frequency={self.class_frequency.tolist()}, '
                f'classes={self.classes.tolist()}, '
                f'num_classes_to_add={self.num_classes_to_add}, '
                f'background_classes={self.background_classes}, '
                f'temperature={self.temperature}, '
                f'min_segment_size={self.min_segment_size}, '
                f'num_sources={self.num_sources}, '
                f'scale_range={self.scale_range}, '
                f'max_shift={self.max_shift}, '
                f'paste_image={self.paste_image}, '
                f'ignore_index={self.ignore_index}, prob={self.prob})')
