"""Uploaded data files for the Monitor page: size-capped, read by the monitor's own
loaders, never executed.

The uploaded bytes are written to a private temporary folder under a fixed file name
that keeps only an allowed suffix (the user's file name is never used as a path), read
with :func:`innocluster.monitor.io.load_data` and deleted. Every problem becomes an
:class:`~innocluster.errors.InputError` with one line naming the uploaded file, the
row, the column and what is allowed.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from innocluster.errors import InputError
from innocluster.monitor.io import Dataset, load_data

#: Largest accepted upload, bytes (Streamlit's own cap is set a little higher).
MAX_UPLOAD_BYTES = 25 * 1024 * 1024
#: File types the monitor reads.
ALLOWED_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq", ".xlsx", ".xlsm")
UPLOAD_TYPES = [s.lstrip(".") for s in ALLOWED_SUFFIXES]


def display_name(name: str) -> str:
    """A safe short label for messages: the base name, printable characters only."""
    base = Path(str(name).replace("\\", "/")).name or "upload"
    base = re.sub(r"[^\w.\- ()]+", "_", base)
    return base[:80]


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def load_uploaded_table(name: str, data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> Dataset:
    """Validate an uploaded file and return the monitor's :class:`Dataset`.

    Parameters
    ----------
    name : str
        The file name the browser reported (used for the suffix and in messages only).
    data : bytes
        The file's content.
    max_bytes : int
        Size cap.

    Raises
    ------
    InputError
        Too large, empty, an unsupported type, unreadable, or invalid for the monitor.
    """
    label = display_name(name)
    if data is None or len(data) == 0:
        raise InputError(f"{label}: the file is empty")
    if len(data) > max_bytes:
        raise InputError(f"{label}: {_mb(len(data))} is larger than the {_mb(max_bytes)} upload limit; "
                         f"use `innocluster monitor FILE` for large files")
    suffix = Path(label).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise InputError(f"{label}: unsupported file type {suffix or '(none)'!r}; "
                         f"upload {', '.join(ALLOWED_SUFFIXES)}")
    with tempfile.TemporaryDirectory(prefix="innocluster-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        path.write_bytes(data)
        try:
            ds = load_data(path)
        except InputError as exc:
            raise InputError(_plain(str(exc).replace(str(path), label), label)) from None
        except Exception as exc:  # noqa: BLE001 - an upload must never show a traceback
            raise InputError(f"{label}: cannot be read ({type(exc).__name__}); "
                             f"upload a CSV, Parquet or Excel file in the monitor's format") from None
    ds.source = label
    return ds


def _plain(msg: str, label: str) -> str:
    """A reader's message about text encoding in words a user can act on."""
    m = re.search(r"'(utf-8|utf8|ascii)' codec can't decode byte (0x[0-9a-f]{2}) in position (\d+)", msg)
    if m:
        return (f"{label}: not UTF-8 text (byte {m.group(2)} at byte {int(m.group(3)):,} of the file); "
                f"save it as UTF-8 (e.g. 'CSV UTF-8' in Excel) or upload the workbook itself")
    if "cannot tell the data format" in msg:
        found = msg.rsplit("found", 1)[-1]
        for sep, name in ((";", "semicolons"), ("\t", "tabs"), ("|", "'|'")):
            if sep in found:
                return (f"{msg} — the header looks separated by {name}, not commas: save the file with commas "
                        f"(or as .tsv for tabs) or upload the workbook")
    return msg


def analyse_dataset(ds: Dataset, region: str | None = None, industry: str | None = None) -> dict:
    """:func:`innocluster.monitor.report.analyse`, with unexpected failures turned into
    an :class:`InputError` (one line, no traceback)."""
    from innocluster.monitor.report import analyse

    try:
        return analyse(ds, region, industry)
    except InputError:
        raise
    except Exception as exc:  # noqa: BLE001
        msg = " ".join(str(exc).split())[:200]
        raise InputError(f"{ds.source}: the monitor could not analyse this data ({type(exc).__name__}: {msg})") from None


def analyse_upload(name: str, data: bytes, region: str | None = None, industry: str | None = None,
                   max_bytes: int = MAX_UPLOAD_BYTES) -> tuple[Dataset | None, dict | None, str | None]:
    """Load and analyse an upload; return ``(dataset, analysis, error message)``.

    Exactly one of (dataset and analysis) or the message is set. Nothing raises.
    """
    try:
        ds = load_uploaded_table(name, data, max_bytes)
        return ds, analyse_dataset(ds, region, industry), None
    except InputError as exc:
        return None, None, str(exc)
    except Exception as exc:  # noqa: BLE001
        return None, None, f"{display_name(name)}: unexpected problem ({type(exc).__name__})"
