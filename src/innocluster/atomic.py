"""Atomic file writes: a crash or interruption never leaves a half-written result.

Every result file is written to a temporary file in the same directory and then
moved into place with :func:`os.replace`, which is atomic on POSIX file systems.
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def atomic_write(path: str | os.PathLike, writer: Callable[[Path], None]) -> Path:
    """Call ``writer(tmp_path)`` and move the temporary file to ``path`` atomically.

    Parameters
    ----------
    path : path-like
        Final destination. Parent directories are created.
    writer : callable
        Receives a temporary path in the same directory and must write the file there.

    Returns
    -------
    pathlib.Path
        The final path.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder; give a file name", str(path))
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        # the error names the file asked for, not the temporary file beside it
        raise type(exc)(exc.errno, f"cannot write there ({exc.strerror or exc})", str(path)) from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        writer(tmp_path)
        with open(tmp_path, "rb") as fh:
            os.fsync(fh.fileno())
        # mkstemp creates 0600; give the file the permissions a plain open() would
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp_path, 0o666 & ~umask)
        os.replace(tmp_path, path)
    except BaseException:
        tmp_path.unlink(missing_ok=True)
        raise
    return path


def atomic_write_text(path: str | os.PathLike, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically."""
    return atomic_write(path, lambda p: p.write_text(text, encoding=encoding))


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically."""
    return atomic_write(path, lambda p: p.write_bytes(data))


def atomic_to_parquet(df, path: str | os.PathLike) -> Path:
    """Write a pandas DataFrame to Parquet atomically (pyarrow engine, no index)."""
    return atomic_write(path, lambda p: df.to_parquet(p, engine="pyarrow", index=False))
