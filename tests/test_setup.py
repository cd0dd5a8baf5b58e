"""setup.py declares ranges that hold the pins `make setup` installs.

The metadata is read as pip reads it (``pip install --dry-run --report``),
the pins from requirements/*.txt.
"""
import json
import re
import subprocess
import sys
from collections import defaultdict
from typing import Dict, List

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from helpers import REPO_ROOT

OPENCV = {
    'opencv-python', 'opencv-python-headless', 'opencv-contrib-python',
    'opencv-contrib-python-headless'
}


@pytest.fixture(scope='module')
def metadata(tmp_path_factory) -> dict:
    """The core metadata pip computes for this repository."""
    report = tmp_path_factory.mktemp('pip') / 'report.json'
    command = [
        sys.executable, '-m', 'pip', 'install', '--quiet', '--dry-run',
        '--no-deps', '--no-build-isolation', '--ignore-installed', '--report',
        str(report),
        str(REPO_ROOT)
    ]
    subprocess.run(command, check=True, cwd=REPO_ROOT)
    return json.loads(report.read_text())['install'][0]['metadata']


@pytest.fixture(scope='module')
def requirements(metadata) -> Dict[str, List[Requirement]]:
    """requires_dist by extra ('' for install_requires)."""
    by_extra = defaultdict(list)
    for line in metadata['requires_dist']:
        req = Requirement(line)
        extra = ''
        if req.marker is not None:
            extra = re.search(r'extra == "([^"]+)"', str(req.marker)).group(1)
        by_extra[extra].append(req)
    return by_extra


def pins() -> Dict[str, Version]:
    """Every ``name==version`` line of requirements/*.txt."""
    found = {}
    for path in sorted((REPO_ROOT / 'requirements').glob('*.txt')):
        for line in path.read_text().splitlines():
            line = line.split('#')[0].strip()
            if '==' in line:
                name, version = line.split('==')
                found[canonicalize_name(name)] = Version(version)
    return found


def names(reqs: List[Requirement]) -> set:
    return {canonicalize_name(req.name) for req in reqs}


def test_python_requires_holds_here(metadata):
    assert metadata['requires_python'] == '>=3.11'
    running = '.'.join(map(str, sys.version_info[:3]))
    assert Version(running) >= Version('3.11')


def test_ranges_not_pins_and_pins_inside_ranges(requirements):
    pinned = pins()
    checked = 0
    for extra, reqs in requirements.items():
        for req in reqs:
            assert not any(s.operator in ('==', '===')
                           for s in req.specifier), (
                               f'{req} ({extra or "core"}): declare a '
                               'range; exact pins go to requirements/*.txt')
            name = canonicalize_name(req.name)
            if name in pinned:
                assert req.specifier.contains(pinned[name]), (
                    f'{req} ({extra or "core"}) excludes the tested pin '
                    f'{name}=={pinned[name]} of requirements/*.txt')
                checked += 1
    assert checked >= 15


def test_core_and_extras(requirements):
    assert set(requirements) == {
        '', 'synthesis', 'albu', 'demo', 'tests', 'all'
    }
    core = names(requirements[''])
    assert {'torch', 'mmcv', 'mmengine', 'mmsegmentation', 'numpy'} <= core
    # One opencv: the one mmengine and mmcv require.
    assert core & OPENCV == {'opencv-python'}
    for extra, package in [('synthesis', 'mmagic'), ('albu', 'albumentations'),
                           ('demo', 'pillow'), ('tests', 'playwright')]:
        assert package not in core
        assert package in names(requirements[extra])
        assert package in names(requirements['all'])
    assert not OPENCV & set().union(*(names(reqs)
                                      for extra, reqs in requirements.items()
                                      if extra))
    # numpy 2 is allowed, except with MMagic 1.2.0 (np.bool8).
    numpy = {canonicalize_name(r.name): r for r in requirements['']}['numpy']
    assert numpy.specifier.contains('2.5.2')
    synthesis = {
        canonicalize_name(r.name): r
        for r in requirements['synthesis']
    }
    assert not synthesis['numpy'].specifier.contains('2.0.0')


def test_make_setup_installs_every_requirements_file():
    makefile = (REPO_ROOT / 'Makefile').read_text()
    listed = re.search(r'^REQUIREMENTS := (.*)$', makefile, re.M).group(1)
    files = {p.name for p in (REPO_ROOT / 'requirements').glob('*.txt')}
    # build.txt goes in first, before mmcv is built.
    assert set(listed.split()) == files - {'build.txt'}
    assert '-r requirements/build.txt' in makefile
