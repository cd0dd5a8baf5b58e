"""Loss-based filtering of synthetic pixels (tools/filter_synthetic.py)
and the two-phase schedule that trains on the filtered set, on a tiny
copy-paste set of real CamVid samples.

The filtered maps are checked against the margin rule computed here with
numpy from the segmentor's logits; the real class losses against the same
computation on the real images.
"""
import json
import subprocess
import sys

import cv2
import numpy as np
import pytest
import torch
from mmengine.config import Config

from helpers import BASELINE, REPO_ROOT, run_tool
from mmseg_synaug.datasets import CamVidDataset
from mmseg_synaug.synthesis import load_filter_segmentor

MARGIN = 1.0
FOLDER = 'labels_filtered_m1'
NUM_REAL = 2
NUM = 2
# CamVid train pixel shares (../shared/data/README.md), class order.
FREQUENCY = [
    .169, .233, .0098, .317, .045, .097, .0117, .0113, .059, .0064, .0029
]


def run_failing(args):
    """Run a tool that must fail; its exit status and output."""
    result = subprocess.run(
        [sys.executable] + args,
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600)
    return result.returncode, result.stdout


@pytest.fixture(scope='module')
def synthetic_set(camvid_root, tmp_path_factory):
    """Two copy-paste samples written by tools/synthesize.py."""
    tmp = tmp_path_factory.mktemp('filter_synthetic')
    data_config = tmp / 'camvid_6.py'
    data_config.write_text(f"""
_base_ = ['{REPO_ROOT / 'configs/_base_/datasets/camvid.py'}']
train_dataloader = dict(dataset=dict(data_root='{camvid_root}', indices=6))
label_recomposition = dict(class_frequency={FREQUENCY}, min_segment_size=50)
""")
    out = tmp / 'set'
    run_tool([
        'tools/synthesize.py', 'none', 'none',
        str(data_config), '--out',
        str(out), '--num',
        str(NUM), '--mode', 'multi', '--copy-paste', '--device', 'cpu'
    ])
    return tmp, out


@pytest.fixture(scope='module')
def confident_checkpoint(synthetic_set, segmentor_checkpoint):
    """The untrained PSPNet with its classifier scaled by 100.

    Untrained, its logits hardly differ (std 0.03): every pixel's loss is
    close to log(11) and to its class's mean. Scaled, they spread over
    several units, so that the margin rule has pixels well on both sides
    of each threshold.
    """
    tmp, _ = synthetic_set
    checkpoint = torch.load(
        segmentor_checkpoint, map_location='cpu', weights_only=False)
    for key in ('decode_head.conv_seg.weight', 'decode_head.conv_seg.bias'):
        checkpoint['state_dict'][key] *= 100
    path = tmp / 'pspnet_confident.pth'
    torch.save(checkpoint, path)
    return str(path)


@pytest.fixture(scope='module')
def filtered(synthetic_set, confident_checkpoint):
    tmp, out = synthetic_set
    args = [
        'tools/filter_synthetic.py',
        str(BASELINE), confident_checkpoint,
        str(out), '--margin',
        str(MARGIN), '--num-real',
        str(NUM_REAL), '--device', 'cpu'
    ]
    first = run_tool(args)
    mtimes = {p: p.stat().st_mtime_ns for p in (out / FOLDER).glob('*.png')}
    second = run_tool(args)
    return dict(
        out=out, first=first.stdout, second=second.stdout, mtimes=mtimes)


def numpy_cross_entropy(logits: np.ndarray, label: np.ndarray) -> np.ndarray:
    """Per-pixel cross-entropy, NaN where the label is 255."""
    logits = logits.astype(np.float64)
    top = logits.max(0)
    lse = top + np.log(np.exp(logits - top).sum(0))
    picked = np.take_along_axis(logits,
                                np.where(label == 255, 0, label)[None], 0)[0]
    return np.where(label == 255, np.nan, lse - picked)


def logits_of(model, image: np.ndarray) -> np.ndarray:
    from mmseg.apis import inference_model
    with torch.no_grad():
        return inference_model(model, image).seg_logits.data.numpy()


