"""A local web demo: upload an image, see the predicted mask and a legend.

:class:`WebDemo` turns requests into responses and knows nothing of
sockets, so it is tested in-process;
:func:`~mmseg_synaug.webapp.server.make_server` serves it.

Routes:
    - ``GET /``: the page, with an image upload form and, where a
      label-to-image generator is given, a label-map upload form.
    - ``POST /predict`` (field ``image``): the mask overlaid on the image,
      the mask alone, and a legend of the classes, those present first.
    - ``POST /synthesize`` (field ``label``): the label map in colour and
      the image the generator synthesized from it.

A bad upload (no file, not an image, too large, an image over 20:1, a
label map under 64 pixels a side or with values outside the classes; the
dataset's void label counts as unlabelled) gets the page back with status
400 and a message that says what was wrong; the server goes on serving.
"""
import logging
import math
import threading
from dataclasses import dataclass
from typing import List, Optional, Sequence

import numpy as np
from mmseg.models import BaseSegmentor

from mmseg_synaug.apis import (LabelToImageGenerator, check_generated_image,
                               inference_segmentor)
from mmseg_synaug.visualization import colorize
from .page import Figure, LegendEntry, png_bytes, render_page
from .uploads import (Upload, UploadError, decode_image, decode_label_map,
                      file_field, parse_multipart)

__all__ = ['Response', 'WebDemo', 'overlay', 'legend_entries']

logger = logging.getLogger(__name__)

#: Room for the multipart envelope around one uploaded file.
FORM_OVERHEAD_BYTES = 64 * 1024


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
        generator (LabelToImageGenerator, optional): Label map to RGB image,
            such as :func:`mmseg_synaug.apis.init_generator` returns; its
            ``num_classes``, where it has one, must be the segmentor's.
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
        generator_classes = getattr(generator, 'num_classes', None)
        if generator_classes is not None and \
                generator_classes != len(meta['classes']):
            raise ValueError(
                f'The generator has {generator_classes} classes but the '
                f'segmentor {len(meta["classes"])}: the label-map panel uses '
                'the segmentor\'s classes. Load a generator trained on the '
                'segmentor\'s dataset.')
        self.model = model
        self.generator = generator
        self.classes = tuple(str(name) for name in meta['classes'])
        self.palette = [[int(c) for c in color] for color in meta['palette']]
        self.void_label: Optional[int] = meta.get('void_label')
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
            void_label=self.void_label,
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
            ('POST', '/synthesize'):
            lambda: self.synthesize(content_type, body),
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
        upload = file_field(
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
        label = decode_label_map(
            upload,
            self.max_pixels,
            len(self.classes),
            self.classes,
            void_label=self.void_label)
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
