"""Loading and validating the monitor's inputs (CSV, TSV, TXT, Parquet, Excel).

Two long formats (the simulator writes the first):

* **firm panel** — one row per firm and year, columns of
  :data:`innocluster.panel_schema.FIRM_PANEL_REQUIRED` plus any of
  :data:`~innocluster.panel_schema.FIRM_PANEL_OPTIONAL`;
* **region x industry x year table** — columns of
  :data:`~innocluster.panel_schema.REGION_INDUSTRY_REQUIRED` plus any of
  :data:`REGION_TABLE_OPTIONAL` (the schema's optional columns and ``revenue``,
  ``value_added``, which give margins, R&D intensity and productivity for the
  warnings).

and three official formats read as published (:mod:`innocluster.monitor.formats`):
US County Business Patterns, Eurostat regional SBS, OECD REGPAT. The format is
detected from the columns (a ``firm`` column means a firm panel) or named with
``format=``. Files are decoded, split and read by :mod:`innocluster.monitor.readers`
(encodings, separators, workbook sheets).

Every problem raises :class:`~innocluster.errors.InputError` with one line naming the
file, the row (``line N`` of a CSV counting the header as line 1, ``row N`` of an
Excel sheet likewise, ``row N`` = N-th data row of a Parquet file), the column, the
value and what is allowed. Refused besides malformed values: datetime years (give
the year as a whole number), boolean counts, non-finite numbers and values beyond
the plausible ranges of :data:`PLAUSIBLE_RANGE`.

Honest missing data: ``employees`` is part of the firm-panel schema but real panels
(e.g. Cincera's patents/R&D panel) do not always observe it. An absent ``employees``
column, or empty cells, are read as *unknown* (NaN), never as zero; every
employment-based indicator is then skipped and the report says so. Employment
withheld by a statistical office (County Business Patterns, Eurostat) is unknown in
the same way and listed in :attr:`Dataset.suppressed`.
"""

from __future__ import annotations

import datetime as _dt
import re
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

#: Optional columns of a region x industry x year table: the shared schema's and the
#: money columns that feed margins, R&D intensity and productivity (USD million, or
#: the source's currency unit: only ratios of them are used).
REGION_TABLE_OPTIONAL = (*REGION_INDUSTRY_OPTIONAL, "revenue", "value_added")

#: Plausible range of each numeric column: a value outside is refused as a unit or
#: export error (1e308 employees, a year 1.5e18 from a datetime, dollars given as
#: USD million). ``(low, high, what)``.
PLAUSIBLE_RANGE = {
    "year": (1800, 2100, "calendar years"),
    "founded": (500, 2100, "founding years"),
    "employment": (0, 1e9, "persons in one region x industry cell; world employment is about 3.5e9"),
    "employees": (0, 1e7, "persons in one firm; the largest employers have about 2-3 million"),
    "establishments": (0, 1e8, "establishments in one cell; the United States have about 8 million"),
    "patents": (0, 1e7, "patents in one cell and year; the world files about 3.5 million a year"),
    "rd": (0, 1e10, "money in million units"),
    "revenue": (0, 1e10, "money in million units"),
    "value_added": (-1e10, 1e10, "money in million units"),
    "exports": (0, 1e10, "money in million units"),
    "technology": (-100, 100, "log productivity"),
    "gvc_stage": (0, 100, "GVC stage numbers 0, 1, 2, ..."),
    "exit_reason": (0, 3, "exit reason codes 0 (stays), 1 insolvent, 2 learned unviable, 3 lost its market"),
}

FIRM = "firm"
REGION = "region"

