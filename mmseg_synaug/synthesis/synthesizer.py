"""Write a synthetic segmentation dataset from recomposed label maps.

Liu et al., "Pixel level data augmentation for semantic image segmentation
using generative adversarial networks": the training label maps are
recomposed (segments of rare classes pasted in, :class:`LabelRecomposition`
through mmseg's :class:`MultiImageMixDataset`), a label-to-image generator
renders each one, and an optional segmentor keeps only the samples whose
prediction agrees with their label map. The copy-paste baseline pastes the
real pixels of the segments instead of generating.

The set is an mmseg dataset (``images/{k:06d}.png`` or ``.jpg``,
``labels/{k:06d}.png``, 255 = ignore), readable by ``CamVidDataset`` with
``data_prefix=dict(img_path='images', seg_map_path='labels')``, plus one
manifest line per sample (:mod:`.manifest`). A run is resumable and can be
split into shards that append to the same manifest.
"""
import os
import os.path as osp
import time
from typing import Optional, Sequence, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.utils import import_modules_from_strings

from ..utils import DataError, progress
from ..utils.config_options import merge_cfg_options
from .manifest import (MANIFEST, append_line, class_pixels, read_manifest,
                       sample_seed, write_atomic)

#: Recomposition modes of :class:`LabelRecomposition`.
SYNTHESIS_MODES = ('overlay', 'multi', 'reconstruct')


def _read_config(config: Union[str, Config], what: str) -> Config:
    if isinstance(config, Config):
        return config
    if not osp.isfile(config):
        raise DataError(
            f'The {what} `{config}` does not exist.',
            fix=f'Give the path of the {what} file.')
    cfg = Config.fromfile(config)
    if cfg.get('custom_imports'):
        import_modules_from_strings(**cfg.custom_imports)
    return cfg


def load_generator(config: str,
                   checkpoint: str,
                   device: str = 'cpu',
                   strict: bool = True) -> torch.nn.Module:
    """Build a label-to-image generator from its config; load its weights.

    Args:
        config (str): The generator's config (e.g. a Pix2PixHD config).
        checkpoint (str): A checkpoint written by tools/train.py.
        device (str): Defaults to ``'cpu'``.
        strict (bool): Refuse a checkpoint whose keys or shapes differ
            from the model's. Defaults to True.

    Returns:
        torch.nn.Module: In eval mode, with ``synthesize`` and
        ``num_classes``.
    """
    from ..apis import init_generator
    _read_config(config, 'generator config')
    if not osp.isfile(checkpoint):
        raise DataError(
            f'The generator checkpoint `{checkpoint}` does not exist.',
            fix='Give the .pth written by tools/train.py with the '
            'generator config.')
    return init_generator(config, checkpoint, device, strict=strict).model


def load_filter_segmentor(config: Union[str, Config],
                          checkpoint: str,
                          device: str = 'cpu',
                          strict: bool = True) -> torch.nn.Module:
    """A segmentor for the quality filter, its annotation loading removed.

    Args:
        config (str | Config): The segmentor's config (file or object).
        checkpoint (str): Its checkpoint.
        device (str): Defaults to ``'cpu'``.
        strict (bool): Refuse a checkpoint whose keys or shapes differ
            from the model's. Defaults to True.

    Returns:
        torch.nn.Module: For :func:`mmseg.apis.inference_model`.
    """
    from ..apis import init_segmentor
    _read_config(config, 'segmentor config')
    if not osp.isfile(checkpoint):
        raise DataError(
            f'The segmentor checkpoint `{checkpoint}` does not exist.',
            fix='Give the .pth written by tools/train.py with that config.')
    return init_segmentor(config, checkpoint, device, strict=strict)


def train_dataset_cfg(cfg: Config) -> dict:
    """The real training dataset of a config, through wrappers.

    ``dataset`` of wrappers (RepeatDataset, MultiImageMixDataset) and
    ``real`` of SyntheticMixDataset are followed; ``indices`` is kept (a
    way to recompose from a subset).
    """
    dataset = cfg.train_dataloader.dataset
    while isinstance(dataset, dict):
        inner = dataset.get('dataset', dataset.get('real'))
        if not isinstance(inner, dict):
            break
        dataset = inner
    return dict(dataset)


