"""Loss-based filtering of synthetic pixels.

FreeMask: Synthetic Images with Dense Annotations Make Stronger
Segmentation Models (Yang et al., NeurIPS 2023), section 3.2: a segmentor
trained on real images scores every pixel of a synthetic image by its
cross-entropy against the label map the image was generated from. A pixel
whose loss exceeds ``margin`` times the mean loss of its class on the real
training images is a likely generator mistake, and is set to ignore (255)
so that it does not train the segmentor as label noise. FreeMask uses
``margin = 1.25``.

That single mean per class lies below the typical loss of a pixel near a
class boundary, where any segmentor is unsure, so the rule removes
boundaries and thin classes (poles are all boundary) first. The
boundary-aware variant (this project's) compares a pixel within
:data:`BOUNDARY_BAND` pixels of a boundary with its class's mean real loss
in that band, and the other pixels with the mean inside; its maps go to
``labels_filtered_m{margin}_b3``.

The filtered label maps of a synthetic set ``DIR`` (written by
tools/synthesize.py) go beside the originals::

    DIR/labels/000000.png                     the generator's input
    DIR/labels_filtered_m1.25/000000.png      the filtered map
    DIR/labels_filtered_m1.25.json            settings, real class losses,
                                              share ignored per class (and
                                              near class boundaries) and
                                              the synthesis score
    DIR/labels_filtered_m1.25.md              the same as tables
    DIR/labels_filtered_m1.25.jsonl           one record per filtered map

A run is resumable as synthesis is: each map is written to a temporary
name and renamed, its record line is appended last with a single write,
and a second run skips the maps that have both. A training config reads
the filtered maps with ``data_prefix=dict(img_path='images',
seg_map_path='labels_filtered_m1.25')`` (configs/synaug/).
"""
import json
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import cv2
import numpy as np
import torch
from mmengine.config import Config

from ..utils import DataError
from ..utils.progress import progress as shown
from .manifest import MANIFEST, append_line, read_manifest, write_atomic

__all__ = [
    'pixel_cross_entropy', 'segmentor_logits', 'real_class_loss',
    'filter_label', 'check_margin', 'filtered_folder', 'kept_records',
    'boundary_band', 'SyntheticLabelFilter', 'format_tables'
]

#: The ignore value of label maps.
IGNORE_INDEX = 255
#: Half-width in pixels of the band around class boundaries that the
#: filter's report counts apart: a segmentor's loss is high there on any
#: image, so a filter that ignores mostly this band removes boundaries (and
#: thin classes, which are all boundary), not generator mistakes.
BOUNDARY_BAND = 3


def pixel_cross_entropy(logits: torch.Tensor,
                        label: np.ndarray,
                        ignore_index: int = IGNORE_INDEX) -> np.ndarray:
    """Cross-entropy of every pixel's logits against its label.

    Computed in float64: ``logsumexp(logits) - logits[label]``.

    Args:
        logits (torch.Tensor): Class scores of one image (before softmax).
        label (np.ndarray): Its index map.
        ignore_index (int): Label of pixels without a class. Defaults to 255.

    Shape:
        - logits: :math:`(C, H, W)`.
        - label: :math:`(H, W)`.
        - returns: :math:`(H, W)`, NaN where ``label == ignore_index``.

    Returns:
        np.ndarray: The loss of each pixel.
    """
    logits = logits.detach().to('cpu', torch.float64)
    if logits.shape[1:] != label.shape:
        raise ValueError(f'logits of shape {tuple(logits.shape)} do not '
                         f'match the label map of shape {label.shape}')
    valid = label != ignore_index
    index = torch.from_numpy(np.where(valid, label, 0).astype(np.int64))
    loss = torch.logsumexp(logits, 0) - logits.gather(0, index[None])[0]
    loss = loss.numpy()
    loss[~valid] = np.nan
    return loss


