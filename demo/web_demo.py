"""Serve a web page that segments uploaded images with a trained model.

Usage:
    python demo/web_demo.py CONFIG CHECKPOINT [--device cpu]
        [--generator-config GEN_CONFIG --generator-checkpoint GEN_CHECKPOINT]
        [--host 127.0.0.1] [--port 8000] [--max-upload-mb 10]
        [--opacity 0.5] [--non-strict] [--debug]

Open the printed address in a browser, upload an image and see the
predicted mask over it with a legend of the classes. With a trained
label-to-image generator (a pix2pixHD checkpoint with the config it was
trained with, from configs/pix2pixhd/), a second panel turns an uploaded label
map (an index PNG such as CamVid's own, void 11 taken as unlabelled) into a
synthesized image. Checkpoints must match their configs: one of another
model is refused unless ``--non-strict`` is given. Stop the server with
Ctrl+C.

A bad file or setting, or a port that is taken, stops the command with one
line saying what to change (exit status 1; ``--debug`` shows the
traceback); a command line it cannot parse exits 2 with the usage.
"""
import argparse
import errno
import logging
import socket
import sys

from mmseg_synaug.apis import init_generator, init_segmentor
from mmseg_synaug.webapp import WebDemo, make_server


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Web demo: segment uploaded images in the browser')
    parser.add_argument('config', help='segmentor config file')
    parser.add_argument('checkpoint', help='segmentor checkpoint file')
    parser.add_argument(
        '--generator-config',
        help='config of a trained label-to-image generator; turns on the '
        'label map -> image panel (with --generator-checkpoint)')
    parser.add_argument(
        '--generator-checkpoint', help='checkpoint of that generator')
    parser.add_argument(
        '--device', default='cpu', help='device, e.g. cpu or cuda:0')
    parser.add_argument(
        '--host',
        default='127.0.0.1',
        help='interface to listen on; 0.0.0.0 serves other machines too')
    parser.add_argument(
        '--port', type=int, default=8000, help='port; 0 picks a free one')
    parser.add_argument(
        '--max-upload-mb',
        type=float,
        default=10,
        help='largest file a user may upload, in MB')
    parser.add_argument(
        '--opacity',
        type=float,
        default=0.5,
        help='weight of the mask colours over the image, in (0, 1]')
    parser.add_argument(
        '--non-strict',
        action='store_true',
        help='load checkpoints whose keys or shapes differ from the '
        'models of the configs (only the matching weights are loaded)')
    parser.add_argument(
        '--debug',
        action='store_true',
        help='show the full traceback of errors')
    args = parser.parse_args()
    if (args.generator_config is None) != (args.generator_checkpoint is None):
        parser.error('--generator-config and --generator-checkpoint go '
                     'together: give both or neither')
    if not 0 <= args.port <= 65535:
        parser.error('--port must be in 0-65535 (0 picks a free one)')
    if not args.max_upload_mb > 0:
        parser.error('--max-upload-mb must be positive')
    if not 0 < args.opacity <= 1:
        parser.error('--opacity must be in (0, 1]')
    return args


def bind_error(error: OSError, host: str, port: int) -> str:
    """Say why the server could not listen on ``host:port``, and the fix.

    Args:
        error (OSError): What binding the socket raised.
        host (str): The ``--host`` asked for.
        port (int): The ``--port`` asked for.

    Returns:
        str: The message.
    """
    if error.errno == errno.EADDRINUSE:
        return (f'Port {port} on {host} is in use: another program (or '
                'another web demo) listens there. Stop it, or pass another '
                '--port (--port 0 picks a free one).')
    if error.errno == errno.EACCES:
        return (f'Port {port} on {host} needs privileges this user lacks '
                '(ports below 1024 do). Pass --port 8000, or another port '
                'of 1024 or above.')
    if isinstance(error,
                  socket.gaierror) or error.errno in (errno.EADDRNOTAVAIL,
                                                      errno.EAFNOSUPPORT):
        return (f'Cannot listen on --host {host}: it is not an address of '
                'this machine. Pass --host 127.0.0.1 (this machine only) or '
                '0.0.0.0 (other machines too).')
    return f'Cannot listen on {host}:{port}: {error}'


def main() -> None:
    args = parse_args()
    logging.basicConfig(
        level=logging.INFO,
        format='%(asctime)s %(message)s',
        stream=sys.stderr)
    try:
        model = init_segmentor(
            args.config,
            args.checkpoint,
            device=args.device,
            strict=not args.non_strict)
        generator = None
        if args.generator_config is not None:
            generator = init_generator(
                args.generator_config,
                args.generator_checkpoint,
                device=args.device,
                strict=not args.non_strict)
        demo = WebDemo(
            model,
            generator=generator,
            max_upload_mb=args.max_upload_mb,
            opacity=args.opacity)
    except (OSError, ValueError, TypeError) as error:
        if args.debug:
            raise
        sys.exit(f'web_demo.py: error: {error}\n(--debug shows the '
                 'traceback)')
    try:
        server = make_server(demo, args.host, args.port)
    except OSError as error:
        if args.debug:
            raise
        sys.exit(f'web_demo.py: error: '
                 f'{bind_error(error, args.host, args.port)}')
    print(f'Serving the web demo on {server.url} (Ctrl+C to stop)', flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == '__main__':
    main()
