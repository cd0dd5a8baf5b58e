"""A run of the suite says where the real data comes from, first.

On a clone without the datasets the tests that need them skip: the run
says so in its first line (under ``-q`` too, as `make test` runs) and
names the variable that brings the data, and counts the skips at the end.
"""
import os
import subprocess
import sys

from helpers import REPO_ROOT

#: Every test of this file needs the real CamVid.
CAMVID_TESTS = 'tests/test_datasets/test_camvid.py'


def run_pytest(data_root: str, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, SYNAUG_DATA_ROOT=data_root, OMP_NUM_THREADS='1')
    return subprocess.run([
        sys.executable, '-m', 'pytest', CAMVID_TESTS, '-q', '-p',
        'no:cacheprovider', *args
    ],
                          cwd=REPO_ROOT,
                          env=env,
                          stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT,
                          text=True,
                          timeout=600)


def test_a_run_without_the_data_says_so_first(tmp_path):
    result = run_pytest(str(tmp_path))
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stdout[-3000:]
    assert lines[0] == (
        f'real data: camvid, fasseg_frontal not found in '
        f'$SYNAUG_DATA_ROOT={tmp_path}: the tests that need it SKIP. To run '
        'them, set SYNAUG_DATA_ROOT to the folder that holds camvid/ and '
        'fasseg_frontal/ (README.md, Data)'), result.stdout[:2000]
    assert ' passed' not in result.stdout
    assert any(
        line.startswith('7 tests skipped without the real data: ')
        for line in lines), result.stdout[-2000:]


def test_a_run_with_the_data_names_its_folder(camvid_root):
    data_root = os.path.dirname(camvid_root)
    result = run_pytest(data_root, '--collect-only')
    first = result.stdout.splitlines()[0]
    assert first.startswith(
        f'real data: camvid from {camvid_root} ($SYNAUG_DATA_ROOT)'), \
        result.stdout[:2000]
