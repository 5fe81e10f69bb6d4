"""Loading and validating the two long data formats (CSV, Parquet, Excel).

* **firm panel** — one row per firm and year, columns of
  :data:`innocluster.panel_schema.FIRM_PANEL_REQUIRED` plus any of
  :data:`~innocluster.panel_schema.FIRM_PANEL_OPTIONAL`;
* **region x industry x year table** — columns of
  :data:`~innocluster.panel_schema.REGION_INDUSTRY_REQUIRED` plus any of
  :data:`~innocluster.panel_schema.REGION_INDUSTRY_OPTIONAL`.

The format is detected from the columns (a ``firm`` column means a firm panel). Every
problem raises :class:`~innocluster.errors.InputError` with one line naming the file,
the row (``line N`` of a CSV counting the header as line 1, ``row N`` of an Excel
sheet likewise, ``row N`` = N-th data row of a Parquet file), the column, the value
and what is allowed.

Honest missing data: ``employees`` is part of the firm-panel schema but real panels
(e.g. Cincera's patents/R&D panel) do not always observe it. An absent ``employees``
column, or empty cells, are read as *unknown* (NaN), never as zero; every
employment-based indicator is then skipped and the report says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from innocluster.errors import InputError
from innocluster.panel_schema import (
    FIRM_PANEL_OPTIONAL,
    FIRM_PANEL_REQUIRED,
    REGION_INDUSTRY_OPTIONAL,
    REGION_INDUSTRY_REQUIRED,
)

FIRM = "firm"
REGION = "region"

#: Columns that must be counts / amounts >= 0 (missing allowed where optional).
NONNEGATIVE = {"employees", "patents", "rd", "revenue", "exports", "employment", "establishments"}
#: Columns that must be whole numbers.
INTEGER = {"year", "founded", "gvc_stage"}
#: Columns restricted to 0 / 1.
BINARY = {"exited", "is_mne"}
#: Real-valued columns (any sign).
REAL = {"technology", "value_added"}
#: Label columns.
LABELS = {"firm", "region", "industry", "parent"}


@dataclass
class Dataset:
    """A validated data set.

    Attributes
    ----------
    kind : ``"firm"`` (firm panel) or ``"region"`` (region x industry x year table).
    data : the validated frame (labels as strings, numbers as float / int). In a
        region x industry x year table the labels are categoricals of strings (codes
        instead of 10^7 Python strings); in a firm panel they are object strings
        unless the input was categorical.
    source : file name (or ``"<data>"``) used in messages.
    notes : what was skipped or assumed, for the report.
    """

    kind: str
    data: pd.DataFrame
    source: str = "<data>"
    notes: list[str] = field(default_factory=list)

    def has(self, column: str) -> bool:
        """True if the column exists and has at least one observed value."""
        return column in self.data.columns and bool(self.data[column].notna().any())


def read_table(path: str | Path) -> tuple[pd.DataFrame, str]:
    """Read CSV / Parquet / Excel into a DataFrame; return it and the row style."""
    p = Path(path)
    if not p.exists():
        raise InputError(f"{p}: file not found")
    if p.is_dir():
        raise InputError(f"{p}: is a directory; give a .csv, .parquet or .xlsx file")
    ext = p.suffix.lower()
    try:
        if ext in (".csv", ".txt", ".tsv"):
            df = pd.read_csv(p, sep="\t" if ext == ".tsv" else ",", skipinitialspace=True, low_memory=False)
            style = "line"
        elif ext in (".parquet", ".pq"):
            df = pd.read_parquet(p)
            style = "parquet"
        elif ext in (".xlsx", ".xlsm", ".xls"):
            df = pd.read_excel(p, sheet_name=0)
            style = "excel"
        else:
            raise InputError(f"{p}: unsupported file type {ext!r}; allowed: .csv, .tsv, .parquet, .xlsx")
    except InputError:
        raise
    except Exception as exc:  # parser errors, corrupt files
        raise InputError(f"{p}: cannot be read as {ext.lstrip('.') or 'a table'}: {exc}") from None
    return df, style


def detect_kind(columns) -> str:
    """``"firm"`` if there is a ``firm`` column, ``"region"`` if the region-table
    columns are there; otherwise :class:`InputError`."""
    cols = set(columns)
    if FIRM in cols:
        return FIRM
    if set(REGION_INDUSTRY_REQUIRED) <= cols:
        return REGION
    raise InputError(
        "cannot tell the data format: a firm panel needs columns "
        f"{', '.join(FIRM_PANEL_REQUIRED)}; a region x industry x year table needs "
        f"{', '.join(REGION_INDUSTRY_REQUIRED)}; found {', '.join(map(str, columns)) or 'no columns'}"
    )


def load_data(path: str | Path, kind: str | None = None) -> Dataset:
    """Read, detect and validate a data file. See the module docstring."""
    df, style = read_table(path)
    return validate(df, source=str(path), kind=kind, row_style=style)


def _where(style: str, i: int) -> str:
    if style == "line":
        return f"line {i + 2}"
    if style == "excel":
        return f"row {i + 2}"
    if style == "parquet":
        return f"row {i + 1}"
    return f"row {i}"


def validate(df: pd.DataFrame, source: str = "<data>", kind: str | None = None, row_style: str = "index") -> Dataset:
    """Validate an in-memory frame in one of the two formats and return a :class:`Dataset`."""
    if not isinstance(df, pd.DataFrame):
        raise InputError(f"{source}: expected a table, got {type(df).__name__}")
    df = df.copy(deep=False)  # columns are replaced, never modified in place
    df.columns = [str(c).strip().lower() for c in df.columns]
    if df.columns.duplicated().any():
        dup = df.columns[df.columns.duplicated()][0]
        raise InputError(f"{source}: column {dup!r} appears twice; column names must be unique")
    if kind is None:
        try:
            kind = detect_kind(df.columns)
        except InputError as exc:
            raise InputError(f"{source}: {exc}") from None
    if kind not in (FIRM, REGION):
        raise InputError(f"kind: {kind!r} is not one of firm, region")
    notes: list[str] = []
    if kind == FIRM:
        required = [c for c in FIRM_PANEL_REQUIRED if c != "employees"]
        optional = ["employees", *FIRM_PANEL_OPTIONAL]
        key = ["firm", "year"]
    else:
        required, optional, key = list(REGION_INDUSTRY_REQUIRED), list(REGION_INDUSTRY_OPTIONAL), ["region", "industry", "year"]
    missing = [c for c in required if c not in df.columns]
    if missing:
        what = "firm panel" if kind == FIRM else "region x industry x year table"
        raise InputError(
            f"{source}: missing column {missing[0]!r}; a {what} needs {', '.join(required + (['employees'] if kind == FIRM else []))}"
        )
    if len(df) == 0:
        raise InputError(f"{source}: no data rows")
    extra = [c for c in df.columns if c not in required and c not in optional]
    if extra:
        notes.append(f"ignored unknown column(s): {', '.join(extra)}")
        df = df.drop(columns=extra)
    if kind == FIRM and "employees" not in df.columns:
        df["employees"] = np.nan
        notes.append("no 'employees' column: employment is unknown, employment-based indicators are skipped")
    where = lambda i: _where(row_style, i)  # noqa: E731
    for col in df.columns:
        df[col] = _check_column(df[col], col, source, where, required=col in required, categorical=kind == REGION)
    if kind == FIRM and "employees" in df.columns and df["employees"].isna().all() and not any("employees" in n for n in notes):
        notes.append("'employees' is empty: employment is unknown, employment-based indicators are skipped")
    # duplicates and sorting on integer codes: O(n) NumPy, no hashing of labels
    comb = np.zeros(len(df), dtype=np.int64)
    for c in key:
        codes, base = _key_codes(df[c])
        comb = comb * base + codes
    absent = [c for c in optional if c not in df.columns or df[c].isna().all()]
    if absent:
        notes.append(f"optional column(s) absent or empty: {', '.join(absent)}")
    if len(comb) < 2 or bool(np.all(comb[1:] > comb[:-1])):
        order = None  # already sorted, hence no duplicates
    else:
        order = np.argsort(comb, kind="stable")
        sc = comb[order]
        later = np.flatnonzero(sc[1:] == sc[:-1])
        if later.size:
            # first row (in file order) whose key was already seen: equal keys keep
            # file order under the stable sort, so it is the smallest later position
            i = int(order[later + 1].min())
            k = ", ".join(f"{c}={_py(df[c].iloc[i])!r}" for c in key)
            raise InputError(f"{source}: {where(i)}: duplicated key ({k}); each {' x '.join(key)} must appear once")
        del sc
    if order is not None:
        df = df.iloc[order].reset_index(drop=True)
    return Dataset(kind=kind, data=df, source=source, notes=notes)


def _key_codes(s: pd.Series) -> tuple[np.ndarray, int]:
    """Order-preserving integer codes of a key column and their range (codes < range).

    The order is that of ``pd.factorize(s, sort=True)``: category order for
    categoricals, numeric order for integers, label order otherwise.
    """
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy().astype(np.int64), max(len(s.cat.categories), 1)
    if s.dtype.kind in "iu":
        v = s.to_numpy().astype(np.int64)
        lo, hi = int(v.min()), int(v.max())
        if hi - lo < 4 * len(v) + 1024:
            return v - lo, hi - lo + 1
    codes, uniques = pd.factorize(s, sort=True)
    return codes.astype(np.int64), max(len(uniques), 1)


def _check_labels(s: pd.Series, col: str, source: str, where, categorical: bool) -> pd.Series:
    """Canonical string labels, checked for empty values with O(rows) NumPy work and
    O(distinct labels) Python work (a Python call per row is too slow for 10^7 rows)."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = [_label(c) for c in s.cat.categories]
        codes = s.cat.codes.to_numpy()
        empty = np.array([c == "" for c in cats] + [True])  # index -1 = missing value
        na = empty[codes]
        if na.any():
            i = int(np.flatnonzero(na)[0])
            raise InputError(f"{source}: {where(i)}, column {col!r}: empty value; every row needs a {col}")
        if len(set(cats)) == len(cats):  # stay categorical: O(categories), not O(rows)
            return s.cat.rename_categories(cats)
        if categorical:
            return _as_categorical(s, codes, cats)
        return pd.Series(pd.Index(cats)[codes], index=s.index, dtype=object)
    if s.dtype.kind in "iub":
        if categorical:
            codes, uniq = pd.factorize(s.to_numpy())
            return _as_categorical(s, codes, [str(int(u)) for u in uniq])
        return s.astype(np.int64).astype(str).astype(object)
    if s.dtype.kind == "f":
        v = s.to_numpy()
        na = np.isnan(v)
        if na.any():
            i = int(np.flatnonzero(na)[0])
            raise InputError(f"{source}: {where(i)}, column {col!r}: empty value; every row needs a {col}")
        if categorical:
            codes, uniq = pd.factorize(v)
            return _as_categorical(s, codes, [_label(float(u)) for u in uniq])
        if np.all(np.mod(v, 1) == 0):
            return pd.Series(v.astype(np.int64), index=s.index).astype(str).astype(object)
        return s.astype(str).astype(object)
    # strings / mixed objects: label the distinct values, then map codes back
    codes, uniq = pd.factorize(s, use_na_sentinel=True)
    labs = [("" if _isna(u) else _label(u)) for u in uniq]
    empty = np.array([lab == "" for lab in labs] + [True])
    na = empty[codes]
    if na.any():
        i = int(np.flatnonzero(na)[0])
        raise InputError(f"{source}: {where(i)}, column {col!r}: empty value; every row needs a {col}")
    if categorical:
        return _as_categorical(s, codes, labs)
    return pd.Series(np.asarray(labs, dtype=object)[codes], index=s.index, name=s.name, dtype=object)


