"""The web demo's one HTML page: upload forms, a message, and results.

Everything is rendered on the server and works without JavaScript; result
images are embedded as ``data:`` URLs, so the server keeps no state.
"""
import base64
import html
import io
from dataclasses import dataclass
from typing import List, Optional, Sequence

import numpy as np
from PIL import Image

from .uploads import MAX_ASPECT_RATIO, MIN_LABEL_SIDE

__all__ = ['LegendEntry', 'Figure', 'png_bytes', 'render_page']

_STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto;
       max-width: 70rem; padding: 0 1rem; color: #222; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; }
.model { color: #555; margin-top: 0; }
.panels { display: flex; flex-wrap: wrap; gap: 1rem; }
.panel { flex: 1 1 24rem; border: 1px solid #ccc; border-radius: 6px;
         padding: 0.8rem 1rem; }
.panel h2 { font-size: 1.1rem; margin-top: 0; }
.hint { color: #555; font-size: 0.9rem; }
code { background: #f3f3f3; padding: 0 0.2rem; white-space: nowrap; }
.error { background: #fde8e8; border: 1px solid #d33; color: #900;
         border-radius: 6px; padding: 0.6rem 1rem; }
.figures { display: flex; flex-wrap: wrap; gap: 1rem; }
figure { margin: 0; }
figure img { max-width: 100%; border: 1px solid #ccc; }
figcaption { color: #555; font-size: 0.9rem; }
#legend { list-style: none; padding: 0; columns: 2; max-width: 30rem; }
#legend li { margin: 0.15rem 0; }
#legend li.absent { color: #999; }
.swatch { display: inline-block; width: 1rem; height: 1rem;
          vertical-align: middle; margin-right: 0.4rem;
          border: 1px solid #555; }
"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{style}</style>
</head>
<body>
<h1>{title}</h1>
<p class="model">{model}</p>
{message}
<div class="panels">
<section class="panel" id="segment-panel">
<h2>Segment an image</h2>
<form id="segment-form" action="/predict" method="post"
      enctype="multipart/form-data">
<input type="file" id="image-input" name="image" accept="image/*">
<button type="submit" id="segment-button">Segment</button>
</form>
<p class="hint">PNG, JPEG, BMP, TIFF, WebP or GIF, up to {max_mb} MB,
the longer side at most {max_aspect} times the shorter one.</p>
</section>
<section class="panel" id="synthesize-panel">
<h2>Synthesize an image from a label map</h2>
{synthesize}
</section>
</div>
{result}
</body>
</html>
"""

_SYNTHESIZE_FORM = """\
<form id="synthesize-form" action="/synthesize" method="post"
      enctype="multipart/form-data">
<input type="file" id="label-input" name="label" accept="image/png">
<button type="submit" id="synthesize-button">Synthesize</button>
</form>
<p class="hint">A single-channel or palette PNG whose pixel values are
class indices 0-{last_class}, or 255{void} for unlabelled pixels; at least
{min_side} pixels on each side, up to {max_mb} MB.</p>
"""

_SYNTHESIZE_OFF = """<p id="generator-off" class="hint">No label-to-image
generator is loaded. Start the demo with
<code>--generator-config CONFIG</code> and
<code>--generator-checkpoint CHECKPOINT</code> of a trained label-to-image
generator to turn this panel on.</p>
"""


@dataclass
class LegendEntry:
    """One class in the legend.

    Args:
        name (str): Class name.
        color (Sequence[int]): RGB palette colour.
        share (float): Fraction of the pixels predicted as this class.
    """
    name: str
    color: Sequence[int]
    share: float


@dataclass
class Figure:
    """An image on the result page.

    Args:
        element_id (str): The ``id`` of the ``<img>``.
        png (bytes): PNG file content.
        caption (str): Caption under the image.
    """
    element_id: str
    png: bytes
    caption: str


def png_bytes(image: np.ndarray) -> bytes:
    """Encode an ``(H, W, 3)`` or ``(H, W)`` uint8 array as a PNG file.

    Args:
        image (np.ndarray): RGB or grey image.

    Returns:
        bytes: The PNG file content.
    """
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format='PNG', compress_level=3)
    return buffer.getvalue()


def _render_legend(entries: Sequence[LegendEntry]) -> str:
    items = []
    for entry in entries:
        red, green, blue = (int(c) for c in entry.color)
        present = entry.share > 0
        share = f' <span class="share">{entry.share:.1%}</span>' \
            if present else ''
        items.append(
            f'<li class="{"present" if present else "absent"}" '
            f'data-class="{html.escape(entry.name)}">'
            f'<span class="swatch" style="background: '
            f'rgb({red}, {green}, {blue})"></span>'
            f'<span class="name">{html.escape(entry.name)}</span>{share}</li>')
    return ('<h3>Classes</h3>\n<ul id="legend">\n' + '\n'.join(items) +
            '\n</ul>')


def _render_result(heading: str, figures: Sequence[Figure],
                   legend: Optional[Sequence[LegendEntry]]) -> str:
    parts = [
        f'<section id="result">\n<h2>{html.escape(heading)}</h2>',
        '<div class="figures">'
    ]
    for figure in figures:
        data = base64.b64encode(figure.png).decode('ascii')
        parts.append(f'<figure><img id="{figure.element_id}" '
                     f'src="data:image/png;base64,{data}" '
                     f'alt="{html.escape(figure.caption)}">'
                     f'<figcaption>{html.escape(figure.caption)}</figcaption>'
                     '</figure>')
    parts.append('</div>')
    if legend is not None:
        parts.append(_render_legend(legend))
    parts.append('</section>')
    return '\n'.join(parts)


def render_page(title: str,
                model: str,
                num_classes: int,
                max_upload_mb: float,
                generator_on: bool,
                void_label: Optional[int] = None,
                error: Optional[str] = None,
                heading: str = '',
                figures: Sequence[Figure] = (),
                legend: Optional[List[LegendEntry]] = None) -> bytes:
    """Render the page, with an error message or results where given.

    Args:
        title (str): Page title.
        model (str): One line about the loaded model.
        num_classes (int): Number of classes (for the label-map hint).
        max_upload_mb (float): Upload size limit, for the hints.
        generator_on (bool): Whether the label-map panel takes uploads.
        void_label (int, optional): The dataset's own value of unlabelled
            pixels, also taken (for the label-map hint). Defaults to None.
        error (str, optional): Message shown in an alert box.
            Defaults to None.
        heading (str): Heading of the results. Defaults to ''.
        figures (Sequence[Figure]): Result images. Defaults to ().
        legend (list[LegendEntry], optional): Class legend under the
            results. Defaults to None.

    Returns:
        bytes: UTF-8 HTML.
    """
    max_mb = f'{max_upload_mb:g}'
    message = '' if error is None else \
        f'<p id="error" class="error" role="alert">{html.escape(error)}</p>'
    synthesize = _SYNTHESIZE_FORM.format(
        last_class=num_classes - 1,
        max_mb=max_mb,
        min_side=MIN_LABEL_SIDE,
        void='' if void_label is None else f' (or {void_label})') \
        if generator_on else _SYNTHESIZE_OFF
    result = _render_result(heading, figures, legend) if figures else ''
    return _PAGE.format(
        title=html.escape(title),
        style=_STYLE,
        model=html.escape(model),
        message=message,
        max_mb=max_mb,
        max_aspect=f'{MAX_ASPECT_RATIO:g}',
        synthesize=synthesize,
        result=result).encode('utf-8')
