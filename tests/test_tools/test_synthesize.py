"""tools/synthesize.py on a few CamVid samples, run in-process."""
import json
import os
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from mmagic.registry import MODELS
from mmengine.config import Config
from mmseg.registry import MODELS as SEG_MODELS

from conftest import BASELINE
from pix2pixhd_tiny_config import load_tool, tiny_generator_config
from mmseg_synaug.datasets import CamVidDataset

# CamVid train pixel shares (../shared/data/README.md), class order.
FREQUENCY = [.169, .233, .0098, .317, .045, .097, .0117, .0113, .059, .0064,
             .0029]


@pytest.fixture(scope='module')
def setup(camvid_root, tmp_path_factory):
    """A random-weight generator checkpoint and small dataset configs."""
    tmp_path = tmp_path_factory.mktemp('synthesize')
    gen_config = tiny_generator_config(tmp_path)
    cfg = Config.fromfile(gen_config)
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    gen_ckpt = str(tmp_path / 'gen.pth')
    torch.save(dict(meta={}, state_dict=model.state_dict()), gen_ckpt)
    base = Path(__file__).resolve().parents[2] / \
        'configs/_base_/datasets/camvid.py'
    data_config = tmp_path / 'camvid_12.py'
    data_config.write_text(f"""
_base_ = ['{base}']
train_dataloader = dict(dataset=dict(data_root='{camvid_root}', indices=12))
label_recomposition = dict(class_frequency={FREQUENCY}, min_segment_size=50)
""")
    counted_config = tmp_path / 'camvid_12_counted.py'
    counted_config.write_text(f"""
_base_ = ['{base}']
train_dataloader = dict(dataset=dict(data_root='{camvid_root}', indices=12))
""")
    return dict(
        tmp=tmp_path,
        gen=[gen_config, gen_ckpt],
        data=str(data_config),
        counted=str(counted_config),
        tool=load_tool('synthesize'))


def synthesize(setup, out, *extra, gen=None, data=None):
    tool = setup['tool']
    args = tool.parse_args((gen or setup['gen']) + [
        data or setup['data'], '--out',
        str(out), '--num', '4', '--mode', 'multi', '--seed', '3',
        '--device', 'cpu'
    ] + list(extra))
    return tool.run(args)


def manifest(out):
    with open(out / 'manifest.jsonl') as f:
        return [json.loads(line) for line in f]


@pytest.fixture(scope='module')
def first(setup):
    out = setup['tmp'] / 'first'
    return out, synthesize(setup, out)


def test_writes_mmseg_dataset_and_manifest(first, capsys):
    out, stats = first
    assert stats['written'] == 4 and stats['skipped'] == 0
    names = [f'{k:06d}.png' for k in range(4)]
    assert sorted(os.listdir(out / 'images')) == names
    assert sorted(os.listdir(out / 'labels')) == names
    records = manifest(out)
    assert [r['index'] for r in records] == [0, 1, 2, 3]
    for record in records:
        assert record['mode'] == 'multi' and record['kept']
        assert record['source'].endswith('.png') and record['run_seed'] == 3
        assert record['added'] and all(
            a['class_name'] and a['pixels'] > 0 for a in record['added'])
        label = cv2.imread(str(out / 'labels' / (record['name'] + '.png')),
                           cv2.IMREAD_UNCHANGED)
        assert record['class_pixels'] == np.bincount(
            label[label < 11], minlength=11).tolist()
    dataset = CamVidDataset(
        data_root=str(out),
        data_prefix=dict(img_path='images', seg_map_path='labels'),
        pipeline=[
            dict(type='LoadCheckedImage'),
            dict(type='LoadCheckedAnnotations', num_classes=11)
        ])
    assert len(dataset) == 4
    sample = dataset[0]
    assert sample['img'].shape == (360, 480, 3)
    assert sample['gt_seg_map'].shape == (360, 480)
    assert (out / 'class_distribution.png').is_file()


def test_second_run_resumes_without_rewriting(first, setup, capsys):
    out, _ = first
    mtimes = {p: p.stat().st_mtime_ns for p in out.glob('*/*.png')}
    stats = synthesize(setup, out)
    assert stats == dict(stats, written=0, skipped=4)
    assert '4 already done (resumed), 0 to do' in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in out.glob('*/*.png')} == mtimes
    assert len(manifest(out)) == 4


