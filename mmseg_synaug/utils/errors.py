"""Bad user input: one error type, and one way for tools to report it.

A :class:`DataError` says what is wrong, where (the file or setting) and
the fix. :func:`run_tool` runs a tool's ``main`` so that such an error
reaches the user as one short message on stderr and exit status 1, instead
of a traceback (twice, when a DataLoader worker raised it). ``--debug`` on
the command line or ``SYNAUG_DEBUG=1`` shows the full traceback instead.
"""
import os
import sys
from typing import Any, Callable, List, Optional

#: Environment variable that makes :func:`run_tool` show tracebacks.
DEBUG_ENV = 'SYNAUG_DEBUG'

#: Exit status of a tool stopped by a :class:`DataError`.
EXIT_DATA_ERROR = 1


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
        tool = os.path.basename(sys.argv[0]) if sys.argv else 'tool'
        sys.stdout.flush()
        print(
            f'\n{tool}: error: {error_message(error)}\n'
            f'(--debug or {DEBUG_ENV}=1 shows the traceback)',
            file=sys.stderr,
            flush=True)
        sys.exit(EXIT_DATA_ERROR)
