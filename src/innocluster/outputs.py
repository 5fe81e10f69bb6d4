"""Output folders written whole or not at all.

A command that writes several files (a run, a monitor report, Figure 1 with its data)
writes them into a temporary sibling folder, ``.NAME.tmp-PID-XXXX`` next to the
target, and only when every file is complete and flushed swaps that folder with the
target in one step. Whatever moment the process is killed at, the target holds either
the earlier complete output or the new complete output, never a mix, and a rerun
never leaves a file of the earlier output behind (a rerun without ``--firm-panel``
leaves no ``firm_panel.parquet`` of the run before).

The swap is one ``renameat2(RENAME_EXCHANGE)`` call on Linux. Where the system or the
file system lacks it, the earlier folder is first renamed aside (``.NAME.old-PID-XXXX``)
and the new one renamed into place; a kill between those two renames leaves the
earlier output aside, and the next write to the same target puts it back first
(:func:`recover`).

An existing target is replaced only when it holds nothing but what the command
writes (the names in ``known``, those the new output has, and those listed by the
folder's own manifest), so a mistyped ``--out`` never deletes someone's files.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import secrets
import shutil
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from innocluster.errors import InputError

#: files that desktop systems put into any folder someone opens
_SYSTEM_FILES = {".DS_Store", "Thumbs.db", "desktop.ini"}


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    except OSError:
        return False
    return True


def _siblings(path: Path, kind: str) -> list[tuple[Path, int]]:
    """Temporary (``kind="tmp"``) or set-aside (``kind="old"``) siblings of ``path`` with
    the process id that made them."""
    prefix = f".{path.name}.{kind}-"
    out = []
    try:
        entries = list(path.parent.iterdir())
    except OSError:
        return out
    for p in entries:
        if p.name.startswith(prefix):
            pid = p.name[len(prefix):].split("-", 1)[0]
            out.append((p, int(pid) if pid.isdigit() else -1))
    return out


def recover(path: str | os.PathLike) -> None:
    """Put back an earlier output set aside by an interrupted swap, and remove the
    temporary and set-aside siblings of ``path`` whose writer is gone."""
    path = Path(path)
    olds = [(p, pid) for p, pid in _siblings(path, "old") if not _pid_alive(pid)]
    if olds and not path.exists():
        newest = max(olds, key=lambda x: x[0].stat().st_mtime)[0]
        os.rename(newest, path)
        olds = [(p, pid) for p, pid in olds if p != newest]
    for p, pid in olds + _siblings(path, "tmp"):
        if p.exists() and not _pid_alive(pid):
            shutil.rmtree(p, ignore_errors=True)


def _foreign_entries(path: Path, allowed: set[str]) -> list[str]:
    """Entries of the folder ``path`` that the command did not write."""
    allowed = set(allowed)
    manifest = path / "run.json"
    if manifest.is_file():
        try:
            allowed |= set(json.loads(manifest.read_text(encoding="utf-8")).get("files", []))
        except (OSError, ValueError, AttributeError):
            pass
    return sorted(p.name for p in path.iterdir() if p.name not in allowed and p.name not in _SYSTEM_FILES)


def check_output_folder(path: str | os.PathLike, *, known: Iterable[str], param: str = "out",
                        what: str = "output") -> Path:
    """Refuse, before any work, an output folder that cannot be written or replaced.

    Parameters
    ----------
    path : path-like
        The target folder.
    known : iterable of str
        Names the command writes into the folder: an existing folder is replaced only
        when it holds nothing else.
    param : str
        The parameter named in errors (the CLI shows its flag).
    what : str
        What the folder holds, for the messages ("run", "monitor report").

    Raises
    ------
    InputError
        The target is a file, holds entries the command did not write, or its parent
        folder cannot be written (read-only file system, no permission).
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise InputError(f"{param} {path}: exists and is a file; give a folder for the {what}", param=param)
    if path.is_dir():
        foreign = _foreign_entries(path, set(known))
        if foreign:
            shown = ", ".join(foreign[:4]) + (f" and {len(foreign) - 4} more" if len(foreign) > 4 else "")
            raise InputError(f"{param} {path}: holds files this {what} does not write ({shown}); they would be "
                             f"deleted when the folder is replaced: give a new folder or move them", param=param)
    _probe(path, param)
    return path


def _probe(path: Path, param: str) -> None:
    """Create and remove a temporary sibling: the surest test that the folder can be written."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.parent / f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
        tmp.mkdir()
        tmp.rmdir()
    except OSError as exc:
        raise InputError(f"{param} {path}: cannot write there ({exc.strerror or exc})", param=param) from None


@contextmanager
def replace_folder(path: str | os.PathLike, *, known: Iterable[str] = (), param: str = "out",
                   what: str = "output") -> Iterator[Path]:
    """Write a folder whole: yield a temporary sibling, then swap it in.

    Everything written into the yielded folder appears at ``path`` at once when the
    block ends without an exception; on an exception (or a kill) ``path`` keeps what
    it held before and the temporary folder is removed (after a kill: by the next
    write to ``path``).

    Parameters
    ----------
    path : path-like
        The target folder; created with its parents, or replaced.
    known, param, what
        See :func:`check_output_folder`, which is called first.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out"
    >>> with replace_folder(target, known=["a.txt"]) as tmp:
    ...     _ = (tmp / "a.txt").write_text("new")
    >>> (target / "a.txt").read_text()
    'new'
    """
    path = Path(path)
    if path.parent.is_dir():
        recover(path)
    check_output_folder(path, known=known, param=param, what=what)
    tmp = path.parent / f".{path.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        tmp.mkdir()
    except OSError as exc:
        raise InputError(f"{param} {path}: cannot write there ({exc.strerror or exc})", param=param) from None
    try:
        yield tmp
        if path.is_dir():
            # the new output's own names may replace the old; anything else is refused
            check_output_folder(path, known=set(known) | {p.name for p in tmp.iterdir()}, param=param, what=what)
        _sync_tree(tmp)
        _swap(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def _sync_tree(folder: Path) -> None:
    """Flush every file (and the folder) to disk before the swap makes them the output."""
    for p in folder.rglob("*"):
        if p.is_file():
            with open(p, "rb") as fh:
                os.fsync(fh.fileno())
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # systems that cannot open a folder (Windows): nothing to flush
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2`` with ``RENAME_EXCHANGE``).

    Returns False where the system or the file system cannot (the caller falls back).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    at_fdcwd, rename_exchange = -100, 2
    if fn(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _swap(tmp: Path, path: Path) -> None:
    if not path.exists():
        os.rename(tmp, path)
    elif _exchange(tmp, path):
        shutil.rmtree(tmp)  # now the earlier output
    else:
        old = path.parent / f".{path.name}.old-{os.getpid()}-{secrets.token_hex(4)}"
        os.rename(path, old)
        os.rename(tmp, path)
        shutil.rmtree(old)
    _fsync_dir(path.parent)
