"""Official statistics as published, turned into the monitor's region x industry x
year table.

Three families of files are read as their producers publish them, detected from
their columns (or named with ``format=``):

``cbp`` — **US County Business Patterns**, county (``cbpYYco.txt``) and state
    (``cbpYYst.txt``) files, comma-separated, one row per area and NAICS code:
    ``fipstate``, [``fipscty``], ``naics``, [``empflag``], [``emp_nf``], ``emp``,
    ``qp1_nf``, ``qp1``, ``ap_nf``, ``ap``, ``est``, establishment counts by employee
    size class (``n1_4`` or ``n<5``, ``n5_9``, ... ``n1000_4``), [``lfo``] in the
    state file. Read as:

    * **region** = FIPS code: state ``06``, county ``06085`` (state + county code,
      zero-padded); county code ``999`` ("statewide", establishments without a fixed
      county) is left out and counted in the notes;
    * **industry** = the NAICS code at one level: the published codes carry ``-``
      and ``/`` padding (``------`` all industries, ``31----`` a 2-digit sector,
      ``336///`` 3-digit, ``3364//`` 4-digit, ``33641/`` 5-digit, ``336411``
      6-digit); ``naics_level`` (2-6, default 4) keeps one level, so nothing is
      counted twice. 2-digit sectors that NAICS defines as ranges are labelled
      ``31-33``, ``44-45``, ``48-49``;
    * **year** from ``year=``, else from the file name (``cbp16co.txt`` -> 2016;
      two digits >= 86 are 19xx), else from a ``year`` column;
    * ``employment`` = ``emp``, ``establishments`` = ``est``;
    * **suppressed cells are never zero**: ``emp`` is published as 0 with a
      suppression flag where the Census Bureau withholds it — ``empflag`` A-M
      (an employment range, files to 2016) or ``emp_nf`` ``D`` (withheld to avoid
      disclosure), ``S`` (does not meet publication standards) or ``N`` (not
      available). Those cells get ``employment`` = unknown (NaN) and a row in
      :attr:`~innocluster.monitor.io.Dataset.suppressed` with the flag and the range of
      employment consistent with the flag and the establishment size classes
      (``low``, ``high``). With ``suppressed="midpoint"`` the employment of each such
      cell is estimated as the midpoint of that range (the lower end when the range
      is open above, 100,000+ employees or 5,000+ per establishment) and the notes
      say how many cells were estimated. ``emp_nf`` ``J`` (high noise, 5 % or more)
      is published and counted in the notes. In the state file only rows with
      ``lfo`` = ``-`` (all legal forms) are read.

``eurostat-sbs`` — **Eurostat's regional structural business statistics** bulk TSV
    (e.g. ``sbs_r_nuts06_r2``): tab-separated; the first column is a comma-joined key
    whose header is ``nace_r2,indic_sb,geo\\TIME_PERIOD`` (older files ``geo\\time``;
    some files start with ``freq,``; newer datasets call the indicator
    ``indic_sbs``); one column per year; each cell a number, optionally followed by a
    space and flag letters (``123 p``), or ``:`` when not available (``: c``
    confidential). Read as region = NUTS code (``geo``), industry = NACE Rev. 2 code
    at one level (``nace_level``: ``section`` = letter, 2 = division ``C10``,
    3 = group ``C101``, 4 = class ``C1011``; default: the most detailed level in the
    file; aggregates such as ``B-S_X_K642`` are left out), year = column header,
    and the indicators of :data:`EUROSTAT_INDICATORS` (``V16110`` persons employed ->
    ``employment``, ``V11210`` local units -> ``establishments``, ``V12110`` turnover
    -> ``revenue``, ``V12150`` value added at factor cost -> ``value_added``; pass
    ``indicators=`` for other codes). ``:`` is unknown, never zero; flag ``c``
    (confidential) is counted as suppressed; every flag is counted in the notes.

``regpat`` — **OECD REGPAT** patent tables: the regions table (``appln_id``,
    ``ctry_code``, ``reg_code``, ``reg_share``, ``inv_share``, ...; e.g.
    ``202208_EPO_Inv_reg.txt``, pipe-separated) together with the technology table
    (``appln_id``, ``prio_year``, ``app_year``, ``ipc``; e.g. ``202208_EPO_IPC.txt``).
    Give both files. Read as patent counts by region (``reg_code``) x technology
    class (IPC at ``ipc_level`` characters: 1 section ``H``, 3 class ``H01``, 4
    subclass ``H01L``, default 4) x priority year (``prio_year``; ``year_column=
    "app_year"`` for application years), **fractionally counted**: each row of the
    regions table carries ``inv_share x reg_share`` of its application (1 / number of
    rows of the application when the shares are absent), split equally over the
    application's distinct technology classes, so every application counts once.

The code systems also give the hierarchy used for related and unrelated variety
(:func:`industry_groups`): NAICS codes of 3-6 digits group in their 2-digit sector
(31-33, 44-45 and 48-49 merged, as NAICS defines the sectors), NACE classes, groups
and divisions in their division (2-digit) or, for divisions, their section (letter),
IPC subclasses and classes in their class or section.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from innocluster.errors import InputError

FORMATS = ("long", "cbp", "eurostat-sbs", "regpat")

# ---------------------------------------------------------------- code systems

_NAICS_RANGES = {"31": "31-33", "32": "31-33", "33": "31-33", "44": "44-45", "45": "44-45", "48": "48-49", "49": "48-49"}
_NACE = re.compile(r"^([A-U])(\d{0,4})$")
_IPC = re.compile(r"^[A-H](\d\d([A-Z])?)?$")


def naics_sector(code: str) -> str:
    """The 2-digit NAICS sector of a code (``"3364"`` -> ``"31-33"``)."""
    two = str(code)[:2]
    return _NAICS_RANGES.get(two, two)


def detect_code_system(codes) -> str | None:
    """``"naics"``, ``"nace"``, ``"ipc"`` or None from a set of industry codes.

    NAICS: digits only (or a sector range such as ``31-33``), 2-6 digits, at least
    one code with 3 or more digits; NACE: a section letter and 0-4 digits (``C``,
    ``C10``, ``C1011``); IPC: a section letter, two digits and a letter (``H01L``) or
    shorter prefixes of that shape. NACE and IPC share ``A``-``H`` + digits; a code
    with a trailing letter decides for IPC.
    """
    labs = [str(c).strip() for c in codes]
    if not labs:
        return None
    if all(re.fullmatch(r"\d{2,6}|\d\d-\d\d", c) for c in labs) and any(len(c) >= 3 and c.isdigit() for c in labs):
        return "naics"
    if all(_IPC.fullmatch(c) for c in labs) and any(len(c) == 4 and c[-1].isalpha() for c in labs):
        return "ipc"
    if all(_NACE.fullmatch(c) for c in labs) and any(len(c) >= 3 for c in labs):
        return "nace"
    return None


def industry_groups(codes, system: str | None = None) -> list[str] | None:
    """The parent sector of each industry code, for related / unrelated variety.

    Parameters
    ----------
    codes : sequence of industry codes (one per column of the region x industry matrix).
    system : ``"naics"``, ``"nace"``, ``"ipc"``, or None to detect it
        (:func:`detect_code_system`).

    Returns
    -------
    list of group labels, or None when the codes are not a known hierarchy or all
    codes would fall in one group (variety within a single sector says nothing
    about related and unrelated variety).

    Notes
    -----
    NAICS 3-6 digit codes -> 2-digit sector (31-33, 44-45, 48-49 merged); NACE
    3-4 digit codes -> division (letter + 2 digits), divisions -> section (letter);
    IPC subclasses -> class (3 characters), classes -> section (1). Frenken, Van Oort
    & Verburg (2007) measure related variety of 5-digit industries within 2-digit
    sectors; the same decomposition applies at any two nested levels.
    """
    labs = [str(c).strip() for c in codes]
    system = system or detect_code_system(labs)
    if system == "naics":
        if not all(re.fullmatch(r"\d{3,6}", c) for c in labs):
            return None
        groups = [naics_sector(c) for c in labs]
    elif system == "nace":
        parsed = [_NACE.fullmatch(c) for c in labs]
        if not all(parsed):
            return None
        digits = {len(m.group(2)) for m in parsed}
        if digits == {2}:
            groups = [m.group(1) for m in parsed]
        elif digits <= {3, 4}:
            groups = [m.group(1) + m.group(2)[:2] for m in parsed]
        else:
            return None
    elif system == "ipc":
        if all(len(c) == 4 for c in labs):
            groups = [c[:3] for c in labs]
        elif all(len(c) == 3 for c in labs):
            groups = [c[:1] for c in labs]
        else:
            return None
    else:
        return None
    return groups if len(set(groups)) > 1 else None


# ---------------------------------------------------------------- detection

def _cols(columns) -> set[str]:
    return {str(c).strip().lower() for c in columns}


def is_cbp(columns) -> bool:
    c = _cols(columns)
    return {"fipstate", "naics", "est", "emp"} <= c


def is_eurostat(columns) -> bool:
    cols = [str(c).strip().lower() for c in columns]
    return bool(cols) and "\\" in cols[0] and "geo" in cols[0] and "nace_r2" in cols[0]


def is_regpat_regions(columns) -> bool:
    return {"appln_id", "reg_code"} <= _cols(columns)


def is_regpat_ipc(columns) -> bool:
    c = _cols(columns)
    return {"appln_id", "ipc"} <= c and bool({"prio_year", "app_year"} & c)


def detect_format(columns) -> str | None:
    """The official format a table's columns belong to, or None (the long formats).

    ``"regpat"`` for either REGPAT table (both are needed, see the module docstring).
    """
    if is_cbp(columns):
        return "cbp"
    if is_eurostat(columns):
        return "eurostat-sbs"
    if is_regpat_regions(columns) or is_regpat_ipc(columns):
        return "regpat"
    return None


# ---------------------------------------------------------------- County Business Patterns

#: Employees per establishment in each CBP size class (the 1-4 / "<5" class also
#: holds establishments with no employees in the March pay period).
CBP_SIZE_CLASSES = {
    "n1_4": (0, 4), "n<5": (0, 4), "n5_9": (5, 9), "n10_19": (10, 19), "n20_49": (20, 49),
    "n50_99": (50, 99), "n100_249": (100, 249), "n250_499": (250, 499), "n500_999": (500, 999),
    "n1000_1": (1000, 1499), "n1000_2": (1500, 2499), "n1000_3": (2500, 4999), "n1000_4": (5000, math.inf),
}
#: ``empflag`` employment ranges of suppressed cells (CBP record layouts to 2016).
CBP_EMPFLAG = {
    "A": (0, 19), "B": (20, 99), "C": (100, 249), "E": (250, 499), "F": (500, 999), "G": (1000, 2499),
    "H": (2500, 4999), "I": (5000, 9999), "J": (10000, 24999), "K": (25000, 49999), "L": (50000, 99999),
    "M": (100000, math.inf),
}
#: ``emp_nf`` noise flags whose value is withheld (published as 0).
CBP_WITHHELD = {"D": "withheld to avoid disclosure", "S": "does not meet publication standards", "N": "not available"}
SUPPRESSED_CHOICES = ("unknown", "midpoint")
_CBP_FILE = re.compile(r"cbp(\d{2})(co|st|us|msa|cd|zp|pr)", re.I)


def cbp_year_from_name(name: str) -> int | None:
    """Year of a CBP file from its published name (``cbp16co.txt`` -> 2016)."""
    m = _CBP_FILE.search(Path(name).name)
    if not m:
        return None
    yy = int(m.group(1))
    return 1900 + yy if yy >= 86 else 2000 + yy


def naics_level_of(code: str) -> int:
    """Digits of a published CBP NAICS code (``"3364//"`` -> 4, ``"------"`` -> 0)."""
    return len(str(code).strip().replace("-", "").replace("/", ""))


def _naics_label(code: str) -> str:
    digits = str(code).strip().replace("-", "").replace("/", "")
    return naics_sector(digits) if len(digits) == 2 else digits


def _str_col(df: pd.DataFrame, col: str) -> pd.Series:
    s = df[col].astype(object).where(df[col].notna(), "")
    return s.astype(str).str.strip().str.strip('"').replace({"nan": "", "<NA>": "", "None": ""})


def read_cbp(frame: pd.DataFrame, source: str, year: int | None = None, naics_level: int = 4,
             suppressed: str = "unknown") -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """A County Business Patterns county or state file as a region x industry table.

    Parameters
    ----------
    frame : the file as read (columns in any case).
    source : file name (for messages and the year).
    year : data year; else from the file name or a ``year`` column.
    naics_level : NAICS digits to keep (2-6).
    suppressed : ``"unknown"`` (suppressed employment is NaN) or ``"midpoint"``
        (estimated from the flag and size-class ranges).

    Returns
    -------
    table : DataFrame ``region, industry, year, employment, establishments``.
    suppressed_cells : DataFrame ``region, industry, year, column, flag, low, high,
        estimate`` of every withheld employment value.
    notes : what was read, left out or estimated.

    See the module docstring for the layout and the rules.
    """
    if naics_level not in (2, 3, 4, 5, 6):
        raise InputError(f"--level {naics_level!r} (NAICS digits): allowed 2, 3, 4, 5, 6")
    if suppressed not in SUPPRESSED_CHOICES:
        raise InputError(f"--suppressed {suppressed!r}: allowed {', '.join(SUPPRESSED_CHOICES)}")
    df = frame.copy()
    df.columns = [str(c).strip().lower() for c in df.columns]
    for need in ("fipstate", "naics", "emp", "est"):
        if need not in df.columns:
            raise InputError(f"{source}: missing column {need!r}; a County Business Patterns file has fipstate, "
                             "[fipscty], naics, emp, est (see docs/monitor.md)")
    notes = []
    y = year if year is not None else cbp_year_from_name(source)
    if y is None and "year" in df.columns:
        ys = pd.to_numeric(df["year"], errors="coerce").dropna().unique()
        if len(ys) == 1:
            y = int(ys[0])
    if y is None:
        raise InputError(f"{source}: the year of this County Business Patterns file is unknown; name the file as "
                         "published (cbpYYco.txt, cbpYYst.txt) or pass --year")
    if "lfo" in df.columns:
        lfo = _str_col(df, "lfo")
        if not (lfo == "-").any():
            raise InputError(f"{source}: column 'lfo' has no row '-' (all legal forms of organization)")
        df = df[lfo == "-"]
    state = _str_col(df, "fipstate").str.zfill(2)
    if "fipscty" in df.columns:
        county = _str_col(df, "fipscty").str.zfill(3)
        statewide = county == "999"
        if statewide.any():
            est_sw = pd.to_numeric(df.loc[statewide, "est"], errors="coerce").sum()
            notes.append(f"{source}: {int(statewide.sum())} statewide rows (county code 999, {est_sw:,.0f} "
                         "establishment-records without a fixed county) left out")
        df, state, county = df[~statewide], state[~statewide], county[~statewide]
        region = state + county
    else:
        region = state
    naics = _str_col(df, "naics")
    levels = naics.map(naics_level_of)
    present = sorted(set(levels) - {0})
    keep = levels == naics_level
    if not keep.any():
        raise InputError(f"{source}: no NAICS codes at {naics_level} digits; levels present: "
                         f"{', '.join(map(str, present)) or 'none'} (choose with --level)")
    df, region, naics = df[keep], region[keep], naics[keep]
    emp = pd.to_numeric(df["emp"], errors="coerce").astype(float)
    est = pd.to_numeric(df["est"], errors="coerce").astype(float)
    if emp.isna().any() or est.isna().any():
        bad = "emp" if emp.isna().any() else "est"
        i = int(np.flatnonzero((emp if bad == "emp" else est).isna().to_numpy())[0])
        raise InputError(f"{source}: NAICS {naics.iloc[i]!r}, region {region.iloc[i]}: column {bad!r} value "
                         f"{df[bad].iloc[i]!r} is not a number")
    empflag = _str_col(df, "empflag").str.upper() if "empflag" in df.columns else pd.Series("", index=df.index)
    emp_nf = _str_col(df, "emp_nf").str.upper() if "emp_nf" in df.columns else pd.Series("", index=df.index)
    withheld = empflag.isin(list(CBP_EMPFLAG)) | emp_nf.isin(list(CBP_WITHHELD))
    unknown_flag = empflag.ne("") & ~empflag.isin(list(CBP_EMPFLAG))
    if unknown_flag.any():
        i = int(np.flatnonzero(unknown_flag.to_numpy())[0])
        raise InputError(f"{source}: column 'empflag' value {empflag.iloc[i]!r} is not a CBP suppression flag "
                         f"(allowed {', '.join(CBP_EMPFLAG)})")
    if (emp_nf == "J").any():
        notes.append(f"{source}: {int((emp_nf == 'J').sum())} employment values carry high noise (flag J, 5 % or more)")
    table = pd.DataFrame({"region": region.to_numpy(), "industry": naics.map(_naics_label).to_numpy(),
                          "year": int(y), "employment": emp.to_numpy(), "establishments": est.to_numpy()})
    w = withheld.to_numpy()
    supp = pd.DataFrame(columns=["region", "industry", "year", "column", "flag", "low", "high", "estimate"])
    if w.any():
        lo, hi = _cbp_ranges(df[w], empflag[w], emp_nf[w])
        flags = np.where(empflag[w] != "", "empflag " + empflag[w], "emp_nf " + emp_nf[w])
        estimate = np.where(np.isfinite(hi), (lo + hi) / 2.0, lo)
        supp = pd.DataFrame({"region": table["region"].to_numpy()[w], "industry": table["industry"].to_numpy()[w],
                             "year": int(y), "column": "employment", "flag": flags, "low": lo, "high": hi,
                             "estimate": estimate})
        if suppressed == "midpoint":
            table.loc[w, "employment"] = estimate
            notes.append(f"{source}: employment of {int(w.sum())} of {len(table)} cells withheld by the Census Bureau; "
                         "estimated as the midpoint of the range their flags and size classes allow (--suppressed midpoint)")
        else:
            table.loc[w, "employment"] = np.nan
            notes.append(f"{source}: employment of {int(w.sum())} of {len(table)} cells withheld by the Census Bureau "
                         "(flags D, S, N or an employment range): unknown, not zero; --suppressed midpoint estimates them")
    return table, supp, notes


def _cbp_ranges(rows: pd.DataFrame, empflag: pd.Series, emp_nf: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Employment range of withheld cells: the ``empflag`` range intersected with the
    range the establishment size classes allow."""
    n = len(rows)
    lo, hi = np.zeros(n), np.full(n, math.inf)
    classes = [c for c in CBP_SIZE_CLASSES if c in rows.columns]
    if "n1000" in rows.columns and not any(c.startswith("n1000_") for c in classes):
        classes.append("n1000")
    if classes:
        s_lo, s_hi = np.zeros(n), np.zeros(n)
        for c in classes:
            cnt = pd.to_numeric(rows[c], errors="coerce").fillna(0.0).to_numpy()
            a, b = CBP_SIZE_CLASSES.get(c, (1000, math.inf))
            s_lo += cnt * a
            with np.errstate(invalid="ignore"):
                s_hi += np.where(cnt > 0, cnt * b, 0.0)
        lo, hi = np.maximum(lo, s_lo), np.minimum(hi, s_hi)
    f = empflag.to_numpy()
    f_lo = np.array([CBP_EMPFLAG.get(x, (0, math.inf))[0] for x in f], dtype=float)
    f_hi = np.array([CBP_EMPFLAG.get(x, (0, math.inf))[1] for x in f], dtype=float)
    lo, hi = np.maximum(lo, f_lo), np.minimum(hi, f_hi)
    # ranges that do not intersect (inconsistent published flags): keep the flag's
    bad = lo > hi
    lo[bad], hi[bad] = f_lo[bad], f_hi[bad]
    return lo, hi


