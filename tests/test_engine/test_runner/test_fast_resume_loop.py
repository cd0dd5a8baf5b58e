"""FastResumeIterBasedTrainLoop: a resumed run trains on the same batches
as mmengine's resume (which loads and drops the skipped ones), without
loading them."""
from pathlib import Path
from typing import List

import pytest
from mmengine.config import Config
from mmengine.hooks import Hook
from mmengine.runner import Runner

REPO_ROOT = Path(__file__).resolve().parents[3]
CONFIG = REPO_ROOT / 'configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py'


class RecordBatches(Hook):
    """Records the image files of each trained batch."""

    def __init__(self) -> None:
        self.batches: List[List[str]] = []

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        self.batches.append(
            [Path(s.img_path).name for s in data_batch['data_samples']])


def _train(loop: str, work_dir: Path, max_iters: int, resume: bool,
           workers: int) -> List[List[str]]:
    cfg = Config.fromfile(str(CONFIG))
    cfg.merge_from_dict({
        'work_dir':
        str(work_dir),
        'train_cfg.type':
        loop,
        'train_cfg.max_iters':
        max_iters,
        'train_cfg.val_interval':
        1000,
        'train_dataloader.batch_size':
        2,
        'train_dataloader.num_workers':
        workers,
        'train_dataloader.persistent_workers':
        workers > 0,
        'train_dataloader.dataset.pipeline.3.crop_size': (32, 32),
        'model.data_preprocessor.size': (32, 32),
        'default_hooks.checkpoint.interval':
        3,
        'default_hooks.logger.interval':
        1,
        'resume':
        resume,
        'randomness.seed':
        0,
    })
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    recorder = RecordBatches()
    runner = Runner.from_cfg(cfg)
    runner.register_hook(recorder)
    runner.train()
    return recorder.batches


@pytest.mark.parametrize('workers', [2])
def test_resume_trains_the_batches_mmengine_would(workers, camvid_root,
                                                  tmp_path):
    # Uninterrupted: 6 iterations with mmengine's loop.
    full = _train('IterBasedTrainLoop', tmp_path / 'full', 6, False, workers)
    # Stopped after 3, resumed to 6 with each loop.
    _train('IterBasedTrainLoop', tmp_path / 'mm', 3, False, workers)
    mm = _train('IterBasedTrainLoop', tmp_path / 'mm', 6, True, workers)
    _train('FastResumeIterBasedTrainLoop', tmp_path / 'fast', 3, False,
           workers)
    fast = _train('FastResumeIterBasedTrainLoop', tmp_path / 'fast', 6, True,
                  workers)
    assert len(full) == 6 and len(fast) == 3
    # The same batches as mmengine's resume, which are those of the
    # uninterrupted run.
    assert fast == mm == full[3:]
    assert full[3:] != full[:3]


def test_resume_loads_only_the_new_batches(camvid_root, tmp_path, monkeypatch):
    """mmengine's resume loads every skipped sample; this loop none."""
    from mmseg_synaug.datasets import CamVidDataset
    loaded = []
    original = CamVidDataset.__getitem__

    def counting(self, idx):
        loaded.append(idx)
        return original(self, idx)

    monkeypatch.setattr(CamVidDataset, '__getitem__', counting)
    for loop in ('IterBasedTrainLoop', 'FastResumeIterBasedTrainLoop'):
        _train(loop, tmp_path / loop, 3, False, 0)
        loaded.clear()
        _train(loop, tmp_path / loop, 6, True, 0)
        # 3 new batches of 2, plus mmengine's 3 skipped batches
        expected = 6 if loop.startswith('Fast') else 12
        assert len(loaded) == expected, loop
