"""Memory reuse for large runs: keep freed arrays in the process instead of returning
them to the operating system between two NumPy operations.

Why: glibc's ``malloc`` serves every request above a threshold (128 KiB in a fresh
process, adapting up to 32 MiB) with a fresh ``mmap`` and gives it back with
``munmap`` when the array is freed, and it returns the top of its heap whenever
enough of it is free. Every temporary of a mechanism over thousands of firms is then
new memory that the kernel must map and zero page by page on first touch. With
``M_MMAP_MAX = 0`` large blocks come from the heap and, with a high
``M_TRIM_THRESHOLD``, freed blocks stay there for the next temporary of the same
size. ``docs/performance.md`` has the measurements behind :data:`LARGE_POPULATION`.

The settings hold only while a large run is on (:func:`keep_freed_memory`). On
leaving, ``malloc_trim(0)`` hands the free memory back and mapping is allowed again,
with the thresholds where glibc's own adaptive rule leaves them after large arrays
(32 MiB mapping, 64 MiB trimming): setting any of these parameters switches that rule
off for the rest of the process, so "the defaults" of a fresh process (128 KiB) would
make every later array above 128 KiB a fresh mapping again. A process whose user has
tuned ``malloc`` (``MALLOC_*_`` or ``GLIBC_TUNABLES=glibc.malloc...`` in the
environment) is left alone. Elsewhere than on glibc (macOS, Windows, musl) this is a
no-op; results never depend on it.

References: ``mallopt(3)``, ``malloc_trim(3)`` (Linux man-pages).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import sys
import threading
from collections.abc import Iterator

#: runs whose initial population reaches this use :func:`keep_freed_memory`: from about
#: ten thousand firms it saves time, below it glibc's own reuse of freed blocks serves
#: as well (docs/performance.md)
LARGE_POPULATION = 10_000

# mallopt parameters (glibc <malloc.h>)
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD, _M_MMAP_MAX = -1, -3, -4
# after a run: glibc's default count of mappings, and the thresholds its adaptive rule
# reaches after freeing large arrays (DEFAULT_MMAP_THRESHOLD_MAX, twice that for trimming)
_AFTER_MMAP_MAX, _AFTER_MMAP_THRESHOLD, _AFTER_TRIM_THRESHOLD = 65536, 32 * 1024 * 1024, 64 * 1024 * 1024
# mallopt takes an int: the largest trim threshold it accepts
_KEEP_TRIM_THRESHOLD = 2**31 - 1

_lock = threading.Lock()
_depth = 0


def _user_tuned() -> bool:
    """Whether the environment already tunes glibc's malloc (then it is left alone)."""
    tunables = os.environ.get("GLIBC_TUNABLES", "")
    return "glibc.malloc." in tunables or any(
        os.environ.get(f"MALLOC_{name}_") for name in ("MMAP_MAX", "MMAP_THRESHOLD", "TRIM_THRESHOLD", "TOP_PAD"))


def _glibc():
    """The C library if it is glibc (has ``mallopt`` and ``malloc_trim``) and the user
    has not tuned it, else None."""
    if not sys.platform.startswith("linux") or _user_tuned():
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt, trim = libc.mallopt, libc.malloc_trim
    except (OSError, AttributeError):
        return None
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return libc


_LIBC = _glibc()


def available() -> bool:
    """Whether the allocator can be tuned here (glibc, not tuned by the user)."""
    return _LIBC is not None


@contextlib.contextmanager
def keep_freed_memory(enabled: bool = True) -> Iterator[bool]:
    """Within the block, large freed arrays stay in the process for reuse.

    Nested and concurrent uses share one setting (the outermost exit restores the
    defaults). Yields whether the setting is in force.

    Parameters
    ----------
    enabled : bool
        False makes the block a no-op (callers pass ``firms >= LARGE_POPULATION``).
    """
    global _depth
    if not enabled or _LIBC is None:
        yield False
        return
    with _lock:
        if _depth == 0:
            _LIBC.mallopt(_M_MMAP_MAX, 0)
            _LIBC.mallopt(_M_TRIM_THRESHOLD, _KEEP_TRIM_THRESHOLD)
        _depth += 1
    try:
        yield True
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                _LIBC.malloc_trim(0)
                _LIBC.mallopt(_M_MMAP_THRESHOLD, _AFTER_MMAP_THRESHOLD)
                _LIBC.mallopt(_M_TRIM_THRESHOLD, _AFTER_TRIM_THRESHOLD)
                _LIBC.mallopt(_M_MMAP_MAX, _AFTER_MMAP_MAX)


def in_force() -> bool:
    """Whether a :func:`keep_freed_memory` block is open."""
    return _depth > 0
