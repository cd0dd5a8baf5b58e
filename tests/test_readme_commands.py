"""The commands of the READMEs and docs/ run as written after `make setup`.

`make setup` puts torch and the project into ``.venv`` only: a command
that runs a bare ``python`` finds neither. Every command runs Python tools
with ``.venv/bin/python``, and every script it names exists.
"""
import re
from pathlib import Path
from typing import List

import pytest

from helpers import REPO_ROOT

DOCS = sorted([
    REPO_ROOT / 'README.md', REPO_ROOT / 'configs/README.md',
    *REPO_ROOT.glob('configs/*/README.md'), *REPO_ROOT.glob('docs/*.md')
])
#: ``python tools/...`` or ``python3 demo/...`` not behind ``.venv/bin/``.
BARE_PYTHON = re.compile(r'(?:^|[\s`(])(python3?) ((?:tools|demo)/\S+)', re.M)
VENV_COMMAND = re.compile(r'\.venv/bin/python ((?:tools|demo)/\S+\.py)\b')


def relative(path: Path) -> str:
    return str(path.relative_to(REPO_ROOT))


@pytest.mark.parametrize('doc', DOCS, ids=relative)
def test_commands_run_the_venv_python(doc: Path):
    text = doc.read_text()
    bare: List[str] = [
        f'{relative(doc)}:{text.count(chr(10), 0, m.start()) + 1}: '
        f'{m[1]} {m[2]}' for m in BARE_PYTHON.finditer(text)
    ]
    assert not bare, ('bare python has no torch after `make setup`; write '
                      '.venv/bin/python:\n' + '\n'.join(bare))
    missing = sorted({
        script
        for script in VENV_COMMAND.findall(text)
        if not (REPO_ROOT / script).is_file()
    })
    assert not missing, f'{relative(doc)} runs scripts that do not ' \
        f'exist: {missing}'