def real_losses(model, camvid_root):
    """(label, per-pixel loss) of each of the first NUM_REAL real training
    images, computed here with numpy."""
    real = CamVidDataset(
        data_root=camvid_root,
        data_prefix=dict(img_path='train', seg_map_path='trainannot'),
        indices=NUM_REAL)
    for i in range(NUM_REAL):
        info = real.get_data_info(i)
        label = cv2.imread(info['seg_map_path'], cv2.IMREAD_UNCHANGED)
        label = np.where(label == 11, 255, label)  # CamVid void
        yield label, numpy_cross_entropy(
            logits_of(model, cv2.imread(info['img_path'])), label)


def test_filtered_maps_follow_the_margin_rule(filtered, camvid_root,
                                              confident_checkpoint):
    out = filtered['out']
    summary = json.loads((out / f'{FOLDER}.json').read_text())
    model = load_filter_segmentor(str(BASELINE), confident_checkpoint)
    # the real reference: mean loss of each class on the first real images
    sums, counts = np.zeros(11), np.zeros(11)
    for label, loss in real_losses(model, camvid_root):
        valid = label != 255
        np.add.at(sums, label[valid], loss[valid])
        np.add.at(counts, label[valid], 1)
    assert summary['num_real_images'] == NUM_REAL
    assert summary['real_class_pixels'] == counts.astype(int).tolist()
    for i in range(11):
        if counts[i]:
            assert summary['class_loss'][i] == pytest.approx(
                sums[i] / counts[i], rel=1e-4)
        else:
            assert summary['class_loss'][i] is None
    threshold = np.array(
        [np.inf if c is None else MARGIN * c for c in summary['class_loss']])
    ignored_total = labelled_total = 0
    for k in range(NUM):
        name = f'{k:06d}.png'
        label = cv2.imread(str(out / 'labels' / name), cv2.IMREAD_UNCHANGED)
        kept = cv2.imread(str(out / FOLDER / name), cv2.IMREAD_UNCHANGED)
        loss = numpy_cross_entropy(
            logits_of(model, cv2.imread(str(out / 'images' / name))), label)
        valid = label != 255
        limit = threshold[np.where(valid, label, 0)]
        expected = valid & (loss > limit)
        # the tool ran in another process (another thread count): only
        # pixels within float noise of their threshold may differ
        near = valid & (np.abs(loss - limit) < 1e-5 * limit)
        assert near.sum() <= 1e-3 * valid.sum()
        dropped = valid & (kept == 255)
        np.testing.assert_array_equal(dropped[~near], expected[~near])
        np.testing.assert_array_equal(kept[valid & ~dropped],
                                      label[valid & ~dropped])
        assert (kept[~valid] == 255).all()
        ignored_total += dropped.sum()
        labelled_total += valid.sum()
    # margin 1 on an untrained segmentor: some pixels go, some stay
    assert 0 < ignored_total < labelled_total
    assert summary['ignored_share_all'] == pytest.approx(
        100 * ignored_total / labelled_total, abs=0.01)
    table = (out / f'{FOLDER}.md').read_text()
    assert '| Pole |' in table and 'ignored %' in table
    assert 'Synthesis score' in filtered['first']
    # progress in a log: whole lines, no bar redrawn with carriage returns
    assert f'filter: {NUM}/{NUM} img (' in filtered['first']
    assert '\r' not in filtered['first']
    for when in ('before', 'after'):
        assert 0 <= summary[f'score_{when}']['mIoU'] <= 100


def numpy_boundary_band(label: np.ndarray, width: int) -> np.ndarray:
    """Pixels whose (2 width + 1)^2 neighbourhood (clipped at the image's
    edge) holds a value other than their own."""
    padded = np.pad(label, width, mode='edge')
    band = np.zeros(label.shape, bool)
    height, wide = label.shape
    for dy in range(2 * width + 1):
        for dx in range(2 * width + 1):
            band |= padded[dy:dy + height, dx:dx + wide] != label
    return band


