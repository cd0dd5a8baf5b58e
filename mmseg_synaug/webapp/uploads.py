"""The web demo's uploads: multipart form parsing, images and label maps.

Every failure is an :class:`UploadError` whose message is shown to the
user as it is: what was wrong with the file and what the demo takes.
"""
import email.policy
import io
import warnings
from dataclasses import dataclass
from email.parser import BytesParser
from typing import Dict, Optional, Sequence

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

__all__ = [
    'IMAGE_FORMATS', 'MAX_ASPECT_RATIO', 'MIN_LABEL_SIDE', 'UploadError',
    'Upload', 'parse_multipart', 'file_field', 'decode_image',
    'decode_label_map'
]

#: Image formats the demo decodes (Pillow names).
IMAGE_FORMATS = ('PNG', 'JPEG', 'BMP', 'TIFF', 'WEBP', 'GIF')
#: Longest over shortest side of an image taken: segmentors resize images
#: to their test scale keeping the ratio, and a 20000x1 image shrinks to no
#: row at all.
MAX_ASPECT_RATIO = 20
#: Shortest side of a label map taken: the generator halves the map once
#: per level, and its instance normalisation needs more than one pixel at
#: the coarsest level (pix2pixHD with a local enhancer, size divisor 32,
#: fails on a 32x32 map).
MIN_LABEL_SIDE = 64
#: Pillow modes of single-channel images whose pixels can be class indices.
INDEX_MODES = ('L', 'P', 'I', 'I;16', 'I;16L', 'I;16B')


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


def file_field(fields: Dict[str, Upload], name: str, what: str,
               button: str) -> Upload:
    """The non-empty file of a form field.

    Args:
        fields (dict[str, Upload]): From :func:`parse_multipart`.
        name (str): The field, e.g. ``'image'``.
        what (str): What the file is, for the message.
        button (str): The form's submit button, for the message.

    Returns:
        Upload: The file.
    """
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


def decode_image(upload: Upload,
                 max_pixels: int,
                 max_aspect_ratio: float = MAX_ASPECT_RATIO) -> np.ndarray:
    """Decode an uploaded image to RGB, upright as its EXIF says.

    Args:
        upload (Upload): The uploaded file.
        max_pixels (int): Largest width x height accepted.
        max_aspect_ratio (float): Largest ratio of the longer side to the
            shorter one. Defaults to :data:`MAX_ASPECT_RATIO`.

    Returns:
        np.ndarray: :math:`(H, W, 3)` uint8 RGB.
    """
    image = _open_image(upload, max_pixels)
    width, height = image.size
    if max(width, height) > max_aspect_ratio * min(width, height):
        raise UploadError(
            f'"{upload.filename or "The upload"}" has {width}x{height} '
            'pixels; the demo takes images whose longer side is at most '
            f'{max_aspect_ratio:g} times the shorter one. Crop it to a less '
            'elongated part.')
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
                     ignore_index: int = 255,
                     void_label: Optional[int] = None,
                     min_side: int = MIN_LABEL_SIDE) -> np.ndarray:
    """Decode an uploaded label map, map void to ignore, check its values.

    Args:
        upload (Upload): The uploaded file.
        max_pixels (int): Largest width x height accepted.
        num_classes (int): Valid class indices are ``0..num_classes-1``.
        class_names (Sequence[str]): For the message. Defaults to ().
        ignore_index (int): The value of unlabelled pixels.
            Defaults to 255.
        void_label (int, optional): The dataset's value of unlabelled
            pixels (CamVid's 11), mapped to ``ignore_index`` as the
            dataset's label loader maps it. Defaults to None.
        min_side (int): Shortest width and height taken.
            Defaults to :data:`MIN_LABEL_SIDE`.

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
    if void_label is not None:
        label[label == void_label] = ignore_index
    values, counts = np.unique(label, return_counts=True)
    bad = [(int(v), int(c)) for v, c in zip(values, counts)
           if not (0 <= v < num_classes or v == ignore_index)]
    if bad:
        listed = ', '.join(f'{value} ({count / label.size:.1%} of pixels)'
                           for value, count in bad[:8])
        more = f' and {len(bad) - 8} more' if len(bad) > 8 else ''
        names = f' ({class_names[0]} ... {class_names[-1]})' \
            if len(class_names) == num_classes and num_classes else ''
        void = '' if void_label is None else f', {void_label} (void)'
        raise UploadError(
            f'"{name}" holds label values outside the {num_classes} classes: '
            f'{listed}{more}. Allowed are 0-{num_classes - 1}{names}{void} '
            f'and {ignore_index} for unlabelled pixels; map other values to '
            f'{ignore_index} first.')
    if min(image.size) < min_side:
        raise UploadError(
            f'"{name}" has {image.width}x{image.height} pixels; the demo '
            f'takes label maps of at least {min_side} pixels on each side '
            '(the generator halves the map several times). Upload a larger '
            'label map.')
    return label.astype(np.uint8)