def _as_categorical(s: pd.Series, codes: np.ndarray, labels) -> pd.Series:
    """Categorical of ``labels[codes]`` with the distinct labels sorted as strings (the
    order a sorted object column of the same labels would have)."""
    new_codes, uniq = pd.factorize(np.asarray(labels, dtype=object), sort=True)
    cat = pd.Categorical.from_codes(new_codes[codes], pd.Index(np.asarray(uniq, dtype=object), dtype="str"))
    return pd.Series(cat, index=s.index, name=s.name)


def _isna(v) -> bool:
    try:
        return bool(pd.isna(v))
    except (TypeError, ValueError):
        return False


def _check_column(s: pd.Series, col: str, source: str, where, required: bool, categorical: bool = False) -> pd.Series:
    if col == "parent":
        na = s.isna() | (s.astype(str).str.strip() == "")
        out = s.where(~na).astype(object)
        out = out.map(lambda v: v if pd.isna(v) else _label(v))
        return out.where(~out.isin(["-1"]))
    if col in LABELS:
        return _check_labels(s, col, source, where, categorical)
    # numeric columns
    if s.dtype.kind in "biuf":
        num = s.astype(float)
    else:
        raw = s.astype(object)
        stripped = raw.map(lambda v: v.strip() if isinstance(v, str) else v)
        empty = stripped.isna() | (stripped == "")
        num = pd.to_numeric(stripped.where(~empty), errors="coerce")
        bad = num.isna() & ~empty
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(f"{source}: {where(i)}, column {col!r}: value {raw.iloc[i]!r} is not a number")
        num = num.astype(float)
    vals = num.to_numpy()
    if np.isinf(vals).any():
        i = int(np.flatnonzero(np.isinf(vals))[0])
        raise InputError(f"{source}: {where(i)}, column {col!r}: value {vals[i]} is not finite")
    if required and np.isnan(vals).any():
        i = int(np.flatnonzero(np.isnan(vals))[0])
        raise InputError(f"{source}: {where(i)}, column {col!r}: empty value; this column is required")
    obs = ~np.isnan(vals)
    if col in NONNEGATIVE and (vals[obs] < 0).any():
        i = int(np.flatnonzero(obs & (np.nan_to_num(vals) < 0))[0])
        raise InputError(f"{source}: {where(i)}, column {col!r}: value {vals[i]:g} is negative; it must be >= 0")
    if col in INTEGER and (np.mod(vals[obs], 1) != 0).any():
        i = int(np.flatnonzero(obs & (np.mod(np.nan_to_num(vals), 1) != 0))[0])
        raise InputError(f"{source}: {where(i)}, column {col!r}: value {vals[i]:g} is not a whole number")
    if col == "gvc_stage" and (vals[obs] < 0).any():
        i = int(np.flatnonzero(obs & (np.nan_to_num(vals) < 0))[0])
        raise InputError(f"{source}: {where(i)}, column 'gvc_stage': value {vals[i]:g} is negative; stages are 0, 1, 2, ...")
    if col in BINARY and (~np.isin(vals[obs], (0.0, 1.0))).any():
        i = int(np.flatnonzero(obs & ~np.isin(vals, (0.0, 1.0)))[0])
        raise InputError(f"{source}: {where(i)}, column {col!r}: value {vals[i]:g} is not allowed; use 0 or 1")
    if col == "year":
        return pd.Series(vals.astype(np.int64), index=s.index, name=col)
    return pd.Series(vals, index=s.index, name=col)


def _py(v):
    """A NumPy scalar as the plain Python value (for readable messages)."""
    return v.item() if isinstance(v, np.generic) else v


def _label(v) -> str:
    """Canonical string label: integral floats lose their '.0' (1.0 -> '1')."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, np.floating) and float(v).is_integer():
        return str(int(v))
    return str(v).strip()


def to_region_table(ds: Dataset) -> pd.DataFrame:
    """Region x industry x year table of a dataset (firm panels are aggregated).

    For a firm panel: ``employment`` = sum of ``employees`` (NaN when none is
    observed in the cell), ``establishments`` = number of firms, ``patents`` and
    ``rd`` = sums when the columns are observed.
    """
    if ds.kind == REGION:
        return ds.data
    d = ds.data
    g = d.groupby(["region", "industry", "year"], sort=True, observed=True)
    out = pd.DataFrame({"employment": g["employees"].sum(min_count=1), "establishments": g["firm"].size().astype(float)})
    for col in ("patents", "rd"):
        if ds.has(col):
            out[col] = g[col].sum(min_count=1)
    return out.reset_index()