class SyntheticDatasetWriter:
    """Recompose a config's training label maps and write a synthetic set.

    Sample ``k`` of a run recomposes the training sample
    ``permutation(seed)[k]`` with its own seed (:func:`sample_seed`), so
    the same ``seed`` writes the same set however it is sharded or resumed.
    The LabelRecomposition settings are the dataset config's
    ``label_recomposition`` dict if it has one, else ``class_frequency``
    counted on its training labels and, for ``reconstruct``, the three most
    frequent classes as background.

    Args:
        dataset_config (str or Config): Config whose training set is
            recomposed.
        generator (torch.nn.Module, optional): Label-to-image generator
            (:func:`load_generator`); None with ``copy_paste``.
        mode (str): ``'overlay'``, ``'multi'`` or ``'reconstruct'``.
            Defaults to ``'overlay'``.
        seed (int): Run seed. Defaults to 0.
        copy_paste (bool): Paste real pixels instead of generating.
            Defaults to False.
        segmentor (torch.nn.Module, optional): Quality filter
            (:func:`load_filter_segmentor`). Defaults to None.
        min_agreement (float): Keep samples whose pixel agreement between
            the filter's prediction and the label map is at least this.
            Defaults to 0.5.
        cfg_options (dict, optional): Overrides of ``dataset_config``
            (checked, see :func:`merge_cfg_options`). Defaults to None.
        img_suffix (str): ``'.png'`` or ``'.jpg'`` (quality 95) for the
            images; label maps are PNG. Defaults to ``'.png'``.
    """

    def __init__(self,
                 dataset_config: Union[str, Config],
                 generator: Optional[torch.nn.Module] = None,
                 mode: str = 'overlay',
                 seed: int = 0,
                 copy_paste: bool = False,
                 segmentor: Optional[torch.nn.Module] = None,
                 min_agreement: float = 0.5,
                 cfg_options: Optional[dict] = None,
                 img_suffix: str = '.png') -> None:
        from mmseg.datasets import MultiImageMixDataset
        from mmseg.registry import DATASETS
        if mode not in SYNTHESIS_MODES:
            raise DataError(
                f'Unknown synthesis mode `{mode}`.',
                fix=f'Use one of {SYNTHESIS_MODES}.')
        if (generator is None) != copy_paste:
            raise DataError(
                'Give a generator, or copy_paste=True without one (the '
                'copy-paste baseline generates nothing).',
                fix='Pass the generator, or --copy-paste with `none none`.')
        if img_suffix not in ('.png', '.jpg'):
            raise DataError(
                f'Unsupported image suffix `{img_suffix}`.',
                fix="Use '.png' or '.jpg'.")
        cfg = _read_config(dataset_config, 'dataset config')
        merge_cfg_options(cfg, cfg_options)
        init_default_scope('mmseg')
        self.mode, self.seed, self.copy_paste = mode, seed, copy_paste
        self.generator, self.segmentor = generator, segmentor
        self.min_agreement, self.img_suffix = min_agreement, img_suffix
        dataset_cfg = train_dataset_cfg(cfg)
        num_classes = None if generator is None else generator.num_classes
        # one small copy per process: no shared-memory serialisation needed
        dataset_cfg['serialize_data'] = False
        self.labels_only = DATASETS.build(
            dict(
                dataset_cfg,
                pipeline=[
                    dict(
                        type='LoadCheckedAnnotations', num_classes=num_classes)
                ]))
        self.classes = list(self.labels_only.metainfo['classes'])
        if num_classes is None:
            num_classes = len(self.classes)
            self.labels_only.pipeline.transforms[0].num_classes = num_classes
        elif num_classes != len(self.classes):
            raise DataError(
                f'The generator has {num_classes} classes but the dataset '
                f'of `{dataset_config}` has {len(self.classes)}.',
                fix='Use the generator trained on this dataset.')
        self.num_classes = num_classes
        dataset_cfg['pipeline'] = [
            dict(type='LoadCheckedImage'),
            dict(type='LoadCheckedAnnotations', num_classes=num_classes)
        ]
        settings = self._recomposition_cfg(cfg)
        settings['paste_image'] = copy_paste
        self.mix = MultiImageMixDataset(dataset_cfg, pipeline=[settings])

    def _recomposition_cfg(self, cfg: Config) -> dict:
        """LabelRecomposition settings: the config's, else counted ones."""
        settings = dict(cfg.get('label_recomposition', None) or {})
        if 'class_frequency' not in settings or (self.mode == 'reconstruct'
                                                 and 'background_classes'
                                                 not in settings):
            counts = np.zeros(self.num_classes, dtype=np.int64)
            for i in range(len(self.labels_only)):
                counts += np.asarray(
                    class_pixels(self.labels_only[i]['gt_seg_map'],
                                 self.num_classes))
            frequency = counts / max(counts.sum(), 1)
            settings.setdefault('class_frequency', frequency.tolist())
            settings.setdefault('background_classes',
                                np.argsort(-frequency)[:3].tolist())
        if self.mode != 'reconstruct':
            settings.pop('background_classes', None)
        settings['mode'] = self.mode
        settings['type'] = 'LabelRecomposition'
        return settings

    def _finished(self, out_dir: str, record: Optional[dict]) -> bool:
        if record is None:
            return False
        return not record['kept'] or all(
            osp.isfile(osp.join(out_dir, sub, record['name'] + suffix))
            for sub, suffix in (('images', record.get('img_suffix', '.png')),
                                ('labels', '.png')))

    def _render(self, label: np.ndarray, stats: dict) -> np.ndarray:
        """BGR uint8 image the generator renders from an index map."""
        import cv2
        tick, tick_cpu = time.perf_counter(), time.process_time()
        fake = self.generator.synthesize(
            torch.from_numpy(label.astype(np.int64))[None])
        stats['generate_seconds'] += time.perf_counter() - tick
        stats['generate_cpu_seconds'] += time.process_time() - tick_cpu
        rgb = (fake[0].permute(1, 2, 0).cpu().numpy() * 255).round()
        return cv2.cvtColor(rgb.astype(np.uint8), cv2.COLOR_RGB2BGR)

    def _agreement(self, image: np.ndarray,
                   label: np.ndarray) -> Optional[float]:
        if self.segmentor is None:
            return None
        from mmseg.apis import inference_model
        pred = inference_model(self.segmentor, image).pred_sem_seg.data[0]
        pred = pred.cpu().numpy()
        valid = label != 255
        return float((pred[valid] == label[valid]).mean()) \
            if valid.any() else 0.0

    def run(self,
            out_dir: str,
            num: int,
            shard: int = 0,
            num_shards: int = 1,
            sources: Optional[Sequence[int]] = None) -> dict:
        """Write this shard's samples ``k < num`` with ``k % num_shards ==
        shard``; skip those already in the manifest.

        Args:
            out_dir (str): The synthetic set's folder (created).
            num (int): Number of samples of the whole run.
            shard (int): This process's shard. Defaults to 0.
            num_shards (int): Number of shards. Defaults to 1.
            sources (Sequence[int], optional): Training sample recomposed
                by sample ``k`` (at least ``num``; e.g. from
                :func:`~mmseg_synaug.synthesis.hardness_allocation`).
                Defaults to None: ``permutation(seed)[k]``, cycled.

        Returns:
            dict: ``written``, ``dropped`` (by the filter), ``skipped``
            (already done) and timings in seconds.
        """
        if osp.exists(out_dir) and not osp.isdir(out_dir):
            raise DataError(
                f'The output folder `{out_dir}` is a file.',
                fix='Give --out a folder path (new or a synthetic set to '
                'resume).')
        for sub in ('images', 'labels'):
            os.makedirs(osp.join(out_dir, sub), exist_ok=True)
        manifest = osp.join(out_dir, MANIFEST)
        done = read_manifest(manifest)
        order = np.random.RandomState(self.seed).permutation(len(self.mix))
        if sources is not None:
            if len(sources) < num or not all(0 <= s < len(self.mix)
                                             for s in sources):
                raise DataError(
                    f'The {len(sources)} sources of the {num} samples are '
                    f'too few or not all training samples 0-'
                    f'{len(self.mix) - 1}.',
                    fix='Allocate the renderings for this dataset config '
                    'and --num.')
            order = np.asarray(sources)
        mine = [k for k in range(num) if k % num_shards == shard]
        todo = [k for k in mine if not self._finished(out_dir, done.get(k))]
        print(
            f'shard {shard}/{num_shards}: {len(mine)} samples, '
            f'{len(mine) - len(todo)} already done (resumed), '
            f'{len(todo)} to do',
            flush=True)
        stats = dict(
            written=0,
            dropped=0,
            skipped=len(mine) - len(todo),
            generate_seconds=0.0,
            loop_seconds=0.0,
            generate_cpu_seconds=0.0,
            loop_cpu_seconds=0.0)
        start, start_cpu = time.perf_counter(), time.process_time()
        for k in progress(todo, desc='synthesize', unit='img'):
            record = self._sample(out_dir, k, int(order[k % len(order)]),
                                  stats)
            append_line(manifest, record)
        stats['loop_seconds'] = time.perf_counter() - start
        stats['loop_cpu_seconds'] = time.process_time() - start_cpu
        print(
            f'written {stats["written"]}, dropped by the filter '
            f'{stats["dropped"]}, already done {stats["skipped"]}',
            flush=True)
        return stats

    def _sample(self, out_dir: str, k: int, source: int, stats: dict) -> dict:
        """Make, filter and write sample ``k``; return its manifest record."""
        seed = sample_seed(self.seed, k)
        np.random.seed(seed)
        torch.manual_seed(seed)
        results = self.mix[source]
        label = results['gt_seg_map']
        source_label = self.labels_only[source]['gt_seg_map']
        image = (
            results['img'] if self.copy_paste else self._render(label, stats))
        agreement = self._agreement(image, label)
        kept = agreement is None or agreement >= self.min_agreement
        name = f'{k:06d}'
        if kept:
            write_atomic(
                osp.join(out_dir, 'images', name + self.img_suffix), image)
            write_atomic(
                osp.join(out_dir, 'labels', name + '.png'),
                label.astype(np.uint8))
            stats['written'] += 1
        else:
            stats['dropped'] += 1
        recomposition = results.get('recomposition',
                                    dict(mode=self.mode, added=[]))
        return dict(
            index=k,
            name=name,
            img_suffix=self.img_suffix,
            kept=kept,
            source=results.get('img_path'),
            source_label=results.get('seg_map_path'),
            mode=recomposition['mode'],
            added=[
                dict(item, class_name=self.classes[item['cls']])
                for item in recomposition['added']
            ],
            seed=seed,
            run_seed=self.seed,
            copy_paste=self.copy_paste,
            agreement=agreement,
            min_agreement=(self.min_agreement
                           if self.segmentor is not None else None),
            source_class_pixels=class_pixels(source_label, self.num_classes),
            class_pixels=class_pixels(label, self.num_classes))