def segmentor_logits(model: torch.nn.Module,
                     image: np.ndarray) -> torch.Tensor:
    """The segmentor's class scores of a BGR image, at the image's size.

    mmseg's :func:`~mmseg.apis.inference_model` (the config's test
    pipeline and test mode), its ``seg_logits`` before the argmax.

    Args:
        model (torch.nn.Module): From :func:`load_filter_segmentor`.
        image (np.ndarray): BGR uint8 image, as cv2 reads it.

    Shape:
        - image: :math:`(H, W, 3)`.
        - returns: :math:`(C, H, W)`.

    Returns:
        torch.Tensor: The logits.
    """
    from mmengine.registry import DefaultScope
    from mmseg.apis import inference_model
    with DefaultScope.overwrite_default_scope(
            model.cfg.get('default_scope', 'mmseg')):
        return inference_model(model, image).seg_logits.data


def num_model_classes(model: torch.nn.Module) -> int:
    """The number of classes a segmentor predicts."""
    return int(model.decode_head.num_classes)


def real_class_loss(model: torch.nn.Module,
                    dataset,
                    progress: bool = True) -> dict:
    """Mean cross-entropy of each class on a real (training) dataset.

    Args:
        model (torch.nn.Module): Segmentor trained on the dataset.
        dataset: A dataset whose samples hold ``img`` (BGR) and
            ``gt_seg_map`` (255 = ignore), e.g. a ``CamVidDataset`` with
            ``LoadCheckedImage`` and ``LoadCheckedAnnotations``.
        progress (bool): Show a progress bar. Defaults to True.

    Returns:
        dict: ``class_loss`` (mean loss per class; None for a class
        without pixels), ``class_pixels`` (pixels per class, summed),
        ``map_class_pixels`` (per sample, per class), and the means over
        the pixels of each class within :data:`BOUNDARY_BAND` pixels of a
        class boundary and over the others (``class_loss_band``,
        ``class_loss_inside``; :func:`boundary_band`).
    """
    num_classes = num_model_classes(model)
    classes = list(dataset.metainfo['classes'])
    if len(classes) != num_classes:
        raise DataError(
            f'The segmentor predicts {num_classes} classes but the real '
            f'training set has {len(classes)} ({classes}).',
            fix='Use a segmentor trained on this dataset, with its config.')
    sums = np.zeros(num_classes, dtype=np.float64)
    counts = np.zeros(num_classes, dtype=np.int64)
    band_sums = np.zeros(num_classes, dtype=np.float64)
    band_counts = np.zeros(num_classes, dtype=np.int64)
    per_map = []
    for i in shown(
            range(len(dataset)),
            desc='real class loss',
            unit='img',
            disable=not progress):
        sample = dataset[i]
        label = sample['gt_seg_map']
        loss = pixel_cross_entropy(
            segmentor_logits(model, sample['img']), label)
        valid = label != IGNORE_INDEX
        sums += np.bincount(
            label[valid], weights=loss[valid], minlength=num_classes)
        pixels = np.bincount(label[valid], minlength=num_classes)
        counts += pixels
        per_map.append(pixels.tolist())
        band = valid & boundary_band(label)
        band_sums += np.bincount(
            label[band], weights=loss[band], minlength=num_classes)
        band_counts += np.bincount(label[band], minlength=num_classes)

    def means(sums: np.ndarray, counts: np.ndarray) -> List[Optional[float]]:
        return [float(s / c) if c else None for s, c in zip(sums, counts)]

    return dict(
        class_loss=means(sums, counts),
        class_pixels=counts.tolist(),
        map_class_pixels=per_map,
        class_loss_band=means(band_sums, band_counts),
        class_loss_inside=means(sums - band_sums, counts - band_counts))