#: Columns that must be counts / amounts >= 0 (missing allowed where optional).
NONNEGATIVE = {"employees", "patents", "rd", "revenue", "exports", "employment", "establishments"}
#: Columns that count things (employment-type measures): booleans are refused there.
COUNTS = {"employees", "employment", "establishments", "patents"}
#: Columns that must be whole numbers.
INTEGER = {"year", "founded", "gvc_stage", "exit_reason"}
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
    #: ``"long"`` or the official format read (``"cbp"``, ``"eurostat-sbs"``, ``"regpat"``)
    format: str = "long"
    #: industry code system (``"naics"``, ``"nace"``, ``"ipc"``) or None
    code_system: str | None = None
    #: cells whose values the statistical office withheld: ``region, industry, year,
    #: column, flag, low, high, estimate`` (empty when none)
    suppressed: pd.DataFrame | None = None
    #: cluster name -> type (``traded`` / ``local`` / ...) when ``--clusters`` mapped
    #: industries to clusters; None otherwise
    cluster_types: dict | None = None

    def has(self, column: str) -> bool:
        """True if the column exists and has at least one observed value."""
        return column in self.data.columns and bool(self.data[column].notna().any())


def read_table(path: str | Path, encoding: str | None = None, sheet=None) -> tuple[pd.DataFrame, str]:
    """Read CSV / TSV / TXT / Parquet / Excel into a DataFrame; return it and the row
    style (see :func:`innocluster.monitor.readers.read_raw`)."""
    from innocluster.monitor.readers import read_raw

    raw = read_raw(path, encoding, sheet)
    return raw.frame, raw.row_style


def detect_kind(columns) -> str:
    """``"firm"`` if there is a ``firm`` column, ``"region"`` if the region-table
    columns are there; otherwise :class:`InputError` (which also names the official
    formats when the columns look like none of them)."""
    cols = {str(c).strip().lower() for c in columns}
    if FIRM in cols:
        return FIRM
    if set(REGION_INDUSTRY_REQUIRED) <= cols:
        return REGION
    raise InputError(
        "cannot tell the data format: a firm panel needs columns "
        f"{', '.join(FIRM_PANEL_REQUIRED)}; a region x industry x year table needs "
        f"{', '.join(REGION_INDUSTRY_REQUIRED)}; official formats: County Business Patterns (fipstate, naics, emp, "
        "est), Eurostat SBS TSV (nace_r2,indic_sb,geo\\TIME_PERIOD), OECD REGPAT (appln_id, reg_code / ipc); "
        f"found {', '.join(map(str, columns)) or 'no columns'}"
    )


