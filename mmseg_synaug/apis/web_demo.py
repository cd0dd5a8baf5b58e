"""A local web demo: upload an image, see the predicted mask and a legend.

:class:`WebDemo` turns requests into responses and knows nothing of
sockets, so it is tested in-process; :func:`make_server` serves it with the
standard library's threaded HTTP server. ``demo/web_demo.py`` is the
command line.

Routes:
    - ``GET /``: the page, with an image upload form and, where a
      label-to-image generator is given, a label-map upload form.
    - ``POST /predict`` (field ``image``): the mask overlaid on the image,
      the mask alone, and a legend of the classes, those present first.
    - ``POST /synthesize`` (field ``label``): the label map in colour and
      the image the generator synthesized from it.

A bad upload (no file, not an image, too large, a label map with values
outside the classes) gets the page back with status 400 and a message that
says what was wrong; the server goes on serving.
"""
import email.policy
import http.server
import io
import logging
import math
import threading
import warnings
from dataclasses import dataclass
from email.parser import BytesParser
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from mmseg.models import BaseSegmentor
from PIL import Image, ImageOps, UnidentifiedImageError

from .inference import (LabelToImageGenerator, check_generated_image,
                        inference_segmentor)
from .web_page import Figure, LegendEntry, png_bytes, render_page

__all__ = [
    'UploadError', 'Upload', 'Response', 'WebDemo', 'make_server',
    'parse_multipart', 'decode_image', 'decode_label_map', 'colorize',
    'overlay', 'legend_entries'
]

logger = logging.getLogger(__name__)

#: Image formats the demo decodes (Pillow names).
IMAGE_FORMATS = ('PNG', 'JPEG', 'BMP', 'TIFF', 'WEBP', 'GIF')
#: Pillow modes of single-channel images whose pixels can be class indices.
INDEX_MODES = ('L', 'P', 'I', 'I;16', 'I;16L', 'I;16B')
#: Room for the multipart envelope around one uploaded file.
FORM_OVERHEAD_BYTES = 64 * 1024
#: Bodies up to this size are read and dropped before a "too large" answer:
#: a server that closes a connection with unread data resets it, and a
#: client may then lose the answer. Larger ones are refused unread.
DRAIN_LIMIT_BYTES = 1 << 30


class UploadError(ValueError):
    """A bad upload; the message is shown to the user as it is."""


@dataclass
class Upload:
    """One file field of a submitted form.

    Args:
        filename (str): Name of the file on the user's machine ('' if none).
        content (bytes): The file content.
    """
    filename: str
    content: bytes


@dataclass
class Response:
    """What the server sends back.

    Args:
        status (int): HTTP status.
        body (bytes): Content.
        content_type (str): MIME type.
            Defaults to ``'text/html; charset=utf-8'``.
    """
    status: int
    body: bytes
    content_type: str = 'text/html; charset=utf-8'


def parse_multipart(content_type: str, body: bytes) -> Dict[str, Upload]:
    """Parse a ``multipart/form-data`` body into its fields.

    Args:
        content_type (str): The request's Content-Type header.
        body (bytes): The request body.

    Returns:
        dict[str, Upload]: Field name to upload (text fields too).
    """
    if not content_type.lower().startswith('multipart/form-data'):
        raise UploadError(
            'The form must be sent as multipart/form-data, as the upload '
            f'forms of this page do (got "{content_type or "no type"}").')
    header = f'Content-Type: {content_type}\r\n\r\n'.encode('latin-1')
    message = BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
    if not message.is_multipart():
        raise UploadError('The form data could not be read: the request '
                          'has no multipart boundary.')
    fields = {}
    for part in message.iter_parts():
        name = part.get_param('name', header='content-disposition')
        if name:
            fields[str(name)] = Upload(
                filename=str(part.get_filename() or ''),
                content=part.get_payload(decode=True) or b'')
    return fields


def _file_field(fields: Dict[str, Upload], name: str, what: str,
                button: str) -> Upload:
    upload = fields.get(name)
    if upload is None or (not upload.filename and not upload.content):
        raise UploadError(f'No {what} was chosen: choose a file, then press '
                          f'{button}.')
    if not upload.content:
        raise UploadError(f'The file "{upload.filename}" is empty (0 bytes).')
    return upload


