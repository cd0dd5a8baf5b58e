"""Run a tool that must fail with one short message (import it)."""
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Optional

REPO_ROOT = Path(__file__).resolve().parents[2]

#: Most lines a failing tool may print before and with its message.
MAX_LINES = 25


def run_failing_tool(args: List[str],
                     env: Optional[Dict[str, str]] = None,
                     max_lines: Optional[int] = MAX_LINES,
                     timeout: int = 600) -> str:
    """Run ``python TOOL ARGS``; check it fails briefly; return its output.

    Checks: exit status 1 (a DataError, see ``run_tool``), no traceback,
    at most ``max_lines`` lines of output, one ``error:`` line and a
    ``Fix:`` line.

    Args:
        args (list[str]): The tool (``tools/train.py``) and its arguments.
        env (dict, optional): Extra environment variables.
        max_lines (int, optional): None: no limit (the Runner's logs
            come first). Defaults to :data:`MAX_LINES`.
        timeout (int): Seconds. Defaults to 600.

    Returns:
        str: stdout and stderr together.
    """
    result = subprocess.run(
        [sys.executable] + [str(a) for a in args],
        cwd=REPO_ROOT,
        env=dict(
            os.environ,
            PYTHONUNBUFFERED='1',
            OMP_NUM_THREADS='1',
            **(env or {})),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=timeout)
    output = result.stdout
    assert result.returncode == 1, (result.returncode, output[-4000:])
    assert 'Traceback' not in output, output[-4000:]
    lines = [line for line in output.splitlines() if line.strip()]
    assert max_lines is None or len(lines) <= max_lines, output[-4000:]
    assert output.count('error: ') == 1 and '\nFix: ' in output, output
    return output
