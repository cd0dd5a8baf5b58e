"""Serve the web demo with the standard library's threaded HTTP server.

:class:`~mmseg_synaug.webapp.app.WebDemo` answers the requests; this
module only moves bytes between a socket and it.
"""
import http.server
import logging
from typing import Tuple

from .app import Response, WebDemo

__all__ = ['WebDemoServer', 'make_server']

logger = logging.getLogger(__name__)

#: Bodies up to this size are read and dropped before a "too large" answer:
#: a server that closes a connection with unread data resets it, and a
#: client may then lose the answer. Larger ones are refused unread.
DRAIN_LIMIT_BYTES = 1 << 30


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
