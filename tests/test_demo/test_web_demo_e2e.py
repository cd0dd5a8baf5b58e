"""The web demo end to end: demo/web_demo.py driven by headless chromium,
with a segmentor and a real (tiny, trained a few iterations) pix2pixHD
generator.

Uses Debian's chromium (``make setup`` installs it) through playwright; the
tests skip only where no chromium is installed.
"""
import importlib.util
import os
import queue
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Page, sync_playwright

from helpers import REPO_ROOT
from helpers.tiny_generator import trained_tiny_generator
from mmseg_synaug.apis import init_generator
from mmseg_synaug.datasets import CamVidDataset

CONFIG = REPO_ROOT / 'configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py'
CLASSES = list(CamVidDataset.METAINFO['classes'])
PALETTE = np.array(CamVidDataset.METAINFO['palette'], dtype=np.uint8)
#: Flags that keep chromium from reaching out of a closed network.
CHROMIUM_ARGS = [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update',
    '--disable-sync'
]


def chromium_path() -> str:
    for candidate in ('/usr/bin/chromium', shutil.which('chromium'),
                      shutil.which('chromium-browser')):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    pytest.skip('chromium is not installed (/usr/bin/chromium): '
                '`make setup` installs it with apt-get')


@pytest.fixture(scope='module')
def browser():
    executable = chromium_path()
    with sync_playwright() as playwright:
        # launch() gives every run a fresh temporary --user-data-dir.
        browser = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def start_cli(*args: str):
    """Start ``demo/web_demo.py`` on a free port; yield its URL and log."""
    env = dict(
        os.environ,
        PYTHONUNBUFFERED='1',
        OMP_NUM_THREADS='2',
        PYTHONPATH=os.pathsep.join(
            filter(
                None,
                [str(REPO_ROOT), os.environ.get('PYTHONPATH')])))
    command = [sys.executable, 'demo/web_demo.py', *args, '--port', '0']
    process = subprocess.Popen(
        command,
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True)
    lines = queue.Queue()
    output = []

    def read() -> None:
        for line in process.stdout:
            output.append(line)
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    url = None
    while url is None:
        try:
            line = lines.get(timeout=120)
        except queue.Empty:
            break
        if line is None:
            break
        if line.startswith('Serving the web demo on '):
            url = line.split(' on ', 1)[1].split()[0]
    if url is None:
        process.kill()
        pytest.fail('demo/web_demo.py did not start:\n' +
                    ''.join(output)[-5000:])
    yield url, output
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
    assert 'Traceback' not in ''.join(output), ''.join(output)[-5000:]


@pytest.fixture(scope='module')
def cli_server(segmentor_checkpoint):
    """The demo with a segmentor only, 1 MB uploads."""
    yield from start_cli(
        str(CONFIG), segmentor_checkpoint, '--max-upload-mb', '1')


@pytest.fixture(scope='module')
def tiny_generator(tmp_path_factory, camvid_root):
    return trained_tiny_generator(tmp_path_factory)


@pytest.fixture(scope='module')
def generator_server(segmentor_checkpoint, tiny_generator):
    """The demo with the segmentor and the trained tiny generator."""
    config, checkpoint = tiny_generator
    yield from start_cli(
        str(CONFIG), segmentor_checkpoint, '--generator-config', config,
        '--generator-checkpoint', checkpoint)


def submit(page: Page, button: str) -> int:
    """Press a form's submit button; the HTTP status of the new page."""
    with page.expect_navigation() as navigation:
        page.click(button)
    return navigation.value.status


def image_loaded(page: Page, selector: str) -> dict:
    page.wait_for_function(
        'sel => { const img = document.querySelector(sel); '
        'return img && img.complete && img.naturalWidth > 0; }',
        arg=selector)
    return page.eval_on_selector(
        selector, 'img => ({width: img.naturalWidth, '
        'height: img.naturalHeight})')


def test_browser_segments_an_upload_and_reports_bad_ones(
        cli_server, page, camvid_root, tmp_path):
    url, log = cli_server
    image = sorted(Path(camvid_root, 'val').glob('*.png'))[0]
    page.goto(url)
    assert 'label-to-image' in page.inner_text('#generator-off')
    assert page.query_selector('#label-input') is None

    page.set_input_files('#image-input', str(image))
    assert submit(page, '#segment-button') == 200
    assert image_loaded(page, '#overlay') == dict(width=480, height=360)
    assert image_loaded(page, '#mask') == dict(width=480, height=360)
    names = page.eval_on_selector_all(
        '#legend li .name', 'items => items.map(i => i.textContent)')
    assert sorted(names) == sorted(CLASSES)
    assert page.get_attribute('#legend li:first-child', 'class') == 'present'
    assert page.is_visible('#legend li.present .swatch')
    assert page.query_selector('#error') is None
    page.screenshot(path=str(tmp_path / 'segmented.png'), full_page=True)
    shot = Image.open(tmp_path / 'segmented.png')
    assert shot.width >= 480 and shot.height >= 360

    not_image = tmp_path / 'notes.txt'
    not_image.write_text('not an image\n' * 100)
    page.set_input_files('#image-input', str(not_image))
    assert submit(page, '#segment-button') == 400
    assert '"notes.txt" is not an image' in page.inner_text('#error')
    assert page.query_selector('#overlay') is None

    too_large = tmp_path / 'large.png'
    too_large.write_bytes(os.urandom(3 << 20))
    page.set_input_files('#image-input', str(too_large))
    assert submit(page, '#segment-button') == 400
    assert 'takes files of up to 1 MB' in page.inner_text('#error')

    assert submit(page, '#segment-button') == 400  # nothing chosen
    assert 'No image was chosen' in page.inner_text('#error')
    page.screenshot(path=str(tmp_path / 'error.png'), full_page=True)

    # Still serving after all that.
    page.set_input_files('#image-input', str(image))
    assert submit(page, '#segment-button') == 200
    assert image_loaded(page, '#overlay')['width'] == 480
    assert ' 500 ' not in ''.join(log)


