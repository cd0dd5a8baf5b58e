"""pix2pixHD without mmagic.models and numpy.bool8, and its synthesis score.

The chain runs in subprocesses that look like the GPU kit's machine:
importing ``mmagic.models`` raises and ``numpy.bool8`` does not exist
(tests/test_tools/block_imports/sitecustomize.py). A tiny generator trains
a few iterations through tools/train.py, and
tools/analysis_tools/synthesis_score.py reloads its checkpoint,
synthesizes images from CamVid val label maps and scores them with the
untrained PSPNet of the ``segmentor_checkpoint`` fixture. The scores are
then recomputed here, independently, with mmseg's inference API.
"""
import json

import cv2
import numpy as np
import pytest
import torch
from blocked_env import REPO_ROOT, run_blocked

from helpers.pix2pixhd_tiny_config import tiny_generator_config

SEG_CONFIG = REPO_ROOT / 'configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py'
NUM = 2


@pytest.fixture(scope='module')
def scored(camvid_root, segmentor_checkpoint, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp('synthesis_score')
    log = tmp_path / 'blocked_imports.txt'
    config = tiny_generator_config(tmp_path, iters=4)
    work_dir = tmp_path / 'work'
    trained = run_blocked(
        ['tools/train.py', config, '--work-dir',
         str(work_dir)], log)
    out = tmp_path / 'score.json'
    scoring = run_blocked([
        'tools/analysis_tools/synthesis_score.py', config,
        str(work_dir / 'iter_4.pth'),
        str(SEG_CONFIG), segmentor_checkpoint, '--out',
        str(out), '--num',
        str(NUM)
    ], log)
    return dict(
        config=config,
        checkpoint=str(work_dir / 'iter_4.pth'),
        train_log=trained.stdout,
        score_log=scoring.stdout,
        blocked=log.read_text() if log.exists() else '',
        result=json.loads(out.read_text()))


def test_environment_is_blocked(tmp_path):
    """The stand-in for numpy 2 / no mmagic.models really blocks them."""
    log = tmp_path / 'log.txt'
    result = run_blocked([
        '-c', 'import numpy, importlib\n'
        "print('bool8', hasattr(numpy, 'bool8'))\n"
        'try:\n'
        "    importlib.import_module('mmagic.models')\n"
        'except ImportError as e:\n'
        "    print('blocked', e)\n"
    ], log)
    assert 'bool8 False' in result.stdout
    assert 'blocked mmagic.models' in result.stdout


def test_trains_and_reloads_without_mmagic_models(scored):
    lines = {
        i: line
        for line in scored['train_log'].splitlines()
        for i in range(1, 5) if f'Iter(train) [{i}/4]' in line
    }
    assert set(lines) == {1, 2, 3, 4}
    assert 'loss_gan_g' in lines[4] and 'loss_feat' in lines[4]
    # nothing on the project's path even tried to import mmagic.models
    assert scored['blocked'] == ''
    # lr constant for the first half, then linearly to 0 at the last step
    assert 'lr: 2.0000e-04' in lines[1] and 'lr: 2.0000e-04' in lines[3]
    assert 'lr: 0.0000e+00' in lines[4]


def test_json_holds_both_scores_per_class(scored):
    result = scored['result']
    classes = result['classes']
    assert len(classes) == 11 and result['num_images'] == NUM
    for name in ('synthetic', 'real'):
        scores = result[name]
        assert set(scores['IoU']) == set(classes)
        assert 0 <= scores['mIoU'] <= 100
        for key in ('aAcc', 'mAcc', 'fwIoU'):
            assert 0 <= scores[key] <= 100
    assert 'synthesis score: mIoU' in scored['score_log']


def _label(path: str) -> np.ndarray:
    label = cv2.imread(path, cv2.IMREAD_UNCHANGED).astype(np.int64)
    label[label >= 11] = 255  # CamVid void 11 -> ignore
    return label


def _iou(preds, labels, num_classes=11):
    inter = np.zeros(num_classes)
    union = np.zeros(num_classes)
    for pred, label in zip(preds, labels):
        valid = label != 255
        for c in range(num_classes):
            p, t = (pred == c) & valid, (label == c) & valid
            inter[c] += (p & t).sum()
            union[c] += (p | t).sum()
    with np.errstate(invalid='ignore', divide='ignore'):
        return inter / union * 100


def test_scores_are_computed_from_real_outputs(scored, camvid_root,
                                               segmentor_checkpoint):
    """Recompute both scores with mmseg's inference API."""
    from mmengine.registry import init_default_scope
    from mmengine.runner import load_checkpoint
    from mmseg.apis import inference_model, init_model
    from mmseg.registry import MODELS

    from mmseg_synaug.datasets import CamVidDataset
    segmentor = init_model(str(SEG_CONFIG), segmentor_checkpoint, 'cpu')
    # images as arrays (mmseg then loads them with LoadImageFromNDArray),
    # no label loading at inference
    segmentor.cfg.test_pipeline = [
        step for step in segmentor.cfg.test_pipeline
        if 'Annotations' not in step['type']
    ]
    init_default_scope('mmseg')
    from mmengine.config import Config
    generator = MODELS.build(Config.fromfile(scored['config']).model)
    load_checkpoint(generator, scored['checkpoint'], strict=True)
    dataset = CamVidDataset(
        data_root=camvid_root,
        data_prefix=dict(img_path='val', seg_map_path='valannot'),
        indices=NUM,
        pipeline=[])
    labels, real_preds, fake_preds = [], [], []
    for i in range(NUM):
        info = dataset.get_data_info(i)
        label = _label(info['seg_map_path'])
        labels.append(label)
        real = cv2.imread(info['img_path'], cv2.IMREAD_COLOR)
        real_preds.append(
            inference_model(segmentor, real).pred_sem_seg.data[0].numpy())
        fake = generator.synthesize(torch.from_numpy(label)[None])[0]
        bgr = (fake.clamp(0, 1) * 255).round().byte().permute(
            1, 2, 0).numpy()[:, :, ::-1].copy()
        fake_preds.append(
            inference_model(segmentor, bgr).pred_sem_seg.data[0].numpy())
    result = scored['result']
    classes = result['classes']
    for name, preds in (('real', real_preds), ('synthetic', fake_preds)):
        expected = _iou(preds, labels)
        got = np.array([
            np.nan
            if result[name]['IoU'][c] is None else result[name]['IoU'][c]
            for c in classes
        ])
        np.testing.assert_allclose(got, expected, atol=0.01)
        assert result[name]['mIoU'] == pytest.approx(
            np.nanmean(expected), abs=0.01)