def _open_image(upload: Upload, max_pixels: int) -> Image.Image:
    """Decode an upload with Pillow; any failure is an UploadError."""
    name = upload.filename or 'The upload'
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', Image.DecompressionBombWarning)
            image = Image.open(
                io.BytesIO(upload.content), formats=IMAGE_FORMATS)
            if image.width * image.height > max_pixels:
                raise UploadError(
                    f'"{name}" has {image.width}x{image.height} pixels; the '
                    f'demo takes images of up to {max_pixels:,} pixels.')
            image.load()
    except UploadError:
        raise
    except UnidentifiedImageError:
        raise UploadError(
            f'"{name}" is not an image: the demo reads '
            'PNG, JPEG, BMP, TIFF, WebP and GIF files.') from None
    except Image.DecompressionBombError:
        raise UploadError(f'"{name}" has too many pixels for the demo '
                          f'(over {max_pixels:,}).') from None
    except (OSError, SyntaxError, ValueError) as error:
        raise UploadError(
            f'"{name}" could not be decoded as an image ({error}).') from None
    return image


def decode_image(upload: Upload, max_pixels: int) -> np.ndarray:
    """Decode an uploaded image to RGB, upright as its EXIF says.

    Args:
        upload (Upload): The uploaded file.
        max_pixels (int): Largest width x height accepted.

    Returns:
        np.ndarray: :math:`(H, W, 3)` uint8 RGB.
    """
    image = _open_image(upload, max_pixels)
    try:
        image = ImageOps.exif_transpose(image)
    except Exception:  # a broken EXIF block: keep the image as stored
        pass
    if image.mode in ('I', 'I;16', 'I;16L', 'I;16B', 'F'):
        array = np.asarray(image, dtype=np.float64)
        top = max(float(array.max()), 1.0)
        image = Image.fromarray((array / top * 255).astype(np.uint8))
    return np.asarray(image.convert('RGB'), dtype=np.uint8).copy()


def decode_label_map(upload: Upload,
                     max_pixels: int,
                     num_classes: int,
                     class_names: Sequence[str] = (),
                     ignore_index: int = 255) -> np.ndarray:
    """Decode an uploaded label map and check its values.

    Args:
        upload (Upload): The uploaded file.
        max_pixels (int): Largest width x height accepted.
        num_classes (int): Valid class indices are ``0..num_classes-1``.
        class_names (Sequence[str]): For the message. Defaults to ().
        ignore_index (int): The value of unlabelled pixels.
            Defaults to 255.

    Returns:
        np.ndarray: :math:`(H, W)` uint8 class indices and ``ignore_index``.
    """
    image = _open_image(upload, max_pixels)
    name = upload.filename or 'The upload'
    if image.format != 'PNG':
        raise UploadError(
            f'"{name}" is a {image.format} file; a label map must be a PNG '
            '(lossy formats change the class values).')
    if image.mode not in INDEX_MODES:
        raise UploadError(
            f'"{name}" is a {image.mode} image; a label map must be a '
            'single-channel (grey, mode L) or palette (mode P) PNG whose '
            'pixel values are class indices. Convert colour-coded label '
            'maps to class indices first.')
    label = np.asarray(image).astype(np.int64)
    values, counts = np.unique(label, return_counts=True)
    bad = [(int(v), int(c)) for v, c in zip(values, counts)
           if not (0 <= v < num_classes or v == ignore_index)]
    if bad:
        listed = ', '.join(f'{value} ({count / label.size:.1%} of pixels)'
                           for value, count in bad[:8])
        more = f' and {len(bad) - 8} more' if len(bad) > 8 else ''
        names = f' ({class_names[0]} ... {class_names[-1]})' \
            if len(class_names) == num_classes and num_classes else ''
        raise UploadError(
            f'"{name}" holds label values outside the {num_classes} classes: '
            f'{listed}{more}. Allowed are 0-{num_classes - 1}{names} and '
            f'{ignore_index} for unlabelled pixels; map other values (such '
            f'as a dataset\'s void label) to {ignore_index} first.')
    return label.astype(np.uint8)


def colorize(
    label: np.ndarray,
    palette: Sequence[Sequence[int]],
    ignore_color: Sequence[int] = (0, 0, 0)
) -> np.ndarray:
    """Paint an index map with a palette.

    Args:
        label (np.ndarray): :math:`(H, W)` class indices; values without a
            palette colour (e.g. 255) get ``ignore_color``.
        palette (Sequence[Sequence[int]]): RGB colour of each class.
        ignore_color (Sequence[int]): Defaults to black.

    Returns:
        np.ndarray: :math:`(H, W, 3)` uint8 RGB.
    """
    table = np.zeros((256, 3), dtype=np.uint8)
    table[:] = ignore_color
    table[:len(palette)] = np.asarray(palette, dtype=np.uint8)
    return table[np.clip(label, 0, 255).astype(np.uint8)]


