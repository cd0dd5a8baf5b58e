"""The web demo's request handling, in-process, on real CamVid files, with
a real (tiny, trained a few iterations) pix2pixHD generator."""
import base64
import html
import http.client
import io
import re
import socket
import threading
import uuid
from pathlib import Path
from typing import Dict, Optional, Tuple

import numpy as np
import pytest
from mmengine.config import Config
from mmseg.registry import MODELS
from PIL import Image

from helpers import REPO_ROOT
from helpers.tiny_generator import trained_tiny_generator
from mmseg_synaug.apis import (as_label_to_image, inference_segmentor,
                               init_generator, init_segmentor)
from mmseg_synaug.datasets import CamVidDataset
from mmseg_synaug.webapp import WebDemo, make_server
from mmseg_synaug.webapp.uploads import MAX_ASPECT_RATIO, MIN_LABEL_SIDE

CONFIG = REPO_ROOT / 'configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py'
CLASSES = CamVidDataset.METAINFO['classes']
PALETTE = np.array(CamVidDataset.METAINFO['palette'], dtype=np.uint8)


def multipart(**files: Tuple[str, bytes]) -> Tuple[str, bytes]:
    """Encode file fields as a browser does: ``name=(filename, content)``."""
    boundary = uuid.uuid4().hex
    body = b''
    for name, (filename, content) in files.items():
        body += (f'--{boundary}\r\nContent-Disposition: form-data; '
                 f'name="{name}"; filename="{filename}"\r\n'
                 'Content-Type: application/octet-stream\r\n\r\n'
                 ).encode() + content + b'\r\n'
    body += f'--{boundary}--\r\n'.encode()
    return f'multipart/form-data; boundary={boundary}', body


def figure(page: bytes, element_id: str) -> np.ndarray:
    """Decode the PNG data URL of ``<img id=element_id>``."""
    match = re.search(
        rf'<img id="{element_id}" src="data:image/png;base64,([^"]+)"',
        page.decode())
    assert match, f'no <img id="{element_id}"> with a PNG in the page'
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(match[1]))))


def error_message(page: bytes) -> Optional[str]:
    match = re.search(r'<p id="error"[^>]*>(.*?)</p>', page.decode(), re.S)
    return match and html.unescape(match[1])


def legend(page: bytes) -> Dict[str, str]:
    """Class name -> ``present``/``absent``, in the order shown."""
    return dict((name, state) for state, name in re.findall(
        r'<li class="(present|absent)" data-class="([^"]+)"', page.decode()))


def png(array: np.ndarray, mode: Optional[str] = None) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array, mode).save(buffer, format='PNG')
    return buffer.getvalue()


@pytest.fixture(scope='module')
def model(segmentor_checkpoint):
    return init_segmentor(str(CONFIG), segmentor_checkpoint)


@pytest.fixture(scope='module')
def demo(model):
    return WebDemo(model, max_upload_mb=1)


@pytest.fixture(scope='module')
def generator(tmp_path_factory, camvid_root):
    return init_generator(*trained_tiny_generator(tmp_path_factory))


@pytest.fixture(scope='module')
def demo_with_generator(model, generator):
    return WebDemo(model, generator=generator, max_upload_mb=1)


@pytest.fixture(scope='module')
def val_pair(camvid_root):
    name = sorted(Path(camvid_root, 'val').glob('*.png'))[0].name
    return Path(camvid_root, 'val', name), Path(camvid_root, 'valannot', name)


def test_page_offers_upload_and_names_generator_options(demo):
    response = demo.handle('GET', '/')
    page = response.body.decode()
    assert response.status == 200
    assert 'id="image-input"' in page and 'action="/predict"' in page
    assert 'id="generator-off"' in page and '--generator-config' in page
    assert 'id="label-input"' not in page
    assert error_message(response.body) is None


