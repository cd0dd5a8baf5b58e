"""demo/web_demo.py's command line, run as a user runs it (subprocess).

A port that is taken, a missing checkpoint: one line saying what to
change, exit status 1, no traceback unless ``--debug``.
"""
import socket
import subprocess
import sys

from helpers import REPO_ROOT

CONFIG = REPO_ROOT / 'configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py'


def run_demo(*args: str) -> subprocess.CompletedProcess:
    """Run ``python demo/web_demo.py ARGS``; it must stop by itself."""
    return subprocess.run(
        [sys.executable, 'demo/web_demo.py', *map(str, args)],
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=300)


def test_busy_port_names_the_port_and_the_option(segmentor_checkpoint):
    with socket.socket() as taken:
        taken.bind(('127.0.0.1', 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_demo(CONFIG, segmentor_checkpoint, '--port', port)
    assert result.returncode == 1, result.stderr[-3000:]
    assert 'Traceback' not in result.stderr
    error = [
        line for line in result.stderr.splitlines()
        if line.startswith('web_demo.py: error')
    ]
    assert error == [
        f'web_demo.py: error: Port {port} on 127.0.0.1 is in use: another '
        'program (or another web demo) listens there. Stop it, or pass '
        'another --port (--port 0 picks a free one).'
    ], result.stderr[-3000:]
    assert 'Serving' not in result.stdout


def test_port_out_of_range_is_a_usage_error():
    result = run_demo(CONFIG, 'w.pth', '--port', '70000')
    assert result.returncode == 2
    assert '\nusage: web_demo.py' in '\n' + result.stderr
    assert 'error: --port must be in 0-65535' in result.stderr


def test_debug_shows_the_traceback_of_an_error(tmp_path):
    missing = tmp_path / 'missing.pth'
    result = run_demo(CONFIG, missing)
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr
    assert result.stderr.rstrip().endswith(
        f'web_demo.py: error: The checkpoint file `{missing}` does not '
        'exist.\n(--debug shows the traceback)'), result.stderr[-3000:]
    result = run_demo(CONFIG, missing, '--debug')
    assert result.returncode == 1
    assert 'Traceback (most recent call last)' in result.stderr
    assert 'FileNotFoundError' in result.stderr