def overlay(image: np.ndarray, label: np.ndarray,
            palette: Sequence[Sequence[int]], opacity: float) -> np.ndarray:
    """Alpha-blend the palette colours of a mask onto its image.

    Args:
        image (np.ndarray): :math:`(H, W, 3)` uint8 RGB.
        label (np.ndarray): :math:`(H, W)` class indices.
        palette (Sequence[Sequence[int]]): RGB colour of each class.
        opacity (float): Weight of the mask colours, in (0, 1].

    Returns:
        np.ndarray: :math:`(H, W, 3)` uint8 RGB.
    """
    colors = colorize(label, palette).astype(np.float32)
    blend = image.astype(np.float32) * (1 - opacity) + colors * opacity
    return np.clip(np.rint(blend), 0, 255).astype(np.uint8)


def legend_entries(label: np.ndarray, classes: Sequence[str],
                   palette: Sequence[Sequence[int]]) -> List[LegendEntry]:
    """All classes, those present in the mask first by decreasing share.

    Args:
        label (np.ndarray): :math:`(H, W)` class indices.
        classes (Sequence[str]): Class names.
        palette (Sequence[Sequence[int]]): RGB colour of each class.

    Returns:
        list[LegendEntry]: One per class.
    """
    valid = label[(label >= 0) & (label < len(classes))]
    counts = np.bincount(valid.ravel(), minlength=len(classes))
    shares = counts / max(label.size, 1)
    order = sorted(range(len(classes)), key=lambda i: (-counts[i], i))
    return [
        LegendEntry(
            name=str(classes[i]), color=palette[i], share=float(shares[i]))
        for i in order
    ]


