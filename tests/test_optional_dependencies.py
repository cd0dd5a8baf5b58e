"""The package imports without its extras and names the extra when needed.

Each case runs a fresh interpreter in which importing the blocked packages
raises ``ModuleNotFoundError`` (as on a machine without them), imports
``mmseg_synaug``, builds the CPU PSPNet from its config and then builds
``AlbuSeg``. Pillow is not among the optional packages: mmcv imports it
at start-up (and mmcv, mmengine's matplotlib require it), so the ``demo``
extra only makes it explicit.
"""
import subprocess
import sys
import textwrap

from helpers import REPO_ROOT

PSPNET = REPO_ROOT / 'configs/pspnet/pspnet_r18_1xb8-1k_camvid-256x256.py'

SCRIPT = textwrap.dedent('''
    import importlib.abc
    import sys

    BLOCKED = set(sys.argv[1].split(','))


    class Blocker(importlib.abc.MetaPathFinder):

        def find_spec(self, name, path=None, target=None):
            if name.partition('.')[0] in BLOCKED:
                raise ModuleNotFoundError(
                    f'No module named {name!r} (blocked by the test)',
                    name=name)
            return None


    sys.meta_path.insert(0, Blocker())

    import mmseg_synaug  # noqa: E402,F401
    from mmengine.config import Config  # noqa: E402
    from mmseg.registry import MODELS, TRANSFORMS  # noqa: E402

    cfg = Config.fromfile(sys.argv[2])
    model = MODELS.build(cfg.model)
    print('PARAMS', sum(p.numel() for p in model.parameters()))
    print('LOADED', sorted(
        name for name in sys.modules if name.partition('.')[0] in BLOCKED))
    try:
        TRANSFORMS.build(
            dict(type='AlbuSeg', transforms=[dict(type='HorizontalFlip')]))
        print('ALBUSEG built')
    except ImportError as error:
        print('ALBUSEG', error)
''')


def run_without(*blocked: str) -> str:
    """Run :data:`SCRIPT` with ``blocked`` unimportable; return its stdout."""
    result = subprocess.run(
        [sys.executable, '-c', SCRIPT, ','.join(blocked),
         str(PSPNET)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_imports_and_builds_pspnet_without_albumentations_and_playwright():
    out = run_without('albumentations', 'albucore', 'playwright')
    params = int(out.split('PARAMS ')[1].split()[0])
    assert params > 1_000_000  # a ResNet-18 PSPNet
    assert 'LOADED []' in out
    # AlbuSeg says which extra installs what it misses.
    albu_line = out.split('ALBUSEG ')[1].splitlines()[0]
    assert 'AlbuSeg needs albumentations' in albu_line
    assert "pip install 'mmseg_synaug[albu]'" in albu_line


def test_albuseg_builds_with_albumentations():
    out = run_without('playwright')
    assert 'ALBUSEG built' in out


def test_imports_and_builds_pspnet_without_mmagic():
    out = run_without('mmagic', 'diffusers', 'transformers')
    assert 'LOADED []' in out
