"""Reading the files users export: encodings, separators, workbooks.

A CSV or text table is decoded with the first codec that fits, in this fixed order:

1. a **byte-order mark**: UTF-8 (``EF BB BF``), UTF-32 and UTF-16 (little or big
   endian) — Excel's "Unicode text" and "CSV UTF-8" exports write one;
2. **UTF-16 without a mark**: more than 30 % NUL bytes in the odd (or even)
   positions of the first 64 KiB and almost none in the others;
3. **UTF-8** (strict);
4. **GB18030** (a superset of GBK and GB2312), accepted only when the decoded text
   looks Chinese: at least one CJK ideograph, and at least 90 % of the non-ASCII
   characters are in GB2312 (the 6,763 common hanzi and their punctuation). This
   plausibility check is what keeps Western text out: CP1252 bytes of accented
   letters followed by ASCII letters ("Zürich", "São") also decode as GB18030, but
   into rare characters outside GB2312;
5. **CP1252** (Windows Western European, a superset of printable Latin-1).

Anything else is refused with one line asking for ``--encoding``; an explicit
``encoding`` (any Python codec name, e.g. ``big5``, ``shift_jis``, ``latin-1``)
skips detection. The codec used is recorded in the dataset's notes.

The **separator** of a CSV/TXT file is the one of ``,`` ``;`` tab ``|`` that splits
the header and the first lines of the sample into the same number (> 1) of fields
(quotes respected, :mod:`csv`), the most fields winning; ``.tsv`` files and
Eurostat's bulk TSV (a first header cell with a backslash, ``geo\\TIME_PERIOD``) are
tab-separated. With ``;`` as separator and numbers written ``12,5`` the decimal mark
is the comma (and ``.`` the thousands separator), as in continental European
exports.

**Workbooks** (``.xlsx``, ``.xlsm``): ``sheet`` selects a sheet by name or 0-based
position; the default is the first. When a workbook has several sheets the notes say
which one was read and which were not.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from innocluster.errors import InputError

#: Codecs tried after the byte-order-mark checks, in this order.
DETECTED_CODECS = ("utf-8", "gb18030", "cp1252")
#: Separators tried for CSV / TXT files.
SEPARATORS = (",", ";", "\t", "|")
_SEP_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}
_SAMPLE_BYTES = 1 << 16
TEXT_SUFFIXES = (".csv", ".txt", ".tsv", ".dat")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
PARQUET_SUFFIXES = (".parquet", ".pq")


@dataclass
class RawTable:
    """A table as read from a file, before any validation.

    Attributes
    ----------
    frame : the cells (strings kept as strings; numbers as pandas reads them).
    source : file name used in messages.
    row_style : how rows are named in messages: ``"line"`` (CSV line, header =
        line 1), ``"excel"`` (sheet row, header = row 1), ``"parquet"`` (data row).
    encoding : the codec a text file was decoded with (None for binary formats).
    sheet : the workbook sheet that was read.
    notes : what was detected or assumed (encoding, separator, sheets not read).
    """

    frame: pd.DataFrame
    source: str
    row_style: str
    encoding: str | None = None
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)


def _base_suffix(p: Path) -> str:
    """The suffix that names the format (``.tsv`` for ``x.tsv.gz``)."""
    suffixes = [s.lower() for s in p.suffixes]
    if suffixes and suffixes[-1] == ".gz" and len(suffixes) > 1:
        return suffixes[-2]
    return p.suffix.lower()


def _head_bytes(p: Path, n: int = _SAMPLE_BYTES) -> bytes:
    opener = gzip.open if p.suffix.lower() == ".gz" else open
    try:
        with opener(p, "rb") as fh:
            return fh.read(n)
    except (OSError, EOFError) as exc:
        raise InputError(f"{p}: cannot be read ({exc})") from None


def _looks_chinese(text: str) -> bool:
    """At least one CJK ideograph and >= 90 % of the non-ASCII characters in GB2312."""
    non_ascii = [c for c in text if ord(c) > 127]
    if not non_ascii or not any("\u4e00" <= c <= "\u9fff" for c in non_ascii):
        return False
    in_gb2312 = 0
    for c in non_ascii:
        try:
            c.encode("gb2312")
            in_gb2312 += 1
        except UnicodeEncodeError:
            pass
    return in_gb2312 >= 0.9 * len(non_ascii)


def _decodes(sample: bytes, codec: str, complete: bool) -> str | None:
    """The sample decoded with ``codec``, or None if it does not decode. A sample cut
    from a longer file may end inside a character; only a complete file must end on a
    character boundary."""
    try:
        return codecs.getincrementaldecoder(codec)(errors="strict").decode(sample, final=complete)
    except UnicodeDecodeError:
        return None


def detect_encoding(data: bytes, complete: bool = True) -> tuple[str, str]:
    """Codec of a text file's bytes, by the rule of the module docstring.

    Parameters
    ----------
    data : the file's first bytes (or all of them).
    complete : whether ``data`` is the whole file.

    Returns
    -------
    (codec, how) : a Python codec name and how it was recognised.

    Raises
    ------
    InputError
        No candidate fits.
    """
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "UTF-8 byte-order mark"
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32", "UTF-32 byte-order mark"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "UTF-16 byte-order mark"
    sample = data[:_SAMPLE_BYTES]
    if len(sample) >= 4:
        even, odd = sample[0::2], sample[1::2]
        even_nul, odd_nul = even.count(0) / len(even), odd.count(0) / max(len(odd), 1)
        if odd_nul > 0.3 and even_nul < 0.05:
            return "utf-16-le", "UTF-16 (little endian) without byte-order mark"
        if even_nul > 0.3 and odd_nul < 0.05:
            return "utf-16-be", "UTF-16 (big endian) without byte-order mark"
    if _decodes(sample, "utf-8", complete) is not None:
        return "utf-8", "UTF-8"
    text = _decodes(sample, "gb18030", complete)
    if text is not None and _looks_chinese(text):
        return "gb18030", "GB18030/GBK (Chinese text)"
    if _decodes(sample, "cp1252", complete) is not None:
        return "cp1252", "CP1252 (Windows Western European)"
    raise InputError("cannot tell the text encoding (not UTF-8, UTF-16, GB18030/GBK or CP1252); "
                     "pass --encoding with the file's codec, e.g. --encoding big5")


def _check_codec(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise InputError(f"--encoding {encoding!r}: unknown codec; use a Python codec name such as "
                         "utf-8, utf-16, gb18030, cp1252, latin-1, big5, shift_jis") from None


def sniff_separator(text: str, suffix: str = ".csv") -> str:
    """Field separator of a delimited text sample (module docstring)."""
    lines = [ln for ln in text.splitlines() if ln.strip()][:50]
    if not lines:
        return ","
    if suffix == ".tsv" or ("\t" in lines[0] and "\\" in lines[0].split("\t")[0]):
        return "\t"
    # the last line of a sample may be cut short
    body = lines[:-1] if len(lines) > 2 else lines
    best, best_n = ",", 1
    for sep in SEPARATORS:
        try:
            counts = [len(row) for row in csv.reader(body, delimiter=sep)]
        except csv.Error:
            continue
        if not counts or counts[0] < 2:
            continue
        if all(c == counts[0] for c in counts) and counts[0] > best_n:
            best, best_n = sep, counts[0]
    if best_n == 1:
        # no separator gives the same field count on every line: take the one that
        # splits the header into most fields and let the parser report the bad line
        header_counts = {sep: lines[0].count(sep) for sep in SEPARATORS}
        sep = max(header_counts, key=header_counts.get)
        if header_counts[sep] > 0:
            return sep
    return best


_COMMA_DECIMAL = re.compile(r"(?:^|;)\s*\"?-?\d+,\d+\"?\s*(?=;|$)", re.M)
_THOUSANDS_DOT = re.compile(r"(?:^|;)\s*\"?-?\d{1,3}(?:\.\d{3})+(?:,\d+)?\"?\s*(?=;|$)", re.M)


def read_text_table(p: Path, encoding: str | None = None, sep: str | None = None) -> RawTable:
    """Read a delimited text file (module docstring) into a :class:`RawTable`."""
    notes: list[str] = []
    head = _head_bytes(p)
    complete = len(head) < _SAMPLE_BYTES
    if encoding is None:
        try:
            codec, how = detect_encoding(head, complete=complete)
        except InputError as exc:
            raise InputError(f"{p}: {exc}") from None
        if codec not in ("utf-8", "utf-8-sig"):
            notes.append(f"read as {how} (detected; --encoding overrides)")
    else:
        codec = _check_codec(encoding)
        notes.append(f"read as {codec} (--encoding)")
    text = _decodes(head, codec, complete)
    if text is None:
        raise InputError(f"{p}: the first bytes are not valid {codec}; pass the file's codec with --encoding")
    suffix = _base_suffix(p)
    if sep is None:
        sep = sniff_separator(text, suffix)
        if sep not in (",", "\t") or (sep == "\t" and suffix != ".tsv"):
            notes.append(f"fields separated by {_SEP_NAMES[sep]} (detected)")
    kwargs = {}
    if sep == ";" and _COMMA_DECIMAL.search(text):
        kwargs["decimal"] = ","
        if _THOUSANDS_DOT.search(text):
            kwargs["thousands"] = "."
        notes.append("numbers read with a decimal comma (detected with ';' as separator)")
    try:
        df = pd.read_csv(p, sep=sep, encoding=codec, skipinitialspace=True, low_memory=False, **kwargs)
    except UnicodeDecodeError as exc:
        raise InputError(f"{p}: byte {exc.start} is not valid {codec} ({exc.reason}); "
                         "pass the file's codec with --encoding") from None
    except Exception as exc:  # parser errors, corrupt files
        msg = " ".join(str(exc).split())
        raise InputError(f"{p}: cannot be read as a {_SEP_NAMES.get(sep, repr(sep))}-separated table: {msg}") from None
    # a header cell with the BOM of a re-encoded file, or stray spaces
    df.columns = [str(c).replace("\ufeff", "").strip() for c in df.columns]
    return RawTable(df, str(p), "line", encoding=codec, notes=notes)


def read_workbook(p: Path, sheet: str | int | None = None) -> RawTable:
    """Read one sheet of an ``.xlsx`` / ``.xlsm`` workbook (module docstring)."""
    try:
        book = pd.ExcelFile(p)
    except Exception as exc:  # not a zip, not a workbook
        raise InputError(f"{p}: cannot be read as {p.suffix.lstrip('.').lower()}: {' '.join(str(exc).split())}") from None
    names = [str(n) for n in book.sheet_names]
    if not names:
        raise InputError(f"{p}: the workbook has no sheets")
    if sheet is None:
        chosen = names[0]
    elif isinstance(sheet, int) or (isinstance(sheet, str) and sheet.strip().isdigit() and sheet.strip() not in names):
        k = int(sheet)
        if not 0 <= k < len(names):
            raise InputError(f"{p}: --sheet {k}: the workbook has sheets 0-{len(names) - 1} ({', '.join(map(repr, names))})")
        chosen = names[k]
    elif str(sheet) in names:
        chosen = str(sheet)
    else:
        raise InputError(f"{p}: --sheet {sheet!r} is not in the workbook; sheets: {', '.join(map(repr, names))}")
    try:
        df = pd.read_excel(book, sheet_name=chosen)
    except Exception as exc:
        raise InputError(f"{p}: sheet {chosen!r} cannot be read: {' '.join(str(exc).split())}") from None
    notes = []
    others = [n for n in names if n != chosen]
    if others:
        notes.append(f"read sheet {chosen!r} of the workbook; not read: {', '.join(map(repr, others))} (choose with --sheet)")
    df.columns = [str(c).strip() for c in df.columns]
    return RawTable(df, str(p), "excel", sheet=chosen, notes=notes)


def read_raw(path, encoding: str | None = None, sheet: str | int | None = None) -> RawTable:
    """Read CSV / TSV / TXT (optionally ``.gz``), Parquet or Excel into a :class:`RawTable`.

    Parameters
    ----------
    path : file to read.
    encoding : codec of a text file (detected when None; module docstring).
    sheet : workbook sheet, by name or 0-based position (first when None).

    Raises
    ------
    InputError
        Missing file, unsupported type, undecodable or unparsable content; one line.
    """
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: file not found")
    if p.is_dir():
        raise InputError(f"{p}: is a directory; give a .csv, .tsv, .txt, .parquet or .xlsx file")
    ext = _base_suffix(p)
    if sheet is not None and ext not in EXCEL_SUFFIXES:
        raise InputError(f"{p}: --sheet applies to .xlsx / .xlsm workbooks, not {ext or 'this file'}")
    if ext in TEXT_SUFFIXES:
        return read_text_table(p, encoding)
    if encoding is not None:
        raise InputError(f"{p}: --encoding applies to text files (.csv, .tsv, .txt), not {ext}")
    if ext in PARQUET_SUFFIXES:
        try:
            df = pd.read_parquet(p)
        except Exception as exc:
            raise InputError(f"{p}: cannot be read as parquet: {' '.join(str(exc).split())}") from None
        return RawTable(df, str(p), "parquet")
    if ext in EXCEL_SUFFIXES:
        return read_workbook(p, sheet)
    if ext == ".xls":
        raise InputError(f"{p}: the old Excel format .xls is not read; save the sheet as .xlsx or .csv")
    raise InputError(f"{p}: unsupported file type {ext!r}; allowed: .csv, .tsv, .txt, .parquet, .xlsx, .xlsm")


def text_of(data: bytes, encoding: str | None = None) -> str:
    """Bytes of a small text file decoded by the rule of the module docstring (for
    definition files and tests)."""
    codec = _check_codec(encoding) if encoding else detect_encoding(data)[0]
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise InputError(f"byte {exc.start} is not valid {codec}") from None


__all__ = ["DETECTED_CODECS", "SEPARATORS", "RawTable", "detect_encoding", "read_raw", "sniff_separator", "text_of"]
