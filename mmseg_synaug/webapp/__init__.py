"""The web demo: upload an image, see its predicted mask; upload a label
map, see the image a trained generator synthesizes from it.

Built on :mod:`mmseg_synaug.apis`: :class:`WebDemo` turns requests into
responses and knows nothing of sockets (tested in-process),
:func:`make_server` serves it with the standard library's threaded HTTP
server, and ``demo/web_demo.py`` is the command line.
"""
from .app import Response, WebDemo, legend_entries, overlay
from .page import Figure, LegendEntry, png_bytes, render_page
from .server import WebDemoServer, make_server
from .uploads import (Upload, UploadError, decode_image, decode_label_map,
                      parse_multipart)

__all__ = [
    'Response', 'WebDemo', 'legend_entries', 'overlay', 'Figure',
    'LegendEntry', 'png_bytes', 'render_page', 'WebDemoServer', 'make_server',
    'Upload', 'UploadError', 'decode_image', 'decode_label_map',
    'parse_multipart'
]
