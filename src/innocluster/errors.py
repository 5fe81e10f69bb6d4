"""Errors that reach the user as one line.

Every problem with user input (a scenario file, a ``--set`` override, a data file)
raises :class:`InputError` with a message that names the file, the field, the value
and what is allowed. The CLI prints the message alone and exits with code 2; no
traceback ever reaches the user for bad input.
"""

from __future__ import annotations


class InputError(ValueError):
    """Bad user input; ``str(err)`` is a complete one-line message."""

    def __init__(self, message: str):
        # Collapse to one line: the CLI contract is a single line on stderr.
        super().__init__(" ".join(str(message).split()))
