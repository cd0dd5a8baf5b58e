"""The synthesis pipeline (mmseg_synaug.synthesis) and tools/synthesize.py
on a few CamVid samples."""
import json
import os
import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest
import torch
from failing_tool import run_failing_tool
from mmagic.registry import MODELS
from mmengine.config import Config
from mmseg.registry import MODELS as SEG_MODELS

from helpers import BASELINE, REPO_ROOT, run_tool
from helpers.pix2pixhd_tiny_config import tiny_generator_config
from mmseg_synaug.datasets import CamVidDataset
from mmseg_synaug.synthesis import (SyntheticDatasetWriter, class_distribution,
                                    load_filter_segmentor, load_generator)

# CamVid train pixel shares (../shared/data/README.md), class order.
FREQUENCY = [
    .169, .233, .0098, .317, .045, .097, .0117, .0113, .059, .0064, .0029
]


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
        generator=load_generator(gen_config, gen_ckpt, 'cpu'))


def synthesize(setup, out, num=4, shard=0, num_shards=1, data=None, **kwargs):
    """Run the package's pipeline as tools/synthesize.py does."""
    if not kwargs.get('copy_paste'):
        kwargs.setdefault('generator', setup['generator'])
    synthesizer = SyntheticDatasetWriter(
        data or setup['data'], mode='multi', seed=3, **kwargs)
    stats = synthesizer.run(str(out), num, shard, num_shards)
    stats['table'] = class_distribution(str(out), synthesizer.classes)
    return stats


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
        assert record['added'] and all(a['class_name'] and a['pixels'] > 0
                                       for a in record['added'])
        label = cv2.imread(
            str(out / 'labels' / (record['name'] + '.png')),
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
    assert stats['written'] == 0 and stats['skipped'] == 4
    assert '4 already done (resumed), 0 to do' in capsys.readouterr().out
    assert {p: p.stat().st_mtime_ns for p in out.glob('*/*.png')} == mtimes
    assert len(manifest(out)) == 4


def test_interrupted_sample_is_redone(setup):
    out = setup['tmp'] / 'interrupted'
    synthesize(setup, out, num=2)
    label_1 = cv2.imread(
        str(out / 'labels' / '000001.png'), cv2.IMREAD_UNCHANGED)
    # as if killed after the image of sample 1, before its label/manifest
    lines = (out / 'manifest.jsonl').read_text().splitlines(True)
    (out / 'manifest.jsonl').write_text(''.join(lines[:1]))
    os.remove(out / 'labels' / '000001.png')
    (out / 'labels' / '.000001.png.tmp.png').write_bytes(b'half')
    stats = synthesize(setup, out, num=2)
    assert stats['written'] == 1 and stats['skipped'] == 1
    assert [r['index'] for r in manifest(out)] == [0, 1]
    redone = cv2.imread(
        str(out / 'labels' / '000001.png'), cv2.IMREAD_UNCHANGED)
    np.testing.assert_array_equal(redone, label_1)  # same seed, same map
    assert not list(out.glob('*/.*.tmp.png'))


def test_shards_split_the_work(first, setup):
    out = setup['tmp'] / 'shards'
    stats = [synthesize(setup, out, shard=i, num_shards=2) for i in range(2)]
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
    stats = synthesize(setup, out, copy_paste=True)
    assert stats['written'] == 4
    records = manifest(out)
    assert all(r['copy_paste'] for r in records)
    for record in records:
        name = record['name'] + '.png'
        np.testing.assert_array_equal(
            cv2.imread(str(out / 'labels' / name), cv2.IMREAD_UNCHANGED),
            cv2.imread(str(first[0] / 'labels' / name), cv2.IMREAD_UNCHANGED))
        image = cv2.imread(str(out / 'images' / name))
        source = cv2.imread(record['source'])
        # real pixels: mostly the source image, with pasted segments
        assert (image == source).all(-1).mean() > 0.5
        assert (image != source).any()


def test_class_frequency_counted_when_not_configured(setup):
    out = setup['tmp'] / 'counted'
    table = synthesize(setup, out, num=1, data=setup['counted'])['table']
    assert '| Pole ' in table and 'before %' in table
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
    filter_segmentor = load_filter_segmentor(seg_config, seg_ckpt, 'cpu')
    stats = synthesize(
        setup, keep, num=1, segmentor=filter_segmentor, min_agreement=0)
    assert stats['written'] == 1
    for record in manifest(keep):
        assert 0 <= record['agreement'] <= 1 and record['kept']
        assert record['min_agreement'] == 0
    drop = setup['tmp'] / 'filter_drop'
    stats = synthesize(
        setup, drop, num=2, segmentor=filter_segmentor, min_agreement=1.01)
    assert stats['dropped'] == 2 and stats['written'] == 0
    assert not any(r['kept'] for r in manifest(drop))
    assert not list(drop.glob('*/*.png'))


def test_tool_copy_paste_as_jpeg(setup, camvid_root):
    """The command line; a JPEG set reads back with img_suffix='.jpg'."""
    out = setup['tmp'] / 'tool_jpeg'
    result = run_tool([
        'tools/synthesize.py', 'none', 'none', setup['data'], '--out',
        str(out), '--num', '2', '--mode', 'multi', '--copy-paste',
        '--img-suffix', '.jpg', '--device', 'cpu'
    ])
    assert 'written 2' in result.stdout and '| Pole ' in result.stdout
    assert sorted(os.listdir(out / 'images')) == ['000000.jpg', '000001.jpg']
    dataset = CamVidDataset(
        data_root=str(out),
        data_prefix=dict(img_path='images', seg_map_path='labels'),
        img_suffix='.jpg',
        pipeline=[dict(type='LoadCheckedImage')])
    assert dataset[1]['img'].shape == (360, 480, 3)


def synthesize_shards(setup, out, shards):
    """Start ``tools/synthesize.py`` shards at once; their outputs."""
    env = dict(os.environ, PYTHONUNBUFFERED='1', OMP_NUM_THREADS='1')
    procs = [
        subprocess.Popen([
            sys.executable, 'tools/synthesize.py', 'none', 'none',
            setup['data'], '--out',
            str(out), '--num', '4', '--mode', 'multi', '--copy-paste',
            '--shard',
            str(shard), '--num-shards', '2', '--device', 'cpu'
        ],
                         cwd=REPO_ROOT,
                         env=env,
                         stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT,
                         text=True) for shard in shards
    ]
    outputs = [proc.communicate(timeout=600)[0] for proc in procs]
    for proc, output in zip(procs, outputs):
        assert proc.returncode == 0, output[-4000:]
    return outputs


def test_tool_shards_tabulate_the_whole_set_once_complete(setup):
    """A shard that finishes first leaves the table to the last one; shards
    finishing together do not trip over each other's plot."""
    out = setup['tmp'] / 'tool_shards'
    first, = synthesize_shards(setup, out, [0])
    assert '2 samples of other shards still to come' in first
    assert '| Pole ' not in first
    assert not (out / 'class_distribution.png').exists()
    last, = synthesize_shards(setup, out, [1])
    assert 'Class distribution of 4 kept samples' in last

    together = setup['tmp'] / 'tool_shards_together'
    outputs = synthesize_shards(setup, together, [0, 1])
    tables = [o for o in outputs if 'Class distribution of 4 kept' in o]
    assert tables, outputs
    for output in outputs:
        assert output in tables or 'finishes last' in output
    assert (together / 'class_distribution.png').is_file()
    assert not list(together.glob('.class_distribution*'))


def test_tool_out_is_a_file(setup, tmp_path):
    out = tmp_path / 'a_file'
    out.write_text('')
    output = run_failing_tool([
        'tools/synthesize.py', 'none', 'none', setup['data'], '--out', out,
        '--num', '1', '--copy-paste'
    ])
    assert f'--out `{out}` is a file' in output
    assert 'NotADirectoryError' not in output


def test_tool_missing_generator_checkpoint(setup, tmp_path):
    output = run_failing_tool([
        'tools/synthesize.py', setup['gen'][0], tmp_path / 'none.pth',
        setup['data'], '--out', tmp_path / 'out', '--num', '1'
    ])
    assert f'`{tmp_path}/none.pth` does not exist' in output
    assert 'tools/train.py' in output
