"""Make a coarse label map from a fine one, as a hurried annotator would."""
from typing import Optional, Sequence, Tuple, Union

import cv2
import numpy as np
from mmcv.transforms import BaseTransform
from mmcv.transforms.utils import cache_randomness
from mmseg.registry import TRANSFORMS

from ...utils import DataError

__all__ = [
    'SimulateCoarseLabels', 'simplify_polygons', 'remove_small_segments',
    'erode_boundaries'
]

Range = Union[float, Tuple[float, float]]


def _as_range(value: Optional[Range], name: str) -> Tuple[float, float]:
    """Turn a number or a (low, high) pair into a checked (low, high) pair."""
    if value is None:
        return (0.0, 0.0)
    if isinstance(value, (int, float)):
        low = high = float(value)
    elif isinstance(value, Sequence) and len(value) == 2:
        low, high = float(value[0]), float(value[1])
    else:
        raise DataError(
            f'SimulateCoarseLabels: `{name}={value!r}` is neither a number '
            'nor a (low, high) pair.',
            fix=f'Pass `{name}` as a number or as a pair like (1, 3).')
    if low < 0 or high < low:
        raise DataError(
            f'SimulateCoarseLabels: `{name}={value!r}` must satisfy '
            '0 <= low <= high.',
            fix=f'Pass a non-negative `{name}` (0 or None turns it off).')
    return (low, high)


def simplify_polygons(label: np.ndarray,
                      epsilon: float,
                      min_area: int = 0,
                      ignore_index: int = 255) -> np.ndarray:
    """Redraw every segment as a filled, simplified polygon.

    Each connected segment's outer contour is simplified with
    :func:`cv2.approxPolyDP` (``epsilon`` pixels; 0 keeps the exact contour)
    and filled; segments are painted from the largest enclosed area to the
    smallest, so a segment inside another is drawn on top of it, as in
    polygon annotation tools. Segments of fewer than ``min_area`` pixels are
    not drawn: they take the label of the polygon around them, or ``ignore``
    where there is none. Pixels ignored in ``label`` stay ignored.

    Args:
        label (np.ndarray): Fine index map of shape (H, W), uint8.
        epsilon (float): Largest distance, in pixels, between a contour and
            its simplified polygon.
        min_area (int): Segments with fewer pixels are dropped.
            Defaults to 0.
        ignore_index (int): The ignore value. Defaults to 255.

    Returns:
        np.ndarray: The coarse index map, shape (H, W), uint8.
    """
    polygons = []
    for value in np.unique(label):
        if value == ignore_index:
            continue
        mask = (label == value).astype(np.uint8)
        count, components, stats, _ = cv2.connectedComponentsWithStats(
            mask, connectivity=8)
        for index in range(1, count):
            if stats[index, cv2.CC_STAT_AREA] < min_area:
                continue
            component = (components == index).astype(np.uint8)
            contours, _ = cv2.findContours(component, cv2.RETR_EXTERNAL,
                                           cv2.CHAIN_APPROX_NONE)
            for contour in contours:
                if epsilon > 0:
                    contour = cv2.approxPolyDP(contour, epsilon, True)
                polygons.append(
                    (cv2.contourArea(contour), int(value), contour))
    coarse = np.full(label.shape, ignore_index, dtype=np.uint8)
    for _, value, contour in sorted(
            polygons, key=lambda item: item[0], reverse=True):
        cv2.drawContours(coarse, [contour], -1, value, thickness=cv2.FILLED)
    coarse[label == ignore_index] = ignore_index
    return coarse


def remove_small_segments(label: np.ndarray,
                          min_area: int,
                          ignore_index: int = 255) -> np.ndarray:
    """Give segments smaller than ``min_area`` the label around them.

    Each removed segment takes the most frequent label of the one-pixel ring
    around it (``ignore_index`` where the ring has no label).

    Args:
        label (np.ndarray): Index map of shape (H, W), uint8.
        min_area (int): Segments with fewer pixels are removed.
        ignore_index (int): The ignore value. Defaults to 255.

    Returns:
        np.ndarray: The map without small segments, shape (H, W), uint8.
    """
    out = label.copy()
    kernel = np.ones((3, 3), np.uint8)
    for value in np.unique(label):
        if value == ignore_index:
            continue
        mask = (label == value).astype(np.uint8)
        count, components, stats, _ = cv2.connectedComponentsWithStats(
            mask, connectivity=8)
        for index in range(1, count):
            if stats[index, cv2.CC_STAT_AREA] >= min_area:
                continue
            component = components == index
            ring = cv2.dilate(component.astype(np.uint8), kernel) > 0
            ring &= ~component
            around = label[ring]
            around = around[around != ignore_index]
            out[component] = (
                np.bincount(around).argmax() if around.size else ignore_index)
    return out


def erode_boundaries(label: np.ndarray,
                     width: int,
                     ignore_index: int = 255) -> np.ndarray:
    """Set to ignore every pixel closer than ``width`` to another label.

    Args:
        label (np.ndarray): Index map of shape (H, W), uint8.
        width (int): Half-width, in pixels, of the void band laid on each
            boundary between two labels (the band is about ``2 * width``
            pixels wide). 0 returns a copy.
        ignore_index (int): The ignore value. Defaults to 255.

    Returns:
        np.ndarray: The eroded map, shape (H, W), uint8.
    """
    if width <= 0:
        return label.copy()
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE,
                                       (2 * width + 1, 2 * width + 1))
    out = np.full(label.shape, ignore_index, dtype=np.uint8)
    for value in np.unique(label):
        if value == ignore_index:
            continue
        # The image border does not erode (cv2's default erosion border).
        kept = cv2.erode((label == value).astype(np.uint8), kernel) > 0
        out[kept] = value
    return out