def test_interrupted_sample_is_redone(setup):
    out = setup['tmp'] / 'interrupted'
    synthesize(setup, out, '--num', '2')
    label_1 = cv2.imread(str(out / 'labels' / '000001.png'),
                         cv2.IMREAD_UNCHANGED)
    # as if killed after the image of sample 1, before its label/manifest
    lines = (out / 'manifest.jsonl').read_text().splitlines(True)
    (out / 'manifest.jsonl').write_text(''.join(lines[:1]))
    os.remove(out / 'labels' / '000001.png')
    (out / 'labels' / '.000001.png.tmp.png').write_bytes(b'half')
    stats = synthesize(setup, out, '--num', '2')
    assert stats['written'] == 1 and stats['skipped'] == 1
    assert [r['index'] for r in manifest(out)] == [0, 1]
    redone = cv2.imread(str(out / 'labels' / '000001.png'),
                        cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(redone, label_1)  # same seed, same map
    assert not list(out.glob('*/.*.tmp.png'))


def test_shards_split_the_work(first, setup):
    out = setup['tmp'] / 'shards'
    stats = [
        synthesize(setup, out, '--shard', str(i), '--num-shards', '2')
        for i in range(2)
    ]
    assert [s['written'] for s in stats] == [2, 2]
    records = manifest(out)
    assert [r['index'] for r in records] == [0, 2, 1, 3]
    for k in range(4):  # the same samples as the unsharded run
        name = f'labels/{k:06d}.png'
        np.testing.assert_array_equal(
            cv2.imread(str(out / name), cv2.IMREAD_UNCHANGED),
            cv2.imread(str(first[0] / name), cv2.IMREAD_UNCHANGED))


def test_copy_paste_same_labels_real_pixels(first, setup, camvid_root):
    out = setup['tmp'] / 'copy_paste'
    stats = synthesize(setup, out, '--copy-paste', gen=['none', 'none'])
    assert stats['written'] == 4
    records = manifest(out)
    assert all(r['copy_paste'] for r in records)
    for record in records:
        name = record['name'] + '.png'
        np.testing.assert_array_equal(
            cv2.imread(str(out / 'labels' / name), cv2.IMREAD_UNCHANGED),
            cv2.imread(str(first[0] / 'labels' / name),
                       cv2.IMREAD_UNCHANGED))
        image = cv2.imread(str(out / 'images' / name))
        source = cv2.imread(record['source'])
        # real pixels: mostly the source image, with pasted segments
        assert (image == source).all(-1).mean() > 0.5
        assert (image != source).any()


def test_class_frequency_counted_when_not_configured(setup, capsys):
    out = setup['tmp'] / 'counted'
    synthesize(setup, out, '--num', '1', data=setup['counted'])
    printed = capsys.readouterr().out
    assert '| Pole ' in printed and 'before %' in printed
    assert len(manifest(out)) == 1


def test_quality_filter(setup):
    # a random-weight PSPNet checkpoint stands in for a trained segmentor
    seg_cfg = Config.fromfile(str(BASELINE))
    seg_cfg.model.data_preprocessor.pop('size', None)
    # a small inference scale keeps the test fast; predictions are resized
    # back to the label size by mmseg
    seg_cfg.test_pipeline[1].scale = (120, 90)
    seg_config = str(setup['tmp'] / 'seg.py')
    seg_cfg.dump(seg_config)
    segmentor = SEG_MODELS.build(seg_cfg.model)
    seg_ckpt = str(setup['tmp'] / 'seg.pth')
    torch.save(dict(meta={}, state_dict=segmentor.state_dict()), seg_ckpt)
    keep = setup['tmp'] / 'filter_keep'
    stats = synthesize(setup, keep, '--num', '1', '--filter-config',
                       seg_config, '--filter-checkpoint', seg_ckpt,
                       '--min-agreement', '0')
    assert stats['written'] == 1
    for record in manifest(keep):
        assert 0 <= record['agreement'] <= 1 and record['kept']
        assert record['min_agreement'] == 0
    drop = setup['tmp'] / 'filter_drop'
    stats = synthesize(setup, drop, '--num', '2', '--filter-config',
                       seg_config, '--filter-checkpoint', seg_ckpt,
                       '--min-agreement', '1.01')
    assert stats['dropped'] == 2 and stats['written'] == 0
    assert not any(r['kept'] for r in manifest(drop))
    assert not list(drop.glob('*/*.png'))
