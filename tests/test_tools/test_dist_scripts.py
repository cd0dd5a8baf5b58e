"""tools/dist_train.sh and tools/dist_test.sh as a user runs them.

Missing arguments get a usage line (exit 2, as argparse), an interpreter
without torch one line saying how to get one (exit 1), and with no PYTHON
set the scripts run the project's .venv, whatever ``python`` is on PATH.
"""
import os
import subprocess
import sys
from typing import Dict, List

import pytest

from helpers import BASELINE, REPO_ROOT, free_port

#: A PATH without the project's .venv: the system's tools only.
SYSTEM_PATH = '/usr/local/bin:/usr/bin:/bin'
VENV_PYTHON = REPO_ROOT / '.venv' / 'bin' / 'python'


def run_script(args: List[str],
               env: Dict[str, str],
               timeout: int = 300) -> subprocess.CompletedProcess:
    """Run ``bash tools/<script> ARGS`` in the repository, as a user does."""
    return subprocess.run(
        ['bash'] + [str(a) for a in args],
        cwd=REPO_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        timeout=timeout)


def user_env(**extra: str) -> Dict[str, str]:
    """The environment without PYTHON, the .venv off PATH."""
    env = {k: v for k, v in os.environ.items() if k != 'PYTHON'}
    env.update(PATH=SYSTEM_PATH, OMP_NUM_THREADS='1', **extra)
    return env


CALLS = {
    'train, no argument': (['tools/dist_train.sh'], 'usage: tools/dist_train'
                           '.sh CONFIG GPUS', 'CONFIG and GPUS'),
    'train, no GPUS':
    (['tools/dist_train.sh',
      BASELINE], 'usage: tools/dist_train.sh', 'CONFIG and GPUS'),
    'train, GPUS not a number': (['tools/dist_train.sh', BASELINE,
                                  'two'], 'usage: tools/dist_train.sh',
                                 "GPUS must be a number of processes >= 1, "
                                 "got 'two'"),
    'test, no argument':
    (['tools/dist_test.sh'], 'usage: tools/dist_test.sh '
     'CONFIG CHECKPOINT GPUS', 'CONFIG, CHECKPOINT and GPUS'),
    'test, GPUS 0': (['tools/dist_test.sh', BASELINE, 'x.pth',
                      '0'], 'usage: tools/dist_test.sh', 'got \'0\''),
}


@pytest.mark.parametrize('case', list(CALLS))
def test_missing_arguments_print_the_usage(case):
    args, usage, error = CALLS[case]
    result = run_script(args, user_env())
    assert result.returncode == 2, result
    assert result.stderr.startswith(usage), result.stderr
    assert error in result.stderr
    assert len(result.stderr.splitlines()) == 2, result.stderr
    assert 'Traceback' not in result.stdout + result.stderr


def test_help_prints_the_usage():
    result = run_script(['tools/dist_train.sh', '--help'], user_env())
    assert result.returncode == 0
    assert result.stdout.startswith('usage: tools/dist_train.sh CONFIG GPUS')


@pytest.mark.parametrize('script', ['dist_train.sh', 'dist_test.sh'])
def test_python_without_torch_is_one_line(script, tmp_path):
    # A real interpreter with nothing installed: a fresh venv.
    venv = tmp_path / 'bare'
    subprocess.run([sys.executable, '-m', 'venv', '--without-pip',
                    str(venv)],
                   check=True)
    args = [BASELINE, '1'] if script == 'dist_train.sh' else \
        [BASELINE, 'x.pth', '1']
    result = run_script([f'tools/{script}', *args],
                        user_env(PYTHON=str(venv / 'bin' / 'python')))
    assert result.returncode == 1, result
    assert result.stderr.strip() == (
        f'{script}: error: {venv}/bin/python has no torch; run `make '
        f'setup` (it makes {REPO_ROOT}/.venv) or set PYTHON=/path/to/python '
        'of an environment with the project installed'), result.stderr
    assert 'Traceback' not in result.stdout + result.stderr


@pytest.mark.skipif(
    not VENV_PYTHON.is_file(),
    reason=f'no {VENV_PYTHON}: the tests run outside `make setup`\'s venv')
def test_runs_the_project_venv_without_python_set():
    """As after `make setup` in a shell where the venv is not activated."""
    result = run_script(['tools/dist_train.sh', BASELINE, '1', '--help'],
                        user_env(PORT=str(free_port())),
                        timeout=600)
    assert result.returncode == 0, result.stderr[-4000:]
    assert 'usage: train.py' in result.stdout
    assert 'No module named' not in result.stderr