def filter_label(
        label: np.ndarray,
        loss: np.ndarray,
        class_loss: Sequence[Optional[float]],
        margin: float,
        ignore_index: int = IGNORE_INDEX,
        band: Optional[np.ndarray] = None,
        band_class_loss: Optional[Sequence[Optional[float]]] = None
) -> np.ndarray:
    """Ignore the pixels whose loss exceeds ``margin`` times their class's.

    A pixel of class ``c`` is set to ``ignore_index`` when
    ``loss > margin * class_loss[c]``; a class without a reference loss
    (None: no pixel of it in the real set) keeps all its pixels. With
    ``band`` and ``band_class_loss`` (the boundary-aware variant), a pixel
    of the band is compared with ``band_class_loss[c]`` instead: the mean
    loss of its class's real pixels near a boundary, where any segmentor's
    loss is high (and ``class_loss`` should then be the mean inside).

    Args:
        label (np.ndarray): Index map (uint8).
        loss (np.ndarray): Per-pixel loss (:func:`pixel_cross_entropy`).
        class_loss (Sequence[float or None]): Mean loss of each class on
            real data.
        margin (float): The margin, > 0.
        ignore_index (int): Defaults to 255.
        band (np.ndarray, optional): Boolean mask of the boundary band
            (:func:`boundary_band`). Defaults to None.
        band_class_loss (Sequence[float or None], optional): Mean loss of
            each class's real pixels in the band. Defaults to None.

    Shape:
        - label, loss, band, returns: :math:`(H, W)`.

    Returns:
        np.ndarray: A filtered copy of ``label``.
    """

    def thresholds(losses: Sequence[Optional[float]]) -> np.ndarray:
        return np.array(
            [np.inf if c is None else margin * c for c in losses] + [np.inf],
            dtype=np.float64)

    valid = label != ignore_index
    index = np.where(valid, label, len(class_loss))
    limit = thresholds(class_loss)[index]
    if band is not None:
        limit = np.where(band, thresholds(band_class_loss)[index], limit)
    drop = valid & (loss > limit)
    filtered = label.copy()
    filtered[drop] = ignore_index
    return filtered


def boundary_band(label: np.ndarray, width: int = BOUNDARY_BAND) -> np.ndarray:
    """Pixels within ``width`` pixels of another class or of an unlabelled
    pixel (a square neighbourhood holds two values).

    Args:
        label (np.ndarray): Index map (uint8).
        width (int): Half-width of the band. Defaults to
            :data:`BOUNDARY_BAND`.

    Shape:
        - label, returns: :math:`(H, W)`.

    Returns:
        np.ndarray: Boolean mask of the band.
    """
    kernel = np.ones((2 * width + 1, 2 * width + 1), np.uint8)
    return cv2.dilate(label, kernel) != cv2.erode(label, kernel)


def boundary_counts(label: np.ndarray, filtered: np.ndarray,
                    num_classes: int) -> Dict[str, List[int]]:
    """Per class, the labelled pixels of the :func:`boundary_band` and
    those of them the filter ignored (``boundary_pixels``,
    ``boundary_ignored``)."""
    band = boundary_band(label) & (label != IGNORE_INDEX)
    ignored = band & (filtered != label)
    return dict(
        boundary_pixels=np.bincount(label[band],
                                    minlength=num_classes).tolist(),
        boundary_ignored=np.bincount(label[ignored],
                                     minlength=num_classes).tolist())


def check_margin(margin: float) -> None:
    """Refuse a filtering margin that is not > 0."""
    if not margin > 0:
        raise DataError(
            f'The filtering margin must be > 0, got {margin}.',
            fix='Use e.g. --margin 1.25 (FreeMask): a pixel is ignored '
            'when its loss exceeds margin times its class\'s mean loss on '
            'real data.')


def filtered_folder(margin: float, boundary_aware: bool = False) -> str:
    """Name of the folder of filtered maps: ``labels_filtered_m{margin}``,
    with ``_b{BOUNDARY_BAND}`` for the boundary-aware variant."""
    suffix = f'_b{BOUNDARY_BAND}' if boundary_aware else ''
    return f'labels_filtered_m{margin:g}{suffix}'


