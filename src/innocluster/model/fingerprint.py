"""A fingerprint of the engine's code.

Stored with every experiment, so that a sweep resumed after the engine was changed is
refused instead of silently mixing results of two model versions.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def engine_fingerprint() -> str:
    """SHA-256 (first 16 hex digits) of the model's source files (the rules and their
    compiled twins) and the scenario schema."""
    import innocluster

    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256(innocluster.__version__.encode())
    for path in fingerprinted_files():
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def fingerprinted_files() -> list[Path]:
    """The source files :func:`engine_fingerprint` hashes: every module of the model
    package and the scenario schema."""
    root = Path(__file__).resolve().parent.parent
    return sorted([*(root / "model").rglob("*.py"), root / "scenario" / "schema.py"])