def test_predict_overlays_the_model_mask_on_the_image(demo, model, val_pair):
    content = val_pair[0].read_bytes()
    response = demo.handle('POST', '/predict',
                           *multipart(image=(val_pair[0].name, content)))
    assert response.status == 200, error_message(response.body)
    image = np.asarray(Image.open(val_pair[0]).convert('RGB'))
    overlay = figure(response.body, 'overlay')
    mask = figure(response.body, 'mask')
    assert overlay.shape == mask.shape == image.shape == (360, 480, 3)
    # The mask is the model's prediction in the dataset palette ...
    expected = PALETTE[inference_segmentor(model, image)]
    np.testing.assert_array_equal(mask, expected)
    # ... blended half and half onto the image.
    blend = image.astype(float) * 0.5 + expected.astype(float) * 0.5
    assert np.abs(overlay.astype(float) - blend).max() <= 1
    assert not np.array_equal(overlay, image)
    # Every class in the legend, those predicted first.
    shown = legend(response.body)
    assert sorted(shown) == sorted(CLASSES)
    states = list(shown.values())
    assert states == sorted(states, key=lambda s: s != 'present')
    predicted = {
        CLASSES[i]
        for i in np.unique(inference_segmentor(model, image))
    }
    assert {n for n, s in shown.items() if s == 'present'} == predicted


def test_predict_reads_jpeg_and_grey_images(demo, val_pair):
    image = Image.open(val_pair[0]).convert('RGB')
    for mode, fmt in (('RGB', 'JPEG'), ('L', 'PNG')):
        buffer = io.BytesIO()
        image.convert(mode).save(buffer, format=fmt)
        response = demo.handle(
            'POST', '/predict',
            *multipart(image=(f'x.{fmt.lower()}', buffer.getvalue())))
        assert response.status == 200, error_message(response.body)
        assert figure(response.body, 'overlay').shape == (360, 480, 3)


BAD_IMAGES = {
    'random bytes':
    (('noise.png', bytes(range(256)) * 40), '"noise.png" is not an image'),
    'a text file':
    (('notes.txt', b'just some words\n' * 10), '"notes.txt" is not an image'),
    'no file chosen': (('', b''), 'No image was chosen'),
    'an empty file': (('empty.png', b''), '"empty.png" is empty'),
    'a truncated PNG': (None, 'could not be decoded'),
    'too large':
    (('big.png', b'\0' * (1024 * 1024 + 1)), 'takes files of up to 1 MB'),
    '20000x1 pixels': (('strip.png', png(np.zeros(
        (1, 20000, 3),
        np.uint8))), '"strip.png" has 20000x1 pixels; the demo takes images '
                       'whose longer side is at most 20 times the shorter'),
    '1x20000 pixels': (('pole.png', png(np.zeros(
        (20000, 1), np.uint8))), '"pole.png" has 1x20000 pixels'),
}


@pytest.mark.parametrize('case', list(BAD_IMAGES))
def test_bad_image_upload_is_a_400_with_a_message(demo, val_pair, case):
    upload, message = BAD_IMAGES[case]
    if upload is None:
        upload = ('cut.png', val_pair[0].read_bytes()[:5000])
    response = demo.handle('POST', '/predict', *multipart(image=upload))
    assert response.status == 400
    assert message in error_message(response.body)
    assert 'Traceback' not in response.body.decode()
    assert 'id="image-input"' in response.body.decode()  # try again


def test_form_without_the_field_or_multipart_is_a_400(demo):
    response = demo.handle('POST', '/predict', *multipart(other=('a', b'b')))
    assert response.status == 400
    assert 'No image was chosen' in error_message(response.body)
    response = demo.handle('POST', '/predict',
                           'application/x-www-form-urlencoded', b'image=x')
    assert response.status == 400
    assert 'multipart/form-data' in error_message(response.body)


def test_unknown_pages_and_methods(demo):
    assert demo.handle('GET', '/nowhere').status == 404
    response = demo.handle('GET', '/predict')
    assert response.status == 405 and 'use the forms' in \
        error_message(response.body)
    assert demo.handle('GET', '/?x=1').status == 200


def test_synthesis_is_off_without_a_generator(demo, val_pair):
    response = demo.handle(
        'POST', '/synthesize',
        *multipart(label=('l.png', val_pair[1].read_bytes())))
    assert response.status == 400
    assert '--generator-config' in error_message(response.body)


def void_to_ignore(path: Path) -> np.ndarray:
    label = np.array(Image.open(path))
    label[label == CamVidDataset.VOID_LABEL] = 255
    return label