def test_report_counts_the_ignored_pixels_near_boundaries(filtered):
    """The report's boundary band, against a direct numpy count."""
    out = filtered['out']
    band = json.loads((out / f'{FOLDER}.json').read_text())['boundary']
    width = band['width']
    pixels, ignored = np.zeros(11, int), np.zeros(11, int)
    for k in range(NUM):
        name = f'{k:06d}.png'
        label = cv2.imread(str(out / 'labels' / name), cv2.IMREAD_UNCHANGED)
        kept = cv2.imread(str(out / FOLDER / name), cv2.IMREAD_UNCHANGED)
        near = numpy_boundary_band(label, width) & (label != 255)
        np.add.at(pixels, label[near], 1)
        np.add.at(ignored, label[near & (kept == 255)], 1)
    assert band['pixels'] == pixels.tolist()
    assert band['ignored'] == ignored.tolist()
    assert 0 < ignored.sum() < pixels.sum()
    table = (out / f'{FOLDER}.md').read_text()
    assert f'within {width} px of a boundary %' in table
    assert f'of the ignored pixels lie within {width} pixels' in table


def cell(value) -> str:
    return '-' if value is None else f'{value:.4f}'


def test_boundary_aware_filter_compares_band_and_inside_apart(
        synthetic_set, confident_checkpoint, camvid_root):
    """--boundary-aware: a pixel within 3 px of a class boundary against
    its class's mean real loss in that band, the others against the mean
    inside, each computed here with numpy."""
    _, out = synthetic_set
    folder = f'{FOLDER}_b3'
    result = run_tool([
        'tools/filter_synthetic.py',
        str(BASELINE), confident_checkpoint,
        str(out), '--margin',
        str(MARGIN), '--num-real',
        str(NUM_REAL), '--device', 'cpu', '--boundary-aware'
    ])
    assert 'boundary-aware' in result.stdout
    summary = json.loads((out / f'{folder}.json').read_text())
    assert summary['boundary_aware'] is True
    model = load_filter_segmentor(str(BASELINE), confident_checkpoint)
    sums, counts = np.zeros((2, 11)), np.zeros((2, 11))  # inside, band
    for label, loss in real_losses(model, camvid_root):
        band = numpy_boundary_band(label, 3)
        for where, mask in enumerate((~band, band)):
            mask = mask & (label != 255)
            np.add.at(sums[where], label[mask], loss[mask])
            np.add.at(counts[where], label[mask], 1)
    for where, key in enumerate(('class_loss_inside', 'class_loss_band')):
        for i in range(11):
            if counts[where, i]:
                assert summary[key][i] == pytest.approx(
                    sums[where, i] / counts[where, i], rel=1e-4)
            else:
                assert summary[key][i] is None
    # the two references are not one mean written twice
    band_loss = np.array(
        [np.nan if c is None else c for c in summary['class_loss_band']])
    inside_loss = np.array(
        [np.nan if c is None else c for c in summary['class_loss_inside']])
    both = ~np.isnan(band_loss) & ~np.isnan(inside_loss)
    assert (band_loss[both] != inside_loss[both]).all()
    limits = [
        np.array([np.inf if c is None else MARGIN * c for c in summary[key]])
        for key in ('class_loss_inside', 'class_loss_band')
    ]
    dropped_band = ignored_total = 0
    for k in range(NUM):
        name = f'{k:06d}.png'
        label = cv2.imread(str(out / 'labels' / name), cv2.IMREAD_UNCHANGED)
        kept = cv2.imread(str(out / folder / name), cv2.IMREAD_UNCHANGED)
        loss = numpy_cross_entropy(
            logits_of(model, cv2.imread(str(out / 'images' / name))), label)
        valid = label != 255
        index = np.where(valid, label, 0)
        band = numpy_boundary_band(label, 3)
        limit = np.where(band, limits[1][index], limits[0][index])
        expected = valid & (loss > limit)
        near = valid & (np.abs(loss - limit) < 1e-5 * limit)
        assert near.sum() <= 1e-3 * valid.sum()
        dropped = valid & (kept == 255)
        np.testing.assert_array_equal(dropped[~near], expected[~near])
        np.testing.assert_array_equal(kept[valid & ~dropped],
                                      label[valid & ~dropped])
        dropped_band += (dropped & band).sum()
        ignored_total += dropped.sum()
    assert 0 < dropped_band < ignored_total
    table = (out / f'{folder}.md').read_text()
    assert 'inside apart (boundary-aware)' in table
    pole = next(line for line in table.splitlines()
                if line.startswith('| Pole |')).split(' | ')
    assert pole[-2:] == [
        cell(summary['class_loss_band'][2]),
        cell(summary['class_loss_inside'][2]) + ' |'
    ]