def load_data(path, kind: str | None = None, *, format: str | None = None, encoding: str | None = None,
              sheet=None, year: int | None = None, naics_level: int = 4, nace_level=None, ipc_level: int = 4,
              suppressed: str = "unknown", clusters=None, eurostat_indicators=None) -> Dataset:
    """Read, detect and validate one or more data files.

    Parameters
    ----------
    path : path or list of paths
        One file; or several files of one format (County Business Patterns of several
        years, long tables split by year, the two OECD REGPAT tables).
    kind : ``"firm"`` or ``"region"`` for long tables (detected when None).
    format : ``"long"``, ``"cbp"``, ``"eurostat-sbs"``, ``"regpat"`` (detected from
        the columns when None; :mod:`innocluster.monitor.formats`).
    encoding : codec of text files (detected when None; :mod:`innocluster.monitor.readers`).
    sheet : workbook sheet by name or 0-based position (first when None).
    year : data year of a County Business Patterns file (else from its name).
    naics_level, nace_level, ipc_level : code level read from CBP, Eurostat, REGPAT.
    suppressed : ``"unknown"`` or ``"midpoint"`` for withheld CBP employment.
    eurostat_indicators : Eurostat indicator code -> monitor column (``employment``,
        ``establishments``, ``revenue``, ``value_added``, ``patents``, ``rd``) for
        Eurostat files whose codes differ from
        :data:`~innocluster.monitor.formats.EUROSTAT_INDICATORS`.
    clusters : path of a cluster definition file (:mod:`innocluster.monitor.definitions`);
        industries are mapped to clusters before anything is computed.

    Returns
    -------
    Dataset

    Raises
    ------
    InputError
        One line naming the file, row, column, value and what is allowed.
    """
    from innocluster.monitor import formats as fm
    from innocluster.monitor.readers import read_raw

    paths = [path] if isinstance(path, str | Path) else list(path)
    if not paths:
        raise InputError("no data file given")
    if format is not None and format not in fm.FORMATS:
        raise InputError(f"--format {format!r}: allowed {', '.join(fm.FORMATS)}")
    if year is not None and len(paths) > 1:
        raise InputError("--year applies to a single file; name County Business Patterns files as published "
                         "(cbpYYco.txt) to read several years")
    raws = [read_raw(p, encoding, sheet) for p in paths]
    found = []
    for raw in raws:
        f = fm.detect_format(raw.frame.columns)
        found.append(f or "long")
    fmt = format or found[0]
    for raw, f in zip(raws, found, strict=True):
        if format is not None and format != "long" and f != format:
            raise InputError(f"{raw.source}: --format {format}: the columns are not those of this format "
                             f"({', '.join(map(str, raw.frame.columns[:8]))}{' ...' if raw.frame.shape[1] > 8 else ''}); "
                             "see docs/monitor.md")
        if format is None and f != fmt:
            raise InputError(f"{raw.source}: looks like {f} data but {raws[0].source} like {fmt}; give files of one format")
    notes = [n for raw in raws for n in raw.notes]
    source = ", ".join(raw.source for raw in raws)
    suppressed_cells = None
    system = None
    if fmt == "long":
        if len(raws) == 1:
            ds = _validate_raw(raws[0], kind)
        else:
            parts = [_validate_raw(r, kind) for r in raws]
            kinds = {d.kind for d in parts}
            if len(kinds) > 1:
                raise InputError(f"{source}: mixes firm panels and region tables; give files of one kind")
            frame = pd.concat([d.data.astype({c: str for c in ("region", "industry", "firm") if c in d.data})
                               for d in parts], ignore_index=True)
            ds = validate(frame, source=source, kind=parts[0].kind, row_style="index")
            ds.notes = [n for d in parts for n in d.notes]
        ds.notes = notes + ds.notes
    elif fmt == "cbp":
        table, suppressed_cells = _read_each(raws, notes, lambda raw: fm.read_cbp(
            raw.frame, raw.source, year=year, naics_level=naics_level, suppressed=suppressed))
        ds = _official(table, source, notes, "cbp", unknown_ok=("employment",))
        system = "naics"
    elif fmt == "eurostat-sbs":
        table, suppressed_cells = _read_each(raws, notes, lambda raw: fm.read_eurostat_sbs(
            raw.frame, raw.source, nace_level=nace_level, indicators=eurostat_indicators))
        ds = _official(table, source, notes, "eurostat-sbs", unknown_ok=("employment",))
        system = "nace"
    else:
        regions = [r for r in raws if fm.is_regpat_regions(r.frame.columns)]
        techs = [r for r in raws if fm.is_regpat_ipc(r.frame.columns)]
        if len(regions) != 1 or len(techs) != 1 or len(raws) != 2:
            raise InputError(f"{source}: OECD REGPAT needs two files, the regions table (appln_id, reg_code, ...) and "
                             "the technology table (appln_id, prio_year, app_year, ipc)")
        t, nts = fm.read_regpat(regions[0].frame, techs[0].frame, source, ipc_level=ipc_level)
        notes += nts
        ds = _official(t, source, notes, "regpat", unknown_ok=("employment",))
        system = "ipc"
    if system is None:
        system = fm.detect_code_system(pd.unique(ds.data["industry"].astype(str)))
    ds.format, ds.code_system = fmt, system
    ds.suppressed = suppressed_cells if suppressed_cells is not None else None
    if clusters is not None:
        ds = apply_cluster_definitions(ds, clusters)
    return ds


def _validate_raw(raw, kind) -> Dataset:
    """:func:`validate` of a table as read; an error in a workbook says which sheet was
    read and which were not."""
    try:
        return validate(raw.frame, source=raw.source, kind=kind, row_style=raw.row_style)
    except InputError as exc:
        sheets = [n for n in raw.notes if n.startswith("read sheet")]
        if sheets:
            raise InputError(f"{exc} ({sheets[0]})") from None
        raise