def test_synthesize_shows_the_generated_image(demo_with_generator, generator,
                                              val_pair):
    page = demo_with_generator.handle('GET', '/').body.decode()
    assert 'id="label-input"' in page and 'id="generator-off"' not in page
    assert '255 (or 11) for unlabelled pixels' in page
    label = void_to_ignore(val_pair[1])
    expected = generator(label)
    assert expected.shape == (360, 480, 3) and expected.dtype == np.uint8
    assert expected.std() > 0  # an image, not a constant
    # CamVid's own label map (void 11) and the one with void as 255 give
    # the same image: the generator's output.
    for name, content in (('own.png', val_pair[1].read_bytes()), ('label.png',
                                                                  png(label))):
        response = demo_with_generator.handle(
            'POST', '/synthesize', *multipart(label=(name, content)))
        assert response.status == 200, error_message(response.body)
        np.testing.assert_array_equal(
            figure(response.body, 'synthesized'), expected)
        colours = figure(response.body, 'label-colors')
        np.testing.assert_array_equal(colours[label != 255],
                                      PALETTE[label[label != 255]])
        present = {
            n
            for n, s in legend(response.body).items() if s == 'present'
        }
        assert present == {CLASSES[v] for v in np.unique(label) if v != 255}


def test_palette_png_label_map_is_read_as_indices(demo_with_generator,
                                                  generator):
    label = np.array([[0, 1, 2, 3], [10, 255, 3, 4]], dtype=np.uint8)
    label = label.repeat(32, axis=0).repeat(32, axis=1)  # 64x128 pixels
    image = Image.fromarray(label, 'P')
    image.putpalette([7] * 768)  # colours must not matter, indices do
    buffer = io.BytesIO()
    image.save(buffer, format='PNG')
    response = demo_with_generator.handle(
        'POST', '/synthesize', *multipart(label=('p.png', buffer.getvalue())))
    assert response.status == 200, error_message(response.body)
    np.testing.assert_array_equal(
        figure(response.body, 'synthesized'), generator(label))


def test_bad_label_maps_are_a_400_with_a_message(demo_with_generator,
                                                 val_pair):
    rgb = np.asarray(Image.open(val_pair[0]).convert('RGB'))
    jpeg = io.BytesIO()
    Image.fromarray(np.zeros((8, 8), np.uint8)).save(jpeg, format='JPEG')
    cases = {
        'value 12': (png(np.array([[0, 12], [11, 12]], np.uint8)),
                     'outside the 11 classes: 12 (50.0% of pixels)'),
        'value 42': (png(np.full((4, 4), 42,
                                 np.uint8)), '42 (100.0% of pixels)'),
        'colour PNG': (png(rgb), 'is a RGB image; a label map must be a '
                       'single-channel'),
        'JPEG': (jpeg.getvalue(), 'must be a PNG'),
        'not an image': (b'%PDF-1.4 not a label', 'is not an image'),
        'none': (None, 'No label map was chosen'),
    }
    for case, (content, message) in cases.items():
        upload = ('', b'') if content is None else (f'{case}.png', content)
        response = demo_with_generator.handle('POST', '/synthesize',
                                              *multipart(label=upload))
        assert response.status == 400, case
        assert message in error_message(response.body), case
    assert 'Allowed are 0-10 (Sky ... Bicyclist), 11 (void) and 255' in \
        error_message(
            demo_with_generator.handle(
                'POST', '/synthesize',
                *multipart(label=('x.png', png(np.full(
                    (4, 4), 42, np.uint8))))).body)


def test_generator_breaking_its_interface_is_a_500_page(model):
    demo = WebDemo(model, generator=lambda label: label)  # grey, not RGB
    response = demo.handle(
        'POST', '/synthesize',
        *multipart(label=('l.png', png(np.zeros((64, 80), np.uint8)))))
    assert response.status == 500
    assert 'must return an RGB uint8 array of shape (64, 80, 3)' in \
        error_message(response.body)


def test_image_with_too_many_pixels_is_a_400(model, val_pair):
    demo = WebDemo(model, max_pixels=100_000)
    response = demo.handle(
        'POST', '/predict',
        *multipart(image=('big.png', val_pair[0].read_bytes())))
    assert response.status == 400
    assert '"big.png" has 480x360 pixels; the demo takes images of up to ' \
        '100,000 pixels' in error_message(response.body)


def test_settings_are_checked(model):
    with pytest.raises(ValueError, match='opacity'):
        WebDemo(model, opacity=0)
    with pytest.raises(ValueError, match='max_upload_mb'):
        WebDemo(model, max_upload_mb=0)
    with pytest.raises(TypeError, match='callable'):
        WebDemo(model, generator='pix2pixhd')


def test_generator_of_other_classes_is_refused(model, generator):
    class_count = generator.num_classes
    generator.num_classes = 19
    try:
        with pytest.raises(
                ValueError,
                match='generator has 19 classes but '
                'the segmentor 11'):
            WebDemo(model, generator=generator)
    finally:
        generator.num_classes = class_count


