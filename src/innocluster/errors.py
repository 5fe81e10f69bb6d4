"""Errors that reach the user as one line.

Every problem with user input (a scenario file, a ``--set`` override, a data file, an
argument of a Python call) raises :class:`InputError` with a message that names the
file, the field, the value and what is allowed. The CLI prints the message alone and
exits with code 2; no traceback ever reaches the user for bad input.

The library speaks Python: an error about an argument names the Python parameter
(``years = 0: must be at least 1``) and records it in :attr:`InputError.param`. Only
the command line knows its flags; it renames the parameter to the flag the user typed
(``--years = 0: must be at least 1``) with :meth:`InputError.for_cli`.
"""

from __future__ import annotations

from collections.abc import Mapping


class InputError(ValueError):
    """Bad user input; ``str(err)`` is a complete one-line message.

    Parameters
    ----------
    message : str
        The message. When ``param`` is given the message starts with the parameter's
        name (``"years = 0: must be at least 1"``).
    param : str, optional
        The Python parameter the message is about (``"years"``, ``"conf_level"``).
    """

    def __init__(self, message: str, *, param: str | None = None):
        # Collapse to one line: the CLI contract is a single line on stderr.
        super().__init__(" ".join(str(message).split()))
        self.param = param

    def for_cli(self, flags: Mapping[str, str] | None = None) -> str:
        """The message with the parameter renamed to its command-line flag.

        ``flags`` maps Python parameters to flags where they differ from the default
        ``--`` + name with ``_`` as ``-`` (``overrides`` -> ``--set``).
        """
        text = str(self)
        if not self.param or not text.startswith(self.param):
            return text
        flag = (flags or {}).get(self.param) or "--" + self.param.replace("_", "-")
        return flag + text[len(self.param):]
