"""The one error type for bad user input: what is wrong, where, and the fix."""
from typing import Optional


class DataError(ValueError):
    """Bad input data or settings, with the file concerned and how to fix it.

    Args:
        message (str): What is wrong, naming the file or setting.
        fix (str, optional): How to fix it. Defaults to None.
    """

    def __init__(self, message: str, fix: Optional[str] = None) -> None:
        self.fix = fix
        super().__init__(message if fix is None else f'{message} Fix: {fix}')