def kept_records(out_dir: str) -> List[dict]:
    """The manifest records of a synthetic set's kept samples, by index.

    Args:
        out_dir (str): The folder written by tools/synthesize.py.

    Returns:
        list[dict]: Records with ``kept`` true, sorted by ``index``.
    """
    if not osp.isfile(osp.join(out_dir, MANIFEST)):
        raise DataError(
            f'`{out_dir}` has no {MANIFEST}: it is not a synthetic set '
            'written by tools/synthesize.py (or not its folder).',
            fix='Give the folder given to tools/synthesize.py --out; its '
            'manifest tells which samples are finished.')
    return [r for _, r in sorted(read_manifest(out_dir).items()) if r['kept']]


def _iou_counts(pred: np.ndarray, label: np.ndarray,
                num_classes: int) -> Tuple[List[int], List[int]]:
    """Intersection and union per class on the labelled pixels."""
    valid = label != IGNORE_INDEX
    pred, label = pred[valid], label[valid]
    inter = np.bincount(label[pred == label], minlength=num_classes)
    area_pred = np.bincount(pred, minlength=num_classes)[:num_classes]
    area_label = np.bincount(label, minlength=num_classes)
    return inter.tolist(), (area_pred + area_label - inter).tolist()


def _miou(inter: np.ndarray, union: np.ndarray) -> Tuple[float, list]:
    """mIoU in percent (classes without union left out) and per class."""
    with np.errstate(invalid='ignore', divide='ignore'):
        iou = 100 * inter / union
    per_class = [None if np.isnan(v) else float(v) for v in iou]
    return (float(np.nanmean(iou)) if (union > 0).any() else 0.0), per_class


def _write_text(path: str, text: str) -> None:
    tmp = osp.join(osp.dirname(path), f'.{osp.basename(path)}.tmp')
    with open(tmp, 'w') as f:
        f.write(text)
    os.replace(tmp, path)