class WebDemo:
    """Request handling of the web demo, independent of any server.

    Args:
        model (BaseSegmentor): From
            :func:`mmseg_synaug.apis.init_segmentor`, with ``dataset_meta``.
        generator (LabelToImageGenerator, optional): Label map to RGB image.
            None hides the label-map upload. Defaults to None.
        max_upload_mb (float): Largest file accepted, in MiB.
            Defaults to 10.
        max_pixels (int): Largest width x height accepted.
            Defaults to 25,000,000.
        opacity (float): Weight of the mask colours in the overlay, in
            (0, 1]. Defaults to 0.5.
        title (str): Page title. Defaults to ``'mmseg_synaug web demo'``.
        model_name (str, optional): Shown under the title. Defaults to the
            config file name.
    """

    def __init__(self,
                 model: BaseSegmentor,
                 generator: Optional[LabelToImageGenerator] = None,
                 max_upload_mb: float = 10,
                 max_pixels: int = 25_000_000,
                 opacity: float = 0.5,
                 title: str = 'mmseg_synaug web demo',
                 model_name: Optional[str] = None) -> None:
        meta = getattr(model, 'dataset_meta', None) or {}
        if not meta.get('classes') or not meta.get('palette'):
            raise ValueError(
                'The model has no dataset_meta with classes and palette; '
                'build it with mmseg_synaug.apis.init_segmentor.')
        if not max_upload_mb > 0:
            raise ValueError(
                f'max_upload_mb must be positive, got {max_upload_mb}.')
        if not 0 < opacity <= 1:
            raise ValueError(f'opacity must be in (0, 1], got {opacity}.')
        if generator is not None and not callable(generator):
            raise TypeError('generator must be a callable taking a label '
                            'map; see LabelToImageGenerator.')
        self.model = model
        self.generator = generator
        self.classes = tuple(str(name) for name in meta['classes'])
        self.palette = [[int(c) for c in color] for color in meta['palette']]
        self.max_upload_mb = float(max_upload_mb)
        self.max_upload_bytes = int(max_upload_mb * 1024 * 1024)
        self.max_pixels = int(max_pixels)
        self.opacity = float(opacity)
        self.title = title
        if model_name is None:
            cfg = getattr(model, 'cfg', None)
            model_name = getattr(cfg, 'filename', None) or type(model).__name__
            model_name = str(model_name).replace('\\', '/').split('/')[-1]
        self.model_description = (
            f'Segmentor: {model_name} ({len(self.classes)} classes)')
        self._lock = threading.Lock()

    @property
    def max_request_bytes(self) -> int:
        """Largest request body read: one file plus the form around it."""
        return self.max_upload_bytes + FORM_OVERHEAD_BYTES

    def page(self,
             status: int = 200,
             error: Optional[str] = None,
             **result) -> Response:
        """The page, with an error message or results where given.

        Args:
            status (int): HTTP status. Defaults to 200.
            error (str, optional): Message to show. Defaults to None.
            **result: ``heading``, ``figures``, ``legend`` of
                :func:`render_page`.

        Returns:
            Response: HTML.
        """
        body = render_page(
            title=self.title,
            model=self.model_description,
            num_classes=len(self.classes),
            max_upload_mb=self.max_upload_mb,
            generator_on=self.generator is not None,
            error=error,
            **result)
        return Response(status, body)

    def too_large(self, num_bytes: int) -> Response:
        """The answer to a request body over :attr:`max_request_bytes`.

        Args:
            num_bytes (int): Size of the request body.

        Returns:
            Response: Status 400 with the message.
        """
        return self.page(400, error=self._too_large_message(num_bytes))

    def _too_large_message(self, num_bytes: int) -> str:
        size = math.ceil(num_bytes / 2**20 * 10) / 10  # 1 MB + 1 B: 1.1 MB
        return (f'The upload is {size:.1f} MB; this demo takes '
                f'files of up to {self.max_upload_mb:g} MB. Choose a smaller '
                'file, or start the demo with a larger --max-upload-mb.')

    def handle(self,
               method: str,
               path: str,
               content_type: str = '',
               body: bytes = b'') -> Response:
        """Answer one request.

        Args:
            method (str): ``'GET'`` or ``'POST'``.
            path (str): Request path; a query string is ignored.
            content_type (str): Content-Type header of a POST.
                Defaults to ''.
            body (bytes): Body of a POST. Defaults to b''.

        Returns:
            Response: Never raises: a bad upload is a 400 page with the
            message, a failure of the model a 500 page saying so.
        """
        path = path.split('?', 1)[0]
        routes = {
            ('GET', '/'): self.page,
            ('GET', '/favicon.ico'): lambda: Response(204, b'', 'image/png'),
            ('POST', '/predict'): lambda: self.predict(content_type, body),
            ('POST', '/synthesize'): lambda: self.synthesize(
                content_type, body),
        }
        route = routes.get((method, path))
        if route is None:
            if any(known == path for _, known in routes):
                message = f'{method} is not allowed on {path}; use the ' \
                    'forms of this page.'
                return self.page(405, error=message)
            return self.page(
                404, error=f'There is no page {path}; the demo is at /.')
        try:
            return route()
        except UploadError as error:
            return self.page(400, error=str(error))
        except Exception as error:
            logger.exception('The web demo failed on %s %s', method, path)
            return self.page(
                500,
                error=f'The demo failed on this upload: '
                f'{type(error).__name__}: {error}. The server log has the '
                'details.')

    def _uploaded_file(self, content_type: str, body: bytes, field: str,
                       what: str, button: str) -> Upload:
        if len(body) > self.max_request_bytes:
            raise UploadError(self._too_large_message(len(body)))
        upload = _file_field(
            parse_multipart(content_type, body), field, what, button)
        if len(upload.content) > self.max_upload_bytes:
            raise UploadError(self._too_large_message(len(upload.content)))
        return upload

    def predict(self, content_type: str, body: bytes) -> Response:
        """Segment an uploaded image (form field ``image``).

        Args:
            content_type (str): Content-Type of the request.
            body (bytes): multipart/form-data body.

        Returns:
            Response: The page with the overlay, the mask and the legend.
        """
        upload = self._uploaded_file(content_type, body, 'image', 'image',
                                     'Segment')
        image = decode_image(upload, self.max_pixels)
        with self._lock:
            label = inference_segmentor(self.model, image)
        if label.shape != image.shape[:2]:
            raise RuntimeError(f'the model returned a {label.shape} mask for '
                               f'an image of {image.shape[:2]}')
        name = upload.filename or 'the image'
        figures = [
            Figure(
                'overlay',
                png_bytes(overlay(image, label, self.palette, self.opacity)),
                f'Predicted mask over {name}'),
            Figure('mask', png_bytes(colorize(label, self.palette)),
                   'Predicted mask'),
        ]
        return self.page(
            heading=f'Segmentation of {name}',
            figures=figures,
            legend=legend_entries(label, self.classes, self.palette))

    def synthesize(self, content_type: str, body: bytes) -> Response:
        """Synthesize an image from an uploaded label map (field ``label``).

        Args:
            content_type (str): Content-Type of the request.
            body (bytes): multipart/form-data body.

        Returns:
            Response: The page with the coloured label map and the image.
        """
        if self.generator is None:
            raise UploadError(
                'No label-to-image generator is loaded: start the demo with '
                '--generator-config and --generator-checkpoint to turn on '
                'image synthesis.')
        upload = self._uploaded_file(content_type, body, 'label', 'label map',
                                     'Synthesize')
        label = decode_label_map(upload, self.max_pixels, len(self.classes),
                                 self.classes)
        with self._lock:
            image = self.generator(label)
        check_generated_image(image, label.shape)
        name = upload.filename or 'the label map'
        figures = [
            Figure('label-colors', png_bytes(colorize(label, self.palette)),
                   f'Label map {name}'),
            Figure('synthesized', png_bytes(image), 'Synthesized image'),
        ]
        return self.page(
            heading=f'Image synthesized from {name}',
            figures=figures,
            legend=legend_entries(label, self.classes, self.palette))