def _read_each(raws, notes: list, read) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read every file of one official format with ``read`` (returning table, suppressed
    cells, notes); the tables and suppressed cells stacked, the notes appended to
    ``notes``."""
    tables, supp = [], []
    for raw in raws:
        t, sc, nts = read(raw)
        tables.append(t)
        supp.append(sc)
        notes += nts
    return pd.concat(tables, ignore_index=True), pd.concat(supp, ignore_index=True)

def _official(table: pd.DataFrame, source: str, notes: list[str], fmt: str, unknown_ok=()) -> Dataset:
    ds = validate(table, source=source, kind=REGION, row_style="index", unknown_ok=unknown_ok)
    ds.notes = notes + [n for n in ds.notes if not n.startswith("optional column(s) absent")]
    return ds


def apply_cluster_definitions(ds: Dataset, clusters) -> Dataset:
    """Map a dataset's industries to the clusters of a definition file (path or
    :class:`~innocluster.monitor.definitions.ClusterDefinitions`) and return the new
    dataset; region tables are summed by region x cluster x year."""
    from innocluster.monitor.definitions import ClusterDefinitions, apply_definitions, read_definitions

    defs = clusters if isinstance(clusters, ClusterDefinitions) else read_definitions(clusters)
    frame = ds.data.astype({"industry": str})
    if ds.kind == REGION:
        frame = frame.astype({"region": str})
    mapped, notes = apply_definitions(frame, defs, kind=ds.kind,
                                      measure="employment" if ds.kind == REGION else "employees")
    unknown_ok = ("employment",) if ds.format != "long" and ds.kind == REGION else ()
    out = validate(mapped, source=ds.source, kind=ds.kind, row_style="index", unknown_ok=unknown_ok)
    out.notes = ds.notes + notes
    out.format, out.code_system, out.suppressed = ds.format, None, ds.suppressed
    types = defs.types
    present = set(pd.unique(out.data["industry"].astype(str)))
    out.cluster_types = {k: v for k, v in types.items() if k in present}
    if "(unassigned)" in present:
        out.cluster_types["(unassigned)"] = "unassigned"
    return out


def _where(style: str, i: int) -> str:
    if style == "line":
        return f"line {i + 2}"
    if style == "excel":
        return f"row {i + 2}"
    if style == "parquet":
        return f"row {i + 1}"
    return f"row {i}"


def validate(df: pd.DataFrame, source: str = "<data>", kind: str | None = None, row_style: str = "index",
             unknown_ok=()) -> Dataset:
    """Validate an in-memory frame in one of the two long formats and return a
    :class:`Dataset`.

    ``unknown_ok`` names required measure columns that may be absent or empty
    (unknown, NaN) — used for official statistics whose values are withheld or not
    published (employment in County Business Patterns or Eurostat, REGPAT counts
    patents only); each unknown cell stays NaN, never zero.
    """
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
        required, optional, key = list(REGION_INDUSTRY_REQUIRED), list(REGION_TABLE_OPTIONAL), ["region", "industry", "year"]
    for c in unknown_ok:
        if c in required:
            required.remove(c)
            optional.insert(0, c)
            if c not in df.columns:
                df[c] = np.nan
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
    measures = [c for c in ("employment", "establishments", "patents") if c in df.columns and df[c].notna().any()]
    if kind == REGION and not measures:
        raise InputError(f"{source}: no observed employment, establishments or patents; nothing to measure")
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
    _refuse_dates_and_booleans(s, col, source, where)
    if s.dtype.kind in "iuf":
        num = s.astype(float)
    elif s.dtype.kind == "b":  # 0/1 flags only (booleans elsewhere were refused)
        num = s.astype(float)
    else:
        raw = s.astype(object)
        stripped = raw.map(lambda v: v.strip() if isinstance(v, str) else v)
        empty = stripped.isna() | (stripped == "")
        num = pd.to_numeric(stripped.where(~empty), errors="coerce")
        bad = num.isna() & ~empty
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            v = raw.iloc[i]
            if col in ("year", "founded") and isinstance(v, str) and _DATE_TEXT.match(v.strip()):
                raise InputError(f"{source}: {where(i)}, column {col!r}: value {v!r} is a date; give the year as a "
                                 "whole number such as 2016")
            raise InputError(f"{source}: {where(i)}, column {col!r}: value {v!r} is not a number")
        num = num.astype(float)
    vals = num.to_numpy()
    if np.isinf(vals).any():
        i = int(np.flatnonzero(np.isinf(vals))[0])
        raise InputError(f"{source}: {where(i)}, column {col!r}: value {vals[i]} is not finite; numbers must be finite")
    if col in PLAUSIBLE_RANGE:
        lo, hi, what = PLAUSIBLE_RANGE[col]
        with np.errstate(invalid="ignore"):
            out = (vals < lo) | (vals > hi)
        # negative counts get their own message below
        if col in NONNEGATIVE:
            out &= vals >= 0
        if out.any():
            i = int(np.flatnonzero(out)[0])
            raise InputError(f"{source}: {where(i)}, column {col!r}: value {vals[i]:g} is beyond the plausible range "
                             f"{lo:g} to {hi:g} ({what}); check the unit or the export")
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


_DATE_TEXT = re.compile(r"^\d{4}[-/.]\d{1,2}([-/.]\d{1,2})?([ T].*)?$|^\d{1,2}[-/.]\d{1,2}[-/.]\d{4}$")


def _refuse_dates_and_booleans(s: pd.Series, col: str, source: str, where) -> None:
    """One line for a datetime column (the year of a date is not the number of the
    date: a timestamp read as a number is about 1e18) and for booleans in a count."""
    kind = s.dtype.kind
    if kind in "Mm" or isinstance(s.dtype, pd.DatetimeTZDtype):
        first = s.dropna()
        shown = first.iloc[0] if len(first) else "NaT"
        i = int(np.flatnonzero(s.notna().to_numpy())[0]) if len(first) else 0
        hint = "give the year as a whole number such as 2016" if col in ("year", "founded") else "a number is needed"
        raise InputError(f"{source}: {where(i)}, column {col!r}: datetime value {shown!s}; {hint}")
    is_bool = kind == "b" or isinstance(s.dtype, pd.BooleanDtype)
    if not is_bool and kind == "O":
        obj = s.dropna()
        dates = obj.map(lambda v: isinstance(v, _dt.date | _dt.datetime | pd.Timestamp | np.datetime64)).to_numpy()
        if dates.any():
            i = int(np.flatnonzero(s.notna().to_numpy())[int(np.flatnonzero(dates)[0])])
            hint = "give the year as a whole number such as 2016" if col in ("year", "founded") else "a number is needed"
            raise InputError(f"{source}: {where(i)}, column {col!r}: datetime value {s.iloc[i]!s}; {hint}")
        bools = obj.map(lambda v: isinstance(v, bool | np.bool_)).to_numpy()
        if bools.any():
            is_bool = True
    if is_bool and col not in BINARY:
        i = int(np.flatnonzero(s.notna().to_numpy())[0]) if s.notna().any() else 0
        what = "a count is needed" if col in COUNTS else "a number is needed"
        raise InputError(f"{source}: {where(i)}, column {col!r}: boolean value {_py(s.iloc[i])!r}; {what}, not True/False")


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

    For a firm panel: ``employment`` = sum of ``employees`` (NaN, unknown, when any
    firm of the cell has unknown employees), ``establishments`` = number of firms,
    ``patents``, ``rd``, ``revenue`` and ``value_added`` = sums when the columns are
    observed.
    """
    if ds.kind == REGION:
        return ds.data
    d = ds.data
    g = d.groupby(["region", "industry", "year"], sort=True, observed=True)
    n = g["firm"].size()
    emp = g["employees"].sum(min_count=1)
    # a cell with one firm of unknown size has unknown employment, not a smaller one
    emp = emp.where(g["employees"].count() == n)
    out = pd.DataFrame({"employment": emp, "establishments": n.astype(float)})
    for col in ("patents", "rd", "revenue", "value_added"):
        if ds.has(col):
            out[col] = g[col].sum(min_count=1)
    return out.reset_index()
