"""Mix real and synthetic samples at a chosen share."""
import copy
import os
import os.path as osp
from typing import Union

from mmengine.dataset import BaseDataset
from mmseg.registry import DATASETS

from ..utils import DataError

_SYNTHESIZE_FIX = (
    'Write the synthetic set with `python tools/synthesize.py GEN_CONFIG '
    'GEN.pth DATASET_CONFIG --out DIR --num N --mode multi` (see its '
    'docstring), or point the config at an existing one: --cfg-options '
    'train_dataloader.dataset.synthetic.data_root=DIR.')


def check_synthetic_root(synthetic: dict) -> None:
    """Refuse a synthetic dataset config whose folders are missing or empty.

    Checked before the dataset is built, so that the message names
    tools/synthesize.py and ``synthetic.data_root`` rather than the real
    dataset's converter.

    Args:
        synthetic (dict): The synthetic dataset's config.
    """
    root = synthetic.get('data_root')
    if root is None:
        return
    prefix = synthetic.get('data_prefix') or {}
    folders = [osp.join(root, sub) for sub in prefix.values()] or [root]
    missing = [path for path in folders if not osp.isdir(path)]
    if missing and osp.isdir(root) and all(
            osp.basename(path).startswith('labels_filtered_m')
            for path in missing):
        raise DataError(
            f'The synthetic set `{root}` has no filtered label maps '
            f'{missing}.',
            fix='Write them with `python tools/filter_synthetic.py '
            f'SEG_CONFIG SEG.pth {root} --margin M` (M as in the folder '
            'name; configs/synaug/README.md).')
    if missing:
        raise DataError(
            f'The synthetic set `{root}` (synthetic.data_root of '
            f'SyntheticMixDataset) does not exist or lacks {missing}.',
            fix=_SYNTHESIZE_FIX)
    with os.scandir(folders[0]) as entries:
        empty = not any(entries)
    if empty:
        raise DataError(
            f'The synthetic set `{root}` (synthetic.data_root of '
            f'SyntheticMixDataset) is empty: `{folders[0]}` holds no file.',
            fix=_SYNTHESIZE_FIX)


@DATASETS.register_module()
class SyntheticMixDataset:
    """A real and a synthetic dataset mixed so that a share is synthetic.

    Every real sample appears once per epoch, followed by
    ``round(len(real) * r / (1 - r))`` synthetic ones (cycled if the
    synthetic set is smaller), so a shuffled epoch holds a share ``r`` of
    synthetic samples. ``r = 1`` uses only the synthetic set and ``r = 0``
    only the real one: the paper's schedule, pretraining on synthetic data
    and then fine-tuning on real data, is two configs (the second with
    ``load_from`` the first's checkpoint). Each packed sample's data sample
    carries ``is_synthetic`` in its metainfo.

    Args:
        real (dict or BaseDataset): The real dataset or its config.
        synthetic (dict or BaseDataset): The synthetic dataset or its
            config, with the same classes.
        synthetic_ratio (float): Share r of synthetic samples, in [0, 1].
            Defaults to 0.5.
        lazy_init (bool): Defer loading the annotation lists.
            Defaults to False.
    """

    def __init__(self,
                 real: Union[dict, BaseDataset],
                 synthetic: Union[dict, BaseDataset],
                 synthetic_ratio: float = 0.5,
                 lazy_init: bool = False) -> None:
        if not 0 <= synthetic_ratio <= 1:
            raise DataError(
                f'synthetic_ratio must be in [0, 1], got {synthetic_ratio}.',
                fix='Use e.g. 0.5 for half synthetic samples.')
        self.real = DATASETS.build(real) if isinstance(real, dict) else real
        if isinstance(synthetic, dict):
            check_synthetic_root(synthetic)
        self.synthetic = (
            DATASETS.build(synthetic)
            if isinstance(synthetic, dict) else synthetic)
        self.synthetic_ratio = synthetic_ratio
        real_classes = self.real.metainfo.get('classes')
        synthetic_classes = self.synthetic.metainfo.get('classes')
        if real_classes != synthetic_classes:
            raise DataError(
                f'The real dataset has classes {real_classes}, the synthetic '
                f'one {synthetic_classes}.',
                fix='Give the synthetic dataset the real one\'s type or '
                'metainfo.')
        self._fully_initialized = False
        if not lazy_init:
            self.full_init()

    @property
    def metainfo(self) -> dict:
        """A copy of the real dataset's metainfo."""
        return copy.deepcopy(self.real.metainfo)

    def full_init(self) -> None:
        """Load both datasets' annotation lists and fix the mix."""
        if self._fully_initialized:
            return
        self.real.full_init()
        self.synthetic.full_init()
        r = self.synthetic_ratio
        if r == 1:
            self.num_real, self.num_synthetic = 0, len(self.synthetic)
        else:
            self.num_real = len(self.real)
            self.num_synthetic = round(self.num_real * r / (1 - r))
        if self.num_synthetic and not len(self.synthetic):
            raise DataError(
                'The synthetic dataset is empty.', fix=_SYNTHESIZE_FIX)
        self._fully_initialized = True

    def __len__(self) -> int:
        self.full_init()
        return self.num_real + self.num_synthetic

    def is_synthetic(self, idx: int) -> bool:
        """Whether sample ``idx`` comes from the synthetic dataset."""
        return idx >= self.num_real

    def get_data_info(self, idx: int) -> dict:
        self.full_init()
        if self.is_synthetic(idx):
            info = self.synthetic.get_data_info(
                (idx - self.num_real) % len(self.synthetic))
        else:
            info = self.real.get_data_info(idx)
        return dict(info, is_synthetic=self.is_synthetic(idx))

    def __getitem__(self, idx: int) -> dict:
        self.full_init()
        if self.is_synthetic(idx):
            data = self.synthetic[(idx - self.num_real) % len(self.synthetic)]
        else:
            data = self.real[idx]
        data_sample = data.get('data_samples') if isinstance(data,
                                                             dict) else None
        if data_sample is not None:
            data_sample.set_metainfo(dict(is_synthetic=self.is_synthetic(idx)))
        return data
