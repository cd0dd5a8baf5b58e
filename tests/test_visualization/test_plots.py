"""Plots from a real training run and a real checkpoint."""
import numpy as np
from PIL import Image

from helpers import run_tool
from mmseg_synaug.visualization import colorize, load_scalars


def assert_png(path, min_size=(400, 200)):
    image = Image.open(path)
    assert image.format == 'PNG'
    assert image.size[0] >= min_size[0] and image.size[1] >= min_size[1]
    # a drawn figure has more than a blank canvas
    assert len(np.unique(np.asarray(image.convert('L')))) > 10


def test_load_scalars_merges_the_resumed_run(trained):
    _, work_dir, _, _ = trained
    train, val = load_scalars(str(work_dir))
    assert [r['iter'] for r in train] == [1, 2, 3, 4]
    assert [r['step'] for r in val] == [2, 4]
    assert all('loss' in r for r in train)


def test_training_curves_tool(trained, tmp_path):
    _, work_dir, _, _ = trained
    out = tmp_path / 'curves.png'
    run_tool([
        'tools/analysis_tools/plot_training_curves.py',
        str(work_dir), '--out',
        str(out)
    ])
    assert_png(out)


def test_class_iou_tool(trained, tmp_path):
    tmp, work_dir, _, _ = trained
    out = tmp_path / 'class_iou.png'
    result = run_tool([
        'tools/analysis_tools/plot_class_iou.py',
        str(tmp / 'tiny_4.py'),
        str(work_dir), '--out',
        str(out)
    ])
    assert_png(out)
    # pixel shares counted on real CamVid train (README: Road 31.7%, Bicyclist
    # 0.29% of all pixels incl. void, so slightly more of labelled ones)
    shares = {
        line.split(':')[0].strip(): float(line.split(':')[1].split('%')[0])
        for line in result.stdout.splitlines() if '% of pixels' in line
    }
    assert 31 < shares['Road'] < 35 and 0.2 < shares['Bicyclist'] < 0.4


def test_prediction_grid_tool(trained, tmp_path):
    tmp, work_dir, _, _ = trained
    out = tmp_path / 'grid.png'
    run_tool([
        'tools/analysis_tools/plot_predictions.py',
        str(tmp / 'tiny_4.py'),
        str(work_dir / 'iter_4.pth'), '--num', '2', '--out',
        str(out)
    ])
    assert_png(out, min_size=(800, 400))


def test_colorize_uses_palette_and_blackens_ignore():
    label = np.array([[0, 1], [255, 1]], dtype=np.uint8)
    rgb = colorize(label, [[10, 20, 30], [40, 50, 60]])
    assert rgb[0, 0].tolist() == [10, 20, 30]
    assert rgb[1, 1].tolist() == [40, 50, 60]
    assert rgb[1, 0].tolist() == [0, 0, 0]