class SyntheticLabelFilter:
    """Write loss-filtered label maps of a synthetic set (FreeMask).

    Args:
        segmentor (torch.nn.Module): A segmentor trained on the real data
            (:func:`~mmseg_synaug.synthesis.load_filter_segmentor`).
        segmentor_config (str): Its config; its training set is the real
            data whose class losses are the reference.
        segmentor_checkpoint (str): Its checkpoint (recorded, so that a
            resumed run cannot mix two segmentors).
        margin (float): Ignore a pixel whose loss exceeds ``margin`` times
            its class's mean real loss. Defaults to 1.25.
        num_real (int, optional): Use only the first ``num_real`` real
            training images for the class losses. Defaults to None (all).
        cfg_options (dict, optional): Overrides of ``segmentor_config``
            for its real training set. Defaults to None.
        boundary_aware (bool): Compare a pixel within
            :data:`BOUNDARY_BAND` pixels of a class boundary with its
            class's mean real loss in that band, and the other pixels with
            the mean inside (instead of one mean per class). FreeMask's
            single mean lies below every boundary pixel's typical loss, so
            its rule removes boundaries and thin classes first. Defaults to
            False (FreeMask's rule); the maps go to
            ``labels_filtered_m{margin}_b3``.
    """

    def __init__(self,
                 segmentor: torch.nn.Module,
                 segmentor_config: str,
                 segmentor_checkpoint: str,
                 margin: float = 1.25,
                 num_real: Optional[int] = None,
                 cfg_options: Optional[dict] = None,
                 boundary_aware: bool = False) -> None:
        check_margin(margin)
        if num_real is not None and num_real < 1:
            raise DataError(
                f'--num-real must be >= 1, got {num_real}.',
                fix='Leave it out to use the whole real training set.')
        self.segmentor = segmentor
        self.segmentor_config = osp.abspath(segmentor_config)
        self.segmentor_checkpoint = osp.abspath(segmentor_checkpoint)
        self.margin = float(margin)
        self.num_real = num_real
        self.cfg_options = cfg_options
        self.num_classes = num_model_classes(segmentor)
        self.classes = list(segmentor.dataset_meta['classes'])
        self.boundary_aware = bool(boundary_aware)
        self.folder = filtered_folder(self.margin, self.boundary_aware)

    # -- the real reference -------------------------------------------------
    def real_dataset(self):
        """The segmentor config's training set, loading image and label."""
        from mmengine.registry import init_default_scope
        from mmseg.registry import DATASETS

        from ..utils.config_options import merge_cfg_options
        from .synthesizer import train_dataset_cfg
        cfg = Config.fromfile(self.segmentor_config)
        merge_cfg_options(cfg, self.cfg_options)
        init_default_scope(cfg.get('default_scope', 'mmseg'))
        dataset_cfg = train_dataset_cfg(cfg)
        dataset_cfg.update(
            serialize_data=False,
            pipeline=[
                dict(type='LoadCheckedImage'),
                dict(
                    type='LoadCheckedAnnotations',
                    num_classes=self.num_classes)
            ])
        if self.num_real is not None:
            dataset_cfg['indices'] = self.num_real
        return DATASETS.build(dataset_cfg)

    def _settings(self, out_dir: str) -> dict:
        """Settings and real class losses: read back, or computed."""
        path = osp.join(out_dir, self.folder + '.json')
        identity = dict(
            margin=self.margin,
            segmentor_config=self.segmentor_config,
            segmentor_checkpoint=self.segmentor_checkpoint,
            num_real=self.num_real,
            boundary_aware=self.boundary_aware)
        if osp.isfile(path):
            with open(path) as f:
                settings = json.load(f)
            # records written before the boundary-aware variant lack its key
            old = {
                k: settings.get(k, False if k == 'boundary_aware' else None)
                for k in identity
            }
            if old != identity:
                raise DataError(
                    f'`{self.folder}/` of `{out_dir}` was filtered with '
                    f'other settings ({old}), not {identity}.',
                    fix=f'Resume with the same segmentor and --num-real, '
                    f'or delete `{self.folder}/` and `{path}` to filter '
                    'again.')
            print(f'real class losses read from {path}', flush=True)
            return settings
        real = real_class_loss(self.segmentor, self.real_dataset())
        settings = dict(
            identity,
            classes=self.classes,
            num_real_images=len(real['map_class_pixels']),
            class_loss=real['class_loss'],
            class_loss_band=real['class_loss_band'],
            class_loss_inside=real['class_loss_inside'],
            real_class_pixels=real['class_pixels'])
        _write_text(path, json.dumps(settings, indent=2))
        return settings

    # -- the synthetic set --------------------------------------------------
    def _records(self, out_dir: str) -> List[dict]:
        """The kept samples of the set's manifest; checks the classes."""
        records = kept_records(out_dir)
        if records:
            set_classes = len(records[0]['class_pixels'])
            if set_classes != self.num_classes:
                raise DataError(
                    f'The segmentor of `{self.segmentor_config}` predicts '
                    f'{self.num_classes} classes but the synthetic set '
                    f'`{out_dir}` has {set_classes}.',
                    fix='Use a segmentor trained on the real dataset the '
                    'set was synthesized from.')
        return records

    def _finished(self, out_dir: str, done: Dict[int, dict],
                  record: dict) -> bool:
        return record['index'] in done and osp.isfile(
            osp.join(out_dir, self.folder, record['name'] + '.png'))

    def _filter_one(self, out_dir: str, record: dict, settings: dict) -> dict:
        name = record['name']
        img_path = osp.join(out_dir, 'images',
                            name + record.get('img_suffix', '.png'))
        label_path = osp.join(out_dir, 'labels', name + '.png')
        image = cv2.imread(img_path, cv2.IMREAD_COLOR)
        label = cv2.imread(label_path, cv2.IMREAD_UNCHANGED)
        if image is None or label is None:
            raise DataError(
                f'Sample {name} of `{out_dir}` is in the manifest but '
                f'`{img_path}` or `{label_path}` cannot be read.',
                fix='Run tools/synthesize.py on the folder again: it '
                'rewrites the missing samples.')
        logits = segmentor_logits(self.segmentor, image)
        loss = pixel_cross_entropy(logits, label)
        if self.boundary_aware:
            filtered = filter_label(
                label,
                loss,
                settings['class_loss_inside'],
                self.margin,
                band=boundary_band(label),
                band_class_loss=settings['class_loss_band'])
        else:
            filtered = filter_label(label, loss, settings['class_loss'],
                                    self.margin)
        write_atomic(osp.join(out_dir, self.folder, name + '.png'), filtered)
        pred = logits.argmax(0).cpu().numpy()
        n = self.num_classes
        ignored = (label != filtered)
        inter_before, union_before = _iou_counts(pred, label, n)
        inter_after, union_after = _iou_counts(pred, filtered, n)
        return dict(
            index=record['index'],
            name=name,
            margin=self.margin,
            pixels=np.bincount(label[label != IGNORE_INDEX],
                               minlength=n).tolist(),
            ignored=np.bincount(label[ignored], minlength=n).tolist(),
            **boundary_counts(label, filtered, n),
            inter_before=inter_before,
            union_before=union_before,
            inter_after=inter_after,
            union_after=union_after)

    def run(self, out_dir: str) -> dict:
        """Filter the label maps of the set in ``out_dir``; skip those done.

        Args:
            out_dir (str): The synthetic set's folder (with its manifest).

        Returns:
            dict: The summary also written to
            ``{out_dir}/labels_filtered_m{margin}.json``: settings, real
            class losses, ``ignored_share`` per class (percent),
            ``score_before``/``score_after`` and counts of this run.
        """
        records = self._records(out_dir)
        settings = self._settings(out_dir)
        os.makedirs(osp.join(out_dir, self.folder), exist_ok=True)
        log = osp.join(out_dir, self.folder + '.jsonl')
        done = read_manifest(log) if osp.isfile(log) else {}
        todo = [r for r in records if not self._finished(out_dir, done, r)]
        print(
            f'{len(records)} synthetic label maps, '
            f'{len(records) - len(todo)} already filtered (resumed), '
            f'{len(todo)} to do; margin {self.margin:g}'
            f'{", boundary-aware" if self.boundary_aware else ""}',
            flush=True)
        for record in shown(todo, desc='filter', unit='img'):
            append_line(log, self._filter_one(out_dir, record, settings))
        done = read_manifest(log)
        finished = [done[r['index']] for r in records if r['index'] in done]
        summary = self._summary(settings, finished, out_dir)
        summary.update(filtered=len(todo), skipped=len(records) - len(todo))
        _write_text(
            osp.join(out_dir, self.folder + '.json'),
            json.dumps(summary, indent=2))
        _write_text(
            osp.join(out_dir, self.folder + '.md'), format_tables(summary))
        return summary

    def _summary(self, settings: dict, finished: List[dict],
                 out_dir: str) -> dict:
        n = self.num_classes
        for record in finished:
            if 'boundary_pixels' not in record:
                # A record of an older version: count on its maps.
                label, filtered = (
                    cv2.imread(
                        osp.join(out_dir, folder, record['name'] + '.png'),
                        cv2.IMREAD_UNCHANGED)
                    for folder in ('labels', self.folder))
                record.update(boundary_counts(label, filtered, n))

        def total(key: str) -> np.ndarray:
            return np.sum(
                [r[key] for r in finished] or [np.zeros(n)],
                axis=0).astype(np.float64)

        pixels, ignored = total('pixels'), total('ignored')
        with np.errstate(invalid='ignore', divide='ignore'):
            share = 100 * ignored / pixels
        band = None
        if finished:
            band_pixels, band_ignored = (total('boundary_pixels'),
                                         total('boundary_ignored'))
            inside = pixels - band_pixels
            with np.errstate(invalid='ignore', divide='ignore'):
                columns = dict(
                    share=100 * band_pixels / pixels,
                    ignored_share=100 * band_ignored / band_pixels,
                    ignored_share_inside=100 * (ignored - band_ignored) /
                    inside)
            band = dict(
                width=BOUNDARY_BAND,
                pixels=band_pixels.astype(int).tolist(),
                ignored=band_ignored.astype(int).tolist(),
                share_of_ignored=float(100 * band_ignored.sum() /
                                       max(ignored.sum(), 1)),
                share_of_pixels=float(100 * band_pixels.sum() /
                                      max(pixels.sum(), 1)),
                **{
                    k: _listed_floats(v)
                    for k, v in columns.items()
                })
        scores = {}
        for when in ('before', 'after'):
            miou, iou = _miou(total(f'inter_{when}'), total(f'union_{when}'))
            scores[f'score_{when}'] = dict(mIoU=miou, IoU=iou)
        return dict(
            settings,
            folder=self.folder,
            num_images=len(finished),
            synthetic_class_pixels=pixels.astype(int).tolist(),
            ignored_pixels=ignored.astype(int).tolist(),
            ignored_share=_listed_floats(share),
            ignored_share_all=float(100 * ignored.sum() /
                                    max(pixels.sum(), 1)),
            boundary=band,
            **scores)