def test_report_recounts_records_without_boundary_counts(
        filtered, confident_checkpoint, tmp_path):
    """A set filtered by an older version (records without the boundary
    counts): a second run counts them on the maps, rewriting none."""
    import shutil
    out = tmp_path / 'set'
    shutil.copytree(filtered['out'], out)
    log = out / f'{FOLDER}.jsonl'
    records = [json.loads(line) for line in log.read_text().splitlines()]
    for record in records:
        del record['boundary_pixels'], record['boundary_ignored']
    log.write_text(''.join(json.dumps(r) + '\n' for r in records))
    result = run_tool([
        'tools/filter_synthetic.py',
        str(BASELINE), confident_checkpoint,
        str(out), '--margin',
        str(MARGIN), '--num-real',
        str(NUM_REAL), '--device', 'cpu'
    ])
    assert f'{NUM} already filtered (resumed), 0 to do' in result.stdout
    before = json.loads(
        (filtered['out'] / f'{FOLDER}.json').read_text())['boundary']
    after = json.loads((out / f'{FOLDER}.json').read_text())['boundary']
    assert after == before


def test_second_run_resumes(filtered):
    assert f'{NUM} already filtered (resumed), 0 to do' in filtered['second']
    assert 'real class losses read from' in filtered['second']
    out = filtered['out']
    assert {
        p: p.stat().st_mtime_ns
        for p in (out / FOLDER).glob('*.png')
    } == filtered['mtimes']
    assert len((out / f'{FOLDER}.jsonl').read_text().splitlines()) == NUM
    assert not list((out / FOLDER).glob('.*'))


def test_dataset_reads_the_filtered_maps(filtered):
    out = filtered['out']
    dataset = CamVidDataset(
        data_root=str(out),
        data_prefix=dict(img_path='images', seg_map_path=FOLDER),
        pipeline=[
            dict(type='LoadCheckedImage'),
            dict(type='LoadCheckedAnnotations', num_classes=11)
        ])
    assert len(dataset) == NUM
    np.testing.assert_array_equal(
        dataset[0]['gt_seg_map'],
        cv2.imread(str(out / FOLDER / '000000.png'), cv2.IMREAD_UNCHANGED))


def test_bad_inputs_are_one_clear_error_each(synthetic_set,
                                             segmentor_checkpoint):
    tmp, out = synthetic_set
    tool = 'tools/filter_synthetic.py'
    # margin <= 0
    code, output = run_failing(
        [tool,
         str(BASELINE), segmentor_checkpoint,
         str(out), '--margin', '0'])
    assert code == 1 and 'margin must be > 0, got 0.0' in output
    assert 'Traceback' not in output
    # a folder without a manifest
    empty = tmp / 'no_manifest'
    (empty / 'labels').mkdir(parents=True)
    code, output = run_failing(
        [tool, str(BASELINE), segmentor_checkpoint,
         str(empty)])
    assert code == 1 and 'has no manifest.jsonl' in output
    assert 'Traceback' not in output
    # a segmentor of 6 classes for the 11-class set
    from mmengine.runner.checkpoint import save_checkpoint
    from mmseg.apis import init_model
    classes = tuple(f'class{i}' for i in range(6))
    cfg = Config.fromfile(str(BASELINE))
    cfg.model.decode_head.num_classes = 6
    cfg.model.auxiliary_head.num_classes = 6
    config = tmp / 'pspnet_6_classes.py'
    cfg.dump(str(config))
    checkpoint = tmp / 'pspnet_6_classes.pth'
    save_checkpoint(
        dict(
            state_dict=init_model(cfg, None, device='cpu').state_dict(),
            meta=dict(dataset_meta=dict(classes=classes))), str(checkpoint))
    code, output = run_failing([tool, str(config), str(checkpoint), str(out)])
    assert code == 1, output
    assert 'predicts 6 classes but the synthetic set' in output
    assert 'has 11' in output and 'Traceback' not in output