def shown_image(page: Page, selector: str) -> np.ndarray:
    """The RGB pixels of an ``<img>`` as the browser decoded them."""
    size = image_loaded(page, selector)
    pixels = page.evaluate(
        '''sel => { const img = document.querySelector(sel);
        const canvas = document.createElement('canvas');
        canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
        const context = canvas.getContext('2d');
        context.drawImage(img, 0, 0);
        return Array.from(context.getImageData(
            0, 0, canvas.width, canvas.height).data); }''', selector)
    return np.array(
        pixels, dtype=np.uint8).reshape(size['height'], size['width'],
                                        4)[..., :3]


def test_browser_synthesizes_an_image_from_a_label_map(generator_server,
                                                       tiny_generator, page,
                                                       camvid_root, tmp_path):
    url, log = generator_server
    # CamVid's own label map, void 11 and all, as a user has it.
    own = sorted(Path(camvid_root, 'valannot').glob('*.png'))[0]
    label = np.array(Image.open(own))
    assert (label == CamVidDataset.VOID_LABEL).any()

    page.goto(url)
    assert page.query_selector('#generator-off') is None
    page.set_input_files('#label-input', str(own))
    assert submit(page, '#synthesize-button') == 200
    assert page.query_selector('#error') is None
    shown = shown_image(page, '#synthesized')
    assert shown.shape == (360, 480, 3)
    # The page shows what the trained generator makes of the label map
    # (computed here in-process: a thread count may move a value by 1).
    expected = init_generator(*tiny_generator)(label)
    difference = np.abs(shown.astype(int) - expected.astype(int))
    assert difference.max() <= 1 and difference.mean() < 0.01
    assert shown.std() > 0
    colours = shown_image(page, '#label-colors')
    labelled = label != CamVidDataset.VOID_LABEL
    np.testing.assert_array_equal(colours[labelled], PALETTE[label[labelled]])
    names = page.eval_on_selector_all(
        '#legend li.present .name', 'items => items.map(i => i.textContent)')
    assert sorted(names) == sorted(CLASSES[v] for v in np.unique(label)
                                   if v < len(CLASSES))
    page.screenshot(path=str(tmp_path / 'synthesized.png'), full_page=True)

    # The same map with void as 255 gives the same image.
    Image.fromarray(np.where(labelled, label, 255).astype(np.uint8)).save(
        tmp_path / 'label.png')
    page.set_input_files('#label-input', str(tmp_path / 'label.png'))
    assert submit(page, '#synthesize-button') == 200
    np.testing.assert_array_equal(shown_image(page, '#synthesized'), shown)

    # A value that is no class of CamVid is refused, and it goes on.
    bad = label.copy()
    bad[:10] = 42
    Image.fromarray(bad).save(tmp_path / 'bad.png')
    page.set_input_files('#label-input', str(tmp_path / 'bad.png'))
    assert submit(page, '#synthesize-button') == 400
    assert 'outside the 11 classes: 42 (' in page.inner_text('#error')
    assert page.query_selector('#synthesized') is None

    # The segmentation panel works beside it.
    image = sorted(Path(camvid_root, 'val').glob('*.png'))[0]
    page.set_input_files('#image-input', str(image))
    assert submit(page, '#segment-button') == 200
    assert image_loaded(page, '#overlay') == dict(width=480, height=360)
    assert ' 500 ' not in ''.join(log)


def load_cli():
    spec = importlib.util.spec_from_file_location(
        'web_demo_cli', REPO_ROOT / 'demo/web_demo.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize('args, message', [
    (['--generator-config', 'g.py'], '--generator-config and '
     '--generator-checkpoint go together'),
    (['--max-upload-mb', '0'], '--max-upload-mb must be positive'),
    (['--opacity', '1.5'], '--opacity must be in (0, 1]'),
])
def test_cli_rejects_bad_options(monkeypatch, capsys, args, message):
    cli = load_cli()
    monkeypatch.setattr(sys, 'argv', ['web_demo.py', 'c.py', 'w.pth'] + args)
    with pytest.raises(SystemExit) as exit_info:
        cli.parse_args()
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_cli_names_a_missing_checkpoint(monkeypatch, tmp_path):
    cli = load_cli()
    monkeypatch.setattr(sys, 'argv', [
        'web_demo.py',
        str(CONFIG),
        str(tmp_path / 'missing.pth'), '--port', '0'
    ])
    with pytest.raises(
            SystemExit,
            match=r'error: The checkpoint file '
            r'`.*missing.pth` does not exist'):
        cli.main()