def _listed_floats(values: np.ndarray) -> List[Optional[float]]:
    return [None if np.isnan(v) else float(v) for v in values]


def format_tables(summary: dict) -> str:
    """Markdown: per class, the real loss, the share ignored and the IoU
    of the segmentor's predictions on the generated images before and
    after filtering."""

    def cell(value: Optional[float], fmt: str) -> str:
        return '-' if value is None else format(value, fmt)

    reference = (
        f'the mean loss of each class on {summary["num_real_images"]} real '
        'training images')
    if summary.get('boundary_aware'):
        reference += (
            f', within {BOUNDARY_BAND} pixels of a class boundary and '
            'inside apart (boundary-aware)')
    lines = [
        f'Loss-based filtering (FreeMask), margin {summary["margin"]:g}: '
        f'{summary["num_images"]} synthetic label maps, '
        f'{summary["ignored_share_all"]:.2f}% of their labelled pixels '
        f'ignored; reference: {reference}.', '',
        '| class | real loss | pixels | ignored % | IoU before | '
        'IoU after |', '|---|---|---|---|---|---|'
    ]
    band = summary.get('boundary')
    if band:
        lines[0] += (
            f' {band["share_of_ignored"]:.1f}% of the ignored pixels lie '
            f'within {band["width"]} pixels of a class boundary, where '
            f'{band["share_of_pixels"]:.1f}% of the labelled pixels are.')
        lines[2] += (f' within {band["width"]} px of a boundary % | '
                     'ignored % there | ignored % inside |')
        lines[3] += '---|---|---|'
    aware = bool(summary.get('boundary_aware'))
    if aware:
        lines[2] += ' real loss near a boundary | real loss inside |'
        lines[3] += '---|---|'
    before = summary['score_before']['IoU']
    after = summary['score_after']['IoU']
    for i, name in enumerate(summary['classes']):
        row = (f'| {name} | {cell(summary["class_loss"][i], ".4f")} | '
               f'{summary["synthetic_class_pixels"][i]} | '
               f'{cell(summary["ignored_share"][i], ".2f")} | '
               f'{cell(before[i], ".1f")} | {cell(after[i], ".1f")} |')
        if band:
            row += ''.join(f' {cell(band[key][i], ".1f")} |'
                           for key in ('share', 'ignored_share',
                                       'ignored_share_inside'))
        if aware:
            row += ''.join(f' {cell(summary[key][i], ".4f")} |'
                           for key in ('class_loss_band', 'class_loss_inside'))
        lines.append(row)
    lines += [
        '', 'Synthesis score (mIoU of the filtering segmentor\'s predictions '
        'on the generated images, against their label maps): '
        f'{summary["score_before"]["mIoU"]:.2f} on all labelled pixels, '
        f'{summary["score_after"]["mIoU"]:.2f} on the kept pixels. The '
        'same segmentor chose the kept pixels, so the second is higher by '
        'construction: it says how much of the set is left that the real '
        'data segmentor agrees with, not how good the generator is.'
    ]
    return '\n'.join(lines) + '\n'