# ---------------------------------------------------------------- Eurostat SBS

#: Eurostat SBS indicator codes read by default and the monitor column each gives.
EUROSTAT_INDICATORS = {
    "V16110": "employment",  # persons employed - number
    "V11210": "establishments",  # local units - number
    "V12110": "revenue",  # turnover - million euro
    "V12150": "value_added",  # value added at factor cost - million euro
}
_EUROSTAT_VALUE = re.compile(r"^\s*(:|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*([a-z]*)\s*$")
NACE_LEVELS = {"section": 0, "2": 2, "3": 3, "4": 4}


def read_eurostat_sbs(frame: pd.DataFrame, source: str, nace_level: str | int | None = None,
                      indicators: Mapping[str, str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Eurostat regional SBS bulk TSV as a region x industry table (module docstring).

    Parameters
    ----------
    frame : the file read tab-separated (first column the comma-joined key).
    source : file name for messages.
    nace_level : ``"section"``, 2, 3 or 4 (default: the most detailed level present).
    indicators : indicator code -> monitor column (default :data:`EUROSTAT_INDICATORS`).

    Returns
    -------
    table, suppressed_cells, notes : as :func:`read_cbp`.
    """
    mapping = {str(k).upper(): v for k, v in (indicators or EUROSTAT_INDICATORS).items()}
    allowed = {"employment", "establishments", "revenue", "value_added", "patents", "rd"}
    bad = [v for v in mapping.values() if v not in allowed]
    if bad:
        raise InputError(f"--indicator: {bad[0]!r} is not a monitor column; allowed {', '.join(sorted(allowed))}")
    first = str(frame.columns[0]).strip()
    keys = [k.strip().lower() for k in first.split("\\")[0].split(",")]
    need = {"nace_r2", "geo"}
    ind_key = "indic_sb" if "indic_sb" in keys else ("indic_sbs" if "indic_sbs" in keys else None)
    if not need <= set(keys) or ind_key is None:
        raise InputError(f"{source}: first column {first!r} is not Eurostat's 'nace_r2,indic_sb,geo\\TIME_PERIOD' key")
    parts = frame.iloc[:, 0].astype(str).str.split(",", expand=True)
    if parts.shape[1] != len(keys):
        i = int(np.flatnonzero(frame.iloc[:, 0].astype(str).str.count(",").to_numpy() != len(keys) - 1)[0])
        raise InputError(f"{source}: line {i + 2}: key {frame.iloc[i, 0]!r} does not have the {len(keys)} parts "
                         f"{', '.join(keys)}")
    parts.columns = keys
    year_cols = {}
    for c in frame.columns[1:]:
        lab = str(c).strip()
        if not re.fullmatch(r"\d{4}", lab):
            raise InputError(f"{source}: column {lab!r} is not a year; Eurostat's TSV has one column per year")
        year_cols[c] = int(lab)
    notes = []
    codes = parts["nace_r2"].str.strip()
    m = codes.str.fullmatch(r"[A-U]\d{0,4}")
    aggregates = sorted(set(codes[~m]))
    if aggregates:
        notes.append(f"{source}: NACE aggregates left out: {', '.join(aggregates[:6])}{' ...' if len(aggregates) > 6 else ''}")
    digits = codes.str.len() - 1
    present = sorted(set(digits[m]))
    if nace_level is None:
        level = max(present) if present else 0
    else:
        key = str(nace_level).strip().lower()
        if key not in NACE_LEVELS:
            raise InputError(f"--level {nace_level!r} (NACE level): allowed section, 2, 3, 4")
        level = NACE_LEVELS[key]
    if level not in present:
        names = ", ".join("section" if d == 0 else str(d) for d in present) or "none"
        raise InputError(f"{source}: no NACE codes at level {'section' if level == 0 else level}; levels present: {names}")
    keep = np.array(m & (digits == level), dtype=bool)
    indic = parts[ind_key].str.strip().str.upper()
    other = sorted(set(indic[keep]) - set(mapping))
    if other:
        notes.append(f"{source}: indicators not read: {', '.join(other[:8])}{' ...' if len(other) > 8 else ''} "
                     "(known: " + ", ".join(f"{k}={v}" for k, v in mapping.items()) + ")")
    keep = keep & indic.isin(list(mapping)).to_numpy()
    if not keep.any():
        found = sorted(set(indic))
        raise InputError(f"{source}: none of the indicators {', '.join(mapping)} at this NACE level; the file has "
                         f"{', '.join(found[:8]) or 'none'}{' ...' if len(found) > 8 else ''} (map other codes with "
                         "--indicator CODE=COLUMN, see docs/monitor.md)")
    sub = pd.DataFrame({"region": parts["geo"].str.strip().to_numpy()[keep], "industry": codes.to_numpy()[keep],
                        "column": indic.map(mapping).to_numpy()[keep]})
    long_rows = []
    flag_counts: dict[str, int] = {}
    supp_rows = []
    for c, yr in year_cols.items():
        raw = frame[c].astype(str).str.strip()[keep].reset_index(drop=True)
        parsed = raw.str.extract(_EUROSTAT_VALUE)
        bad = parsed[0].isna().to_numpy()
        if bad.any():
            row = int(np.flatnonzero(keep)[int(np.flatnonzero(bad)[0])])
            raise InputError(f"{source}: line {row + 2}, year {yr}: value {raw[bad].iloc[0]!r} is not a number, ':' "
                             "or a number with Eurostat flags")
        num, flags = parsed[0], parsed[1].fillna("")
        for fl, n in pd.Series(list("".join(flags))).value_counts().items():
            flag_counts[fl] = flag_counts.get(fl, 0) + int(n)
        colon = (num == ":").to_numpy()
        conf = colon & flags.str.contains("c", regex=False).to_numpy()
        for k in np.flatnonzero(conf):
            supp_rows.append((sub["region"].iat[k], sub["industry"].iat[k], yr, sub["column"].iat[k], "c"))
        vals = pd.to_numeric(num.where(~colon), errors="coerce").to_numpy(dtype=float)
        long_rows.append(sub.assign(year=yr, value=vals))
    long = pd.concat(long_rows, ignore_index=True)
    dup = long.duplicated(["region", "industry", "year", "column"])
    if dup.any():
        r = long[dup].iloc[0]
        raise InputError(f"{source}: {r['column']} of region {r['region']}, NACE {r['industry']}, {r['year']} "
                         "appears twice (several units or size classes? keep one)")
    table = long.pivot_table(index=["region", "industry", "year"], columns="column", values="value",
                             aggfunc="first", dropna=False).reset_index()
    table.columns.name = None
    # a cell missing from every indicator is no observation at all ("not available"),
    # unless it is confidential: then the activity exists and its size is unknown
    cols = [c for c in table.columns if c not in ("region", "industry", "year")]
    confidential = pd.MultiIndex.from_tuples([r[:3] for r in supp_rows], names=["region", "industry", "year"]) \
        if supp_rows else None
    keep_rows = np.array(table[cols].notna().any(axis=1), dtype=bool)
    if confidential is not None:
        keep_rows = keep_rows | pd.MultiIndex.from_frame(table[["region", "industry", "year"]]).isin(confidential)
    table = table[keep_rows].reset_index(drop=True)
    if "employment" not in table.columns:
        table["employment"] = np.nan
    if flag_counts:
        meaning = {"c": "confidential", "p": "provisional", "e": "estimated", "b": "break in series",
                   "u": "low reliability", "d": "definition differs", "n": "not significant", "z": "not applicable",
                   "s": "Eurostat estimate", "f": "forecast", "r": "revised"}
        notes.append(f"{source}: Eurostat flags: " + ", ".join(
            f"{k} ({meaning.get(k, 'flag')}) x{v}" for k, v in sorted(flag_counts.items())))
    supp = pd.DataFrame(supp_rows, columns=["region", "industry", "year", "column", "flag"])
    supp["flag"] = "Eurostat c (confidential)"
    supp = supp.assign(low=np.nan, high=np.nan, estimate=np.nan)
    n_unknown = int(table["employment"].isna().sum()) if "employment" in table.columns else 0
    if n_unknown:
        notes.append(f"{source}: persons employed not available (':') in {n_unknown} of {len(table)} cells: unknown, "
                     "not zero")
    return table, supp, notes


# ---------------------------------------------------------------- OECD REGPAT

def read_regpat(regions: pd.DataFrame, ipc: pd.DataFrame, source: str, ipc_level: int = 4,
                year_column: str = "prio_year") -> tuple[pd.DataFrame, list[str]]:
    """OECD REGPAT regions and technology tables as fractional patent counts by region
    x technology class x year (module docstring).

    Parameters
    ----------
    regions : the regions table (``appln_id``, ``reg_code``, optional ``reg_share``,
        ``inv_share``).
    ipc : the technology table (``appln_id``, ``ipc``, ``prio_year`` / ``app_year``).
    source : names of the two files, for messages.
    ipc_level : IPC characters kept: 1 (section), 3 (class) or 4 (subclass).
    year_column : ``"prio_year"`` (default) or ``"app_year"``.

    Returns
    -------
    table : ``region, industry, year, patents`` (fractional counts).
    notes : list of str.
    """
    if ipc_level not in (1, 3, 4):
        raise InputError(f"--level {ipc_level!r} (IPC characters): allowed 1 (section), 3 (class), 4 (subclass)")
    r = regions.copy()
    r.columns = [str(c).strip().lower() for c in r.columns]
    t = ipc.copy()
    t.columns = [str(c).strip().lower() for c in t.columns]
    if year_column not in t.columns:
        raise InputError(f"{source}: the technology table has no column {year_column!r}")
    notes = []
    n_apps = r["appln_id"].nunique()
    w = np.ones(len(r))
    if "inv_share" in r.columns:
        w = w * pd.to_numeric(r["inv_share"], errors="coerce").fillna(0.0).to_numpy()
    if "reg_share" in r.columns:
        w = w * pd.to_numeric(r["reg_share"], errors="coerce").fillna(0.0).to_numpy()
    if "inv_share" not in r.columns and "reg_share" not in r.columns:
        w = 1.0 / r.groupby("appln_id")["appln_id"].transform("size").to_numpy()
        notes.append(f"{source}: no inv_share / reg_share columns: each application split equally over its region rows")
    r = pd.DataFrame({"appln_id": r["appln_id"].to_numpy(), "region": r["reg_code"].astype(str).str.strip().to_numpy(),
                      "w": w})
    tot = r.groupby("appln_id")["w"].sum()
    off = (tot - 1.0).abs() > 1e-6
    if off.any():
        notes.append(f"{source}: the regional shares of {int(off.sum())} of {len(tot)} applications do not sum to 1 "
                     "(counted as published)")
    cls = t["ipc"].astype(str).str.replace(" ", "", regex=False).str.upper().str[:ipc_level]
    yr = pd.to_numeric(t[year_column], errors="coerce")
    if yr.isna().any():
        i = int(np.flatnonzero(yr.isna().to_numpy())[0])
        raise InputError(f"{source}: technology table row {i + 1}, column {year_column!r}: value "
                         f"{t[year_column].iloc[i]!r} is not a year")
    t = pd.DataFrame({"appln_id": t["appln_id"].to_numpy(), "industry": cls.to_numpy(), "year": yr.astype(int).to_numpy()})
    t = t.drop_duplicates(["appln_id", "industry"])
    t["share"] = 1.0 / t.groupby("appln_id")["industry"].transform("size")
    both = r.merge(t, on="appln_id", how="inner")
    missing = n_apps - both["appln_id"].nunique()
    if missing:
        notes.append(f"{source}: {missing} of {n_apps} applications have no technology class (left out)")
    if both.empty:
        raise InputError(f"{source}: no application appears in both REGPAT tables (join on appln_id)")
    both["patents"] = both["w"] * both["share"]
    table = both.groupby(["region", "industry", "year"], sort=True)["patents"].sum().reset_index()
    notes.append(f"{source}: {both['appln_id'].nunique():,} applications fractionally counted by inventor region "
                 f"and IPC {'subclass' if ipc_level == 4 else 'class' if ipc_level == 3 else 'section'} ({year_column})")
    return table, notes


__all__ = [
    "CBP_EMPFLAG",
    "CBP_SIZE_CLASSES",
    "EUROSTAT_INDICATORS",
    "FORMATS",
    "cbp_year_from_name",
    "detect_code_system",
    "detect_format",
    "industry_groups",
    "naics_sector",
    "read_cbp",
    "read_eurostat_sbs",
    "read_regpat",
]