@TRANSFORMS.register_module()
class SimulateCoarseLabels(BaseTransform):
    """Simulate a coarse annotation from the fine label map.

    For datasets with only fine labels (CamVid, Cityscapes), so that a
    coarse-to-fine refiner can be trained anywhere. Three steps, each
    configurable and each turned off by 0 (or None):

    1. polygon simplification: every segment is redrawn as its outer contour
       simplified by :func:`cv2.approxPolyDP` with ``epsilon`` pixels,
       larger segments first (see :func:`simplify_polygons`);
    2. removal of small segments: segments under ``min_area`` pixels take
       the label around them;
    3. boundary erosion to void: pixels within ``boundary_width`` of a
       boundary between two labels become ``ignore_index``, as coarse
       annotations (Cityscapes gtCoarse) leave boundaries unlabelled.

    ``epsilon`` and ``boundary_width`` may be ``(low, high)`` ranges, drawn
    uniformly per sample (``boundary_width`` as an integer). Place it right
    after loading the fine map, before geometric transforms, so that the
    pixel sizes refer to the original image.

    Required Keys:

    - gt_seg_map

    Modified Keys:

    - seg_fields

    Added Keys:

    - gt_coarse_seg_map (np.uint8)

    Args:
        epsilon (float | tuple[float, float], optional): Polygon
            simplification tolerance in pixels, or a range to draw it from.
            0 or None turns simplification off. Defaults to 4.
        boundary_width (int | tuple[int, int], optional): Width in pixels of
            the void band on each side of a boundary, or a range to draw it
            from. 0 or None turns erosion off. Defaults to 2.
        min_area (int): Segments with fewer pixels are removed; 0 turns
            removal off. Defaults to 64.
        prob (float): Probability of simulating; otherwise the coarse map
            is a copy of the fine map. Defaults to 1.
        ignore_index (int): The void value. Defaults to 255.
    """

    def __init__(self,
                 epsilon: Optional[Range] = 4.0,
                 boundary_width: Optional[Range] = 2,
                 min_area: int = 64,
                 prob: float = 1.0,
                 ignore_index: int = 255) -> None:
        self.epsilon = _as_range(epsilon, 'epsilon')
        self.boundary_width = _as_range(boundary_width, 'boundary_width')
        if min_area < 0:
            raise DataError(
                f'SimulateCoarseLabels: `min_area={min_area}` is negative.',
                fix='Pass min_area >= 0 (0 turns removal off).')
        if not 0 <= prob <= 1:
            raise DataError(
                f'SimulateCoarseLabels: `prob={prob}` is not in [0, 1].',
                fix='Pass a probability between 0 and 1.')
        self.min_area = int(min_area)
        self.prob = prob
        self.ignore_index = ignore_index

    @cache_randomness
    def _draw(self) -> Tuple[bool, float, int]:
        """Draw whether to simulate, the epsilon and the boundary width."""
        apply = np.random.rand() < self.prob
        epsilon = np.random.uniform(*self.epsilon)
        width = np.random.randint(
            int(self.boundary_width[0]),
            int(self.boundary_width[1]) + 1)
        return apply, float(epsilon), int(width)

    def simulate(self, label: np.ndarray, epsilon: float,
                 width: int) -> np.ndarray:
        """Apply the three steps with the given parameters.

        Args:
            label (np.ndarray): Fine index map of shape (H, W).
            epsilon (float): Polygon tolerance in pixels (0: off).
            width (int): Void band width in pixels (0: off).

        Returns:
            np.ndarray: The coarse index map, shape (H, W), uint8.
        """
        label = label.astype(np.uint8)
        if epsilon > 0:
            coarse = simplify_polygons(label, epsilon, self.min_area,
                                       self.ignore_index)
        elif self.min_area > 0:
            coarse = remove_small_segments(label, self.min_area,
                                           self.ignore_index)
        else:
            coarse = label.copy()
        return erode_boundaries(coarse, width, self.ignore_index)

    def transform(self, results: dict) -> dict:
        """Add ``gt_coarse_seg_map`` simulated from ``gt_seg_map``.

        Args:
            results (dict): Result dict with ``gt_seg_map``.

        Returns:
            dict: ``results`` with ``gt_coarse_seg_map`` added to it and to
            ``seg_fields``.
        """
        if 'gt_seg_map' not in results:
            raise DataError(
                'SimulateCoarseLabels needs `gt_seg_map`, which the pipeline '
                'has not loaded.',
                fix='Put a label loading transform (LoadAnnotations, '
                'LoadCheckedAnnotations) before SimulateCoarseLabels.')
        apply, epsilon, width = self._draw()
        label = results['gt_seg_map']
        results['gt_coarse_seg_map'] = (
            self.simulate(label, epsilon, width)
            if apply else label.astype(np.uint8).copy())
        seg_fields = results.setdefault('seg_fields', [])
        if 'gt_coarse_seg_map' not in seg_fields:
            seg_fields.append('gt_coarse_seg_map')
        return results

    def __repr__(self) -> str:
        return (f'{self.__class__.__name__}(epsilon={self.epsilon}, '
                f'boundary_width={self.boundary_width}, '
                f'min_area={self.min_area}, prob={self.prob}, '
                f'ignore_index={self.ignore_index})')
