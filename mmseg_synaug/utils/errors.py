"""Bad user input: one error type, and one way for tools to report it.

A :class:`DataError` says what is wrong, where (the file or setting) and
the fix. :func:`run_tool` runs a tool's ``main`` so that such an error
reaches the user as one short message on stderr and exit status 1, instead
of a traceback (twice, when a DataLoader worker raised it). The errors of
mmengine that are bad input too are reported the same way
(:func:`known_error`: a ``type`` that no registry holds, with the close
registered names). Ctrl-C ends a tool with one line and exit status 130.
``--debug`` on the command line or ``SYNAUG_DEBUG=1`` shows the full
traceback instead.
"""
import difflib
import os
import re
import sys
from typing import Any, Callable, List, Optional, Set

#: Environment variable that makes :func:`run_tool` show tracebacks.
DEBUG_ENV = 'SYNAUG_DEBUG'

#: Exit status of a tool stopped by a :class:`DataError`.
EXIT_DATA_ERROR = 1

#: Exit status of a tool stopped by Ctrl-C (SIGINT), as a shell reports it.
EXIT_INTERRUPTED = 130


class DataError(ValueError):
    """Bad input data or settings, with the file concerned and how to fix it.

    Args:
        message (str): What is wrong, naming the file or setting.
        fix (str, optional): How to fix it. Defaults to None.
    """

    def __init__(self, message: str, fix: Optional[str] = None) -> None:
        self.fix = fix
        super().__init__(message if fix is None else f'{message} Fix: {fix}')


def debug_requested(argv: Optional[List[str]] = None) -> bool:
    """Whether ``--debug`` is in ``argv`` or ``SYNAUG_DEBUG`` is set.

    Args:
        argv (list[str], optional): Command line. Defaults to ``sys.argv``.

    Returns:
        bool: True when full tracebacks are wanted.
    """
    argv = sys.argv if argv is None else argv
    flag = os.environ.get(DEBUG_ENV, '')
    return '--debug' in argv or flag not in ('', '0')


def error_message(error: BaseException) -> str:
    """The user's message of a :class:`DataError`, however it was raised.

    torch re-raises an error of a DataLoader worker in the main process
    with the worker's whole traceback as its message; the original message
    is its last ``DataError: ...`` part.

    Args:
        error (BaseException): The error.

    Returns:
        str: The message, ``' Fix: '`` put on a line of its own.
    """
    message = str(error)
    if 'Original Traceback' in message and 'DataError: ' in message:
        message = message.rsplit('DataError: ', 1)[-1].strip()
        message += '\n(raised in a DataLoader worker)'
    return message.replace(' Fix: ', '\nFix: ', 1)


def registered_names(registry_name: str) -> Set[str]:
    """Every name registered in mmengine's registry ``registry_name``
    (``'model'``, ``'dataset'``, ...) and in its children (mmseg's,
    mmagic's, ...)."""
    from mmengine import registry as mmengine_registry
    roots = [
        value for value in vars(mmengine_registry).values()
        if isinstance(value, mmengine_registry.Registry)
        and value.name == registry_name
    ]
    names: Set[str] = set()
    while roots:
        registry = roots.pop()
        names.update(registry.module_dict)
        roots.extend(registry.children.values())
    return names


#: mmengine's message for a ``type`` no registry holds.
_NOT_REGISTERED = re.compile(
    r'(?P<name>[\w.]+) is not in the (?:(?P<scope>\w+)::)?'
    r'(?P<registry>[\w ]+) registry')


def known_error(error: BaseException) -> Optional[DataError]:
    """A :class:`DataError` for an error of mmengine that is bad input.

    A config's ``type`` that no registry holds (mmengine's ``KeyError``,
    raised while the Runner builds): the message names the type and the
    registered names closest to it.

    Args:
        error (BaseException): Raised by a tool's ``main``.

    Returns:
        DataError | None: The message to show; None for any other error.
    """
    if not isinstance(error, KeyError) or not error.args:
        return None
    match = _NOT_REGISTERED.search(str(error.args[0]))
    if match is None:
        return None
    name, registry = match['name'], match['registry']
    close = difflib.get_close_matches(
        name.split('.')[-1], sorted(registered_names(registry)), n=3)
    scope = f"{match['scope']}::" if match['scope'] else ''
    return DataError(
        f'The config asks for type=\'{name}\', which is not a registered '
        f'{registry} ({scope}{registry} registry)' +
        (f'; did you mean {", ".join(close)}?' if close else '.'),
        fix='Correct the `type` in the config (or in --cfg-options); a '
        'type of another package needs that package in the config\'s '
        "custom_imports, e.g. custom_imports = dict(imports=['mmseg_synaug'],"
        ' allow_failed_imports=False).')


def _report(message: str, status: int) -> None:
    """Print one tool error on stderr and exit with ``status``."""
    tool = os.path.basename(sys.argv[0]) if sys.argv else 'tool'
    sys.stdout.flush()
    print(
        f'\n{tool}: {message}\n'
        f'(--debug or {DEBUG_ENV}=1 shows the traceback)',
        file=sys.stderr,
        flush=True)
    sys.exit(status)


def run_tool(main: Callable[[], Any]) -> Any:
    """Run a tool's ``main``; a :class:`DataError` becomes one message.

    Use it as the last line of every tool::

        if __name__ == '__main__':
            run_tool(main)

    ``--debug`` is taken out of ``sys.argv`` (so the tool's own parser
    does not see it) and sets ``SYNAUG_DEBUG=1`` for the processes the tool
    starts; then errors propagate with their traceback.

    Args:
        main (Callable): The tool's entry point, taking no argument.

    Returns:
        Any: What ``main`` returns.
    """
    if '--debug' in sys.argv:
        sys.argv = [arg for arg in sys.argv if arg != '--debug']
        os.environ[DEBUG_ENV] = '1'
    if debug_requested():
        return main()
    try:
        return main()
    except DataError as error:
        _report(f'error: {error_message(error)}', EXIT_DATA_ERROR)
    except KeyboardInterrupt as error:
        # A tool may say what it saved (tools/train.py names its checkpoint).
        said = str(error) or 'stopped.'
        _report(f'interrupted (Ctrl-C): {said}', EXIT_INTERRUPTED)
    except Exception as error:
        known = known_error(error)
        if known is None:
            raise
        _report(f'error: {error_message(known)}', EXIT_DATA_ERROR)