def test_two_phase_schedule_loads_phase_1(synthetic_set, filtered,
                                          camvid_root):
    """Pre-train on the filtered set, fine-tune on real from its weights."""
    tmp, out = synthetic_set
    tiny = """
val_dataloader = dict(
    num_workers=0, persistent_workers=False, dataset=dict(indices=1))
test_dataloader = val_dataloader
train_cfg = dict(max_iters=1, val_interval=1)
default_hooks = dict(checkpoint=dict(interval=1), logger=dict(interval=1))
randomness = dict(seed=0)
"""
    pretrain = tmp / 'pretrain.py'
    pretrain.write_text(f"""
_base_ = ['{REPO_ROOT}/configs/synaug/pspnet-synaug-multi-filtered-pretrain_r18_1xb8-1k_camvid-256x256.py']
{tiny}
train_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False, dataset=dict(
    real=dict(indices=2),
    synthetic=dict(data_root='{out}',
                   data_prefix=dict(seg_map_path='{FOLDER}'))))
""")  # noqa: E501
    run_tool(
        ['tools/train.py',
         str(pretrain), '--work-dir',
         str(tmp / 'phase1')])
    phase1 = tmp / 'phase1' / 'iter_1.pth'
    finetune = tmp / 'finetune.py'
    finetune.write_text(f"""
_base_ = ['{REPO_ROOT}/configs/synaug/pspnet-synaug-multi-filtered-finetune_r18_1xb8-1k_camvid-256x256.py']
{tiny}
train_dataloader = dict(
    batch_size=2, num_workers=0, persistent_workers=False, dataset=dict(indices=2))
load_from = '{phase1}'
optim_wrapper = dict(optimizer=dict(lr=0.0, weight_decay=0.0))
""")  # noqa: E501
    log = run_tool(
        ['tools/train.py',
         str(finetune), '--work-dir',
         str(tmp / 'phase2')]).stdout
    assert f'Load checkpoint from {phase1}' in log
    first = torch.load(
        phase1, map_location='cpu', weights_only=False)['state_dict']
    second = torch.load(
        tmp / 'phase2' / 'iter_1.pth', map_location='cpu',
        weights_only=False)['state_dict']
    # lr 0 in phase 2: its convolutions are phase 1's weights as loaded
    for key in ('backbone.stem.0.weight', 'decode_head.conv_seg.weight'):
        torch.testing.assert_close(second[key], first[key], rtol=0, atol=0)


def test_missing_filtered_maps_name_the_filter_tool(synthetic_set):
    from mmseg_synaug.datasets import SyntheticMixDataset
    from mmseg_synaug.utils import DataError
    _, out = synthetic_set
    with pytest.raises(DataError, match='tools/filter_synthetic.py'):
        SyntheticMixDataset(
            real=dict(type='CamVidDataset', indices=2),
            synthetic=dict(
                type='CamVidDataset',
                data_root=str(out),
                data_prefix=dict(
                    img_path='images', seg_map_path='labels_filtered_m9')))


def test_plot_synthetic_draws_the_set_and_its_filtered_maps(
        filtered, tmp_path):
    """One row per sample, one column per picture: the real source, the
    recomposed map, the set's image, the filtered map; a label folder the
    set lacks is one clear error."""
    out = filtered['out']
    grid = tmp_path / 'grid.png'
    result = run_tool([
        'tools/analysis_tools/plot_synthetic.py',
        str(out), '--labels', FOLDER, '--num', '5', '--out',
        str(grid)
    ])
    assert f'grid of {NUM} samples' in result.stdout
    height, width = cv2.imread(str(grid)).shape[:2]
    # 4 columns of 4 inches, NUM rows of 3.2 inches, at 100 dpi.
    assert (width, height) == (1600, 320 * NUM)
    code, log = run_failing([
        'tools/analysis_tools/plot_synthetic.py',
        str(out), '--labels', 'labels_filtered_m9', '--out',
        str(tmp_path / 'none.png')
    ])
    assert code != 0 and 'Traceback' not in log
    assert 'labels_filtered_m9' in log and 'does not exist' in log
    assert not (tmp_path / 'none.png').exists()
