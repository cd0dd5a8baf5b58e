"""Test-only start-up hook: make a process look like the GPU kit's machine.

Put this folder first on ``PYTHONPATH`` of a subprocess. With
``SYNAUG_BLOCK_IMPORTS=mmagic.models`` (comma-separated module names),
importing any of them (or their submodules) raises ImportError, as
importing ``mmagic.models`` fails under numpy 2; every attempt is appended
to the file ``SYNAUG_BLOCK_LOG`` if set. With ``SYNAUG_NO_BOOL8=1``,
``numpy.bool8`` (removed in numpy 2) is removed.
"""
import importlib.abc
import os
import sys

_BLOCKED = [
    name for name in os.environ.get('SYNAUG_BLOCK_IMPORTS', '').split(',')
    if name
]
_LOG = os.environ.get('SYNAUG_BLOCK_LOG')


class _BlockImports(importlib.abc.MetaPathFinder):

    def find_spec(self, name, path=None, target=None):
        if any(name == b or name.startswith(b + '.') for b in _BLOCKED):
            if _LOG:
                with open(_LOG, 'a') as f:
                    f.write(name + '\n')
            raise ImportError(f'{name} is blocked by the test (as where it '
                              'cannot be imported)')
        return None


if _BLOCKED:
    sys.meta_path.insert(0, _BlockImports())

if os.environ.get('SYNAUG_NO_BOOL8') == '1':
    import numpy
    getattr(numpy, '__deprecated_attrs__', {}).pop('bool8', None)
    getattr(numpy, '__expired_functions__', {}).pop('bool8', None)
    numpy.__dict__.pop('bool8', None)