class _RequestHandler(http.server.BaseHTTPRequestHandler):
    """Moves bytes between a socket and :meth:`WebDemo.handle`."""

    server_version = 'mmseg_synaug-web-demo'
    #: Seconds a connection may stall before it is dropped.
    timeout = 60

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._send(self.server.demo.handle('GET', self.path))

    def do_POST(self) -> None:  # noqa: N802
        demo: WebDemo = self.server.demo
        length = self.headers.get('Content-Length', '')
        if not length.isdigit():
            message = 'The upload could not be read: the request has no ' \
                'Content-Length.'
            self._send(demo.page(400, error=message), close=True)
            return
        length = int(length)
        if length > demo.max_request_bytes:
            self._drain(length)
            self._send(demo.too_large(length), close=True)
            return
        body = self.rfile.read(length)
        if len(body) < length:
            self.close_connection = True
            return  # the client went away
        self._send(
            demo.handle('POST', self.path,
                        self.headers.get('Content-Type', ''), body))

    def _drain(self, length: int) -> None:
        """Read and drop a body, so that the client reads the answer."""
        if length > DRAIN_LIMIT_BYTES:
            return
        left = length
        while left > 0:
            chunk = self.rfile.read(min(left, 1 << 20))
            if not chunk:
                break
            left -= len(chunk)

    def _send(self, response: Response, close: bool = False) -> None:
        self.send_response(response.status)
        self.send_header('Content-Type', response.content_type)
        self.send_header('Content-Length', str(len(response.body)))
        self.send_header('Cache-Control', 'no-store')
        self.send_header('X-Content-Type-Options', 'nosniff')
        self.send_header(
            'Content-Security-Policy',
            "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
            "form-action 'self'")
        if close:
            self.send_header('Connection', 'close')
            self.close_connection = True
        self.end_headers()
        self.wfile.write(response.body)

    def log_message(self, format: str, *args) -> None:
        logger.info('%s %s', self.address_string(), format % args)


class WebDemoServer(http.server.ThreadingHTTPServer):
    """A threaded HTTP server holding the :class:`WebDemo` it serves.

    Args:
        address (tuple[str, int]): Host and port; port 0 picks a free one.
        demo (WebDemo): What answers the requests.
    """

    daemon_threads = True

    def __init__(self, address: Tuple[str, int], demo: WebDemo) -> None:
        self.demo = demo
        super().__init__(address, _RequestHandler)

    @property
    def url(self) -> str:
        """The address to open in a browser."""
        host, port = self.server_address[:2]
        if ':' in host:
            host = f'[{host}]'
        return f'http://{host}:{port}/'


def make_server(demo: WebDemo,
                host: str = '127.0.0.1',
                port: int = 8000) -> WebDemoServer:
    """Bind a server for the demo; call ``serve_forever()`` to serve.

    Args:
        demo (WebDemo): The demo.
        host (str): Interface to listen on. Defaults to ``'127.0.0.1'``.
        port (int): Port; 0 picks a free one. Defaults to 8000.

    Returns:
        WebDemoServer: Bound and listening; see its ``url``.
    """
    return WebDemoServer((host, port), demo)