@pytest.fixture
def server(demo):
    server = make_server(demo, '127.0.0.1', 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(10)


def request(server,
            method: str,
            path: str,
            body: bytes = b'',
            headers: Optional[dict] = None) -> Tuple[int, bytes]:
    connection = http.client.HTTPConnection(
        *server.server_address[:2], timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def test_server_answers_too_large_and_keeps_serving(server, val_pair):
    content_type, body = multipart(image=('big.png', b'\1' * (3 << 20)))
    status, page = request(server, 'POST', '/predict', body,
                           {'Content-Type': content_type})
    assert status == 400
    assert re.search(
        r'The upload is 3\.[01] MB; this demo takes files of '
        'up to 1 MB', error_message(page))
    content_type, body = multipart(
        image=(val_pair[0].name, val_pair[0].read_bytes()))
    status, page = request(server, 'POST', '/predict', body,
                           {'Content-Type': content_type})
    assert status == 200 and figure(page, 'overlay').shape == (360, 480, 3)
    status, page = request(server, 'GET', '/')
    assert status == 200 and b'id="image-input"' in page


def test_server_refuses_a_post_without_content_length(server):
    with socket.create_connection(server.server_address[:2], 60) as sock:
        sock.sendall(b'POST /predict HTTP/1.1\r\nHost: x\r\n'
                     b'Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n')
        answer = b''
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b'HTTP/1.0 400 ')
    assert 'the request has no Content-Length' in error_message(
        answer.split(b'\r\n\r\n', 1)[1])
    assert request(server, 'GET', '/')[0] == 200


@pytest.mark.parametrize('size', [(MAX_ASPECT_RATIO * 16, 16),
                                  (1, MAX_ASPECT_RATIO)])
def test_images_as_elongated_as_allowed_are_segmented(demo, size):
    """At the limit of 20:1, the model segments the image."""
    width, height = size
    image = np.random.RandomState(0).randint(
        0, 256, (height, width, 3), dtype=np.uint8)
    response = demo.handle('POST', '/predict',
                           *multipart(image=('long.png', png(image))))
    assert response.status == 200, error_message(response.body)
    assert figure(response.body, 'mask').shape == (height, width, 3)


def test_server_answers_an_elongated_image_with_a_400(server):
    content_type, body = multipart(
        image=('strip.png', png(np.zeros((1, 20000, 3), np.uint8))))
    status, page = request(server, 'POST', '/predict', body,
                           {'Content-Type': content_type})
    assert status == 400
    assert '"strip.png" has 20000x1 pixels' in error_message(page)
    assert request(server, 'GET', '/')[0] == 200


def test_label_map_too_small_for_the_generator_is_a_400(demo_with_generator):
    for shape in ((1, 20000), (MIN_LABEL_SIDE - 1, 200)):
        response = demo_with_generator.handle(
            'POST', '/synthesize',
            *multipart(label=('thin.png', png(np.zeros(shape, np.uint8)))))
        assert response.status == 400, shape
        assert f'"thin.png" has {shape[1]}x{shape[0]} pixels; the demo ' \
            f'takes label maps of at least {MIN_LABEL_SIDE} pixels on each ' \
            'side' in error_message(response.body)


def test_min_label_side_fits_the_largest_generator():
    """The full-width pix2pixHD with a local enhancer (size divisor 32, the
    largest of configs/pix2pixhd/) renders a label map of MIN_LABEL_SIDE
    pixels a side; one of 32 it cannot (its coarsest level has 1 pixel)."""
    cfg = Config.fromfile(REPO_ROOT / 'configs/pix2pixhd/'
                          'pix2pixhd_w64-d4-r9_1xb1-73.4k_camvid-360x480.py')
    cfg.model.generator.update(num_local_enhancers=1, local_base_channels=32)
    model = MODELS.build(cfg.model)
    assert model.generator.size_divisor == 32
    generator = as_label_to_image(model.eval())
    label = np.zeros((MIN_LABEL_SIDE, 2 * MIN_LABEL_SIDE), np.uint8)
    assert generator(label).shape == (MIN_LABEL_SIDE, 2 * MIN_LABEL_SIDE, 3)
    with pytest.raises(ValueError, match='more than 1 spatial element'):
        generator(np.zeros((32, 32), np.uint8))
