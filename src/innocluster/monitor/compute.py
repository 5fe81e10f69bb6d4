"""All indicators of a data set, year by year, as tidy tables.

Region-industry tables are turned into a dense cube ``[year, region, industry]``
once (factorised labels, one scatter assignment); every indicator is then a NumPy
operation on a year slice. Firm panels are aggregated first and additionally give
firm-level indicators (entries / exits, patent intensities, Ellison-Glaeser, the
patent-R&D elasticity).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from innocluster import indicators as ind
from innocluster.errors import InputError
from innocluster.indicators._validate import safe_divide
from innocluster.indicators.clusters import MIN_REGIONS_STRONG
from innocluster.monitor._blas import blas_threads
from innocluster.monitor.io import Dataset, to_region_table

ALL = "ALL"


@dataclass
class Cube:
    """Dense ``[year, region, industry]`` arrays of a region x industry x year table."""

    years: np.ndarray
    regions: pd.Index
    industries: pd.Index
    arrays: dict[str, np.ndarray]
    present: np.ndarray  # bool [year, region, industry]: row present in the data
    #: column -> number of present cells whose value is unknown (NaN in the data; 0 in
    #: ``arrays``, which must then not be used as a measure)
    unknown: dict[str, int] = field(default_factory=dict)


def _label_codes(s: pd.Series) -> tuple[np.ndarray, object]:
    """``pd.factorize(s, sort=True)`` without hashing 10^7 labels: category codes for
    categoricals, an offset for integers with a small range."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        codes = s.cat.codes.to_numpy()
        if len(codes) and codes.min() >= 0:
            cats = s.cat.categories
            used = np.bincount(codes, minlength=len(cats)) > 0
            if not used.all():
                codes = (np.cumsum(used) - 1)[codes]
            uniq = pd.CategoricalIndex(pd.Categorical.from_codes(np.flatnonzero(used), cats, ordered=s.cat.ordered))
            return codes, uniq
    elif s.dtype.kind in "iu" and len(s):
        v = s.to_numpy()
        lo, hi = int(v.min()), int(v.max())
        if hi - lo < 4 * len(v) + 1024:
            used = np.bincount(v - lo, minlength=hi - lo + 1) > 0
            off = v - lo
            codes = off if used.all() else (np.cumsum(used) - 1)[off]
            return codes, (np.flatnonzero(used) + lo).astype(v.dtype)
    return pd.factorize(s, sort=True)


def make_cube(table: pd.DataFrame, columns=("employment", "establishments", "patents", "rd")) -> Cube:
    yc, years = _label_codes(table["year"])
    rc, regions = _label_codes(table["region"])
    ic, industries = _label_codes(table["industry"])
    shape = (len(years), len(regions), len(industries))
    # one flat index, reused by every column (a scatter per column, no pivot)
    flat = (yc.astype(np.int64) * shape[1] + rc) * shape[2] + ic
    del yc, rc, ic
    arrays = {}
    unknown = {}
    for c in columns:
        if c in table.columns and table[c].notna().any():
            a = np.zeros(shape)
            v = table[c].to_numpy(dtype=float)
            n_nan = int(np.isnan(v).sum())
            if n_nan:
                unknown[c] = n_nan
            a.reshape(-1)[flat] = np.nan_to_num(v)
            arrays[c] = a
    present = np.zeros(shape, dtype=bool)
    present.reshape(-1)[flat] = True
    return Cube(np.asarray(years), pd.Index(regions, name="region"), pd.Index(industries, name="industry"), arrays,
                present, unknown)


@dataclass
class IndicatorSet:
    """Indicators at four levels, each a wide DataFrame:

    * ``cell`` — region x industry x year (``region``, ``industry``, ``year`` + columns);
    * ``region`` — region x year; ``industry`` — industry x year;
    * ``overall`` — scalars (dict), e.g. the patent-R&D elasticity.

    ``notes`` say what was skipped and why; ``measure`` is the activity count used
    for specialisation (``employment``, else ``establishments``).
    """

    cell: pd.DataFrame
    region: pd.DataFrame
    industry: pd.DataFrame
    overall: dict
    notes: list[str] = field(default_factory=list)
    measure: str = "employment"
    cube: Cube | None = None

    def to_long(self, dropna: bool = True) -> pd.DataFrame:
        """Tidy long table: ``region``, ``industry``, ``year``, ``indicator``, ``value``.

        Region-level rows have ``industry == "ALL"``, industry-level rows ``region ==
        "ALL"``, overall rows both (and ``year`` missing: they pool all years).
        Labels are categoricals (codes built once with NumPy) to keep 10^7-row tables
        small; ``dropna`` drops undefined values (e.g. growth in the first year).
        """
        r_lab = [str(x) for x in (self.cube.regions if self.cube is not None else [])]
        i_lab = [str(x) for x in (self.cube.industries if self.cube is not None else [])]
        regions = pd.Index(list(dict.fromkeys(r_lab + [ALL])))
        industries = pd.Index(list(dict.fromkeys(i_lab + [ALL])))
        indicators: list[str] = []
        chunks = []

        def codes(frame, col, index):
            if col is None:
                return np.full(len(frame), index.get_loc(ALL), dtype=np.int32)
            v = frame[col]
            if isinstance(v.dtype, pd.CategoricalDtype):
                cat_codes = index.get_indexer(v.cat.categories.astype(str))
                return cat_codes[v.cat.codes.to_numpy()].astype(np.int32)
            return index.get_indexer(v.astype(str)).astype(np.int32)

        for frame, rcol, icol in ((self.cell, "region", "industry"), (self.region, "region", None), (self.industry, None, "industry")):
            if frame is None or frame.empty:
                continue
            value_cols = [c for c in frame.columns if c not in ("region", "industry", "year")]
            if not value_cols:
                continue
            rc, ic = codes(frame, rcol, regions), codes(frame, icol, industries)
            yr = frame["year"].to_numpy(dtype=np.int64)
            for c in value_cols:
                v = frame[c].to_numpy(dtype=float)
                keep = ~np.isnan(v) if dropna else np.ones(v.size, bool)
                if c not in indicators:
                    indicators.append(c)
                k = indicators.index(c)
                chunks.append((rc[keep], ic[keep], yr[keep], np.full(int(keep.sum()), k, dtype=np.int16), v[keep]))
        overall = {k: float(v) for k, v in self.overall.items() if isinstance(v, int | float | np.floating | np.integer)}
        for k, v in overall.items():
            if k not in indicators:
                indicators.append(k)
        if not chunks and not overall:
            return pd.DataFrame(columns=["region", "industry", "year", "indicator", "value"])
        rc = np.concatenate([c[0] for c in chunks] + [np.full(len(overall), regions.get_loc(ALL), np.int32)])
        ic = np.concatenate([c[1] for c in chunks] + [np.full(len(overall), industries.get_loc(ALL), np.int32)])
        yr = np.concatenate([c[2] for c in chunks] + [np.zeros(len(overall), np.int64)])
        kc = np.concatenate([c[3] for c in chunks] + [np.array([indicators.index(k) for k in overall], np.int16)])
        val = np.concatenate([c[4] for c in chunks] + [np.array(list(overall.values()), float)])
        chunks.clear()
        year = pd.arrays.IntegerArray(yr, np.r_[np.zeros(yr.size - len(overall), bool), np.ones(len(overall), bool)])
        return pd.DataFrame(
            {
                "region": pd.Categorical.from_codes(rc, regions),
                "industry": pd.Categorical.from_codes(ic, industries),
                "year": year,
                "indicator": pd.Categorical.from_codes(kc, indicators),
                "value": val,
            }
        )


    # -- tidy table straight from arrays -------------------------------------------

    def _long_parts(self):
        """Labels and a generator of column blocks of :meth:`to_long`, same rows in the
        same order, without building the whole table: ``(regions, industries,
        indicators, blocks)``; each block is ``(region_code, industry_code, year,
        year_missing, indicator_code, value)`` (arrays; ``year_missing`` is None or a
        bool mask)."""
        r_lab = [str(x) for x in (self.cube.regions if self.cube is not None else [])]
        i_lab = [str(x) for x in (self.cube.industries if self.cube is not None else [])]
        regions = pd.Index(list(dict.fromkeys(r_lab + [ALL])))
        industries = pd.Index(list(dict.fromkeys(i_lab + [ALL])))
        frames = [(f, rc, ic) for f, rc, ic in ((self.cell, "region", "industry"), (self.region, "region", None), (self.industry, None, "industry"))
                  if f is not None and not f.empty]
        indicators: list[str] = []
        value_cols = []
        for f, _, _ in frames:
            vc = [c for c in f.columns if c not in ("region", "industry", "year")]
            value_cols.append(vc)
            indicators.extend(c for c in vc if c not in indicators)
        overall = {k: float(v) for k, v in self.overall.items() if isinstance(v, int | float | np.floating | np.integer)}
        indicators.extend(k for k in overall if k not in indicators)
        r_dt = pd.Categorical.from_codes([], regions).codes.dtype
        i_dt = pd.Categorical.from_codes([], industries).codes.dtype
        k_dt = pd.Categorical.from_codes([], indicators).codes.dtype if indicators else np.int8
        k_pos = {k: j for j, k in enumerate(indicators)}

        def codes(frame, col, index, dt):
            if col is None:
                return None, index.get_loc(ALL)
            v = frame[col]
            if isinstance(v.dtype, pd.CategoricalDtype):
                cat_codes = index.get_indexer(v.cat.categories.astype(str)).astype(dt)
                return cat_codes[v.cat.codes.to_numpy()], None
            return index.get_indexer(v.astype(str)).astype(dt), None

        def blocks():
            for (frame, rcol, icol), vc in zip(frames, value_cols, strict=True):
                if not vc:
                    continue
                rc, r_const = codes(frame, rcol, regions, r_dt)
                ic, i_const = codes(frame, icol, industries, i_dt)
                yr = frame["year"].to_numpy(dtype=np.int64)
                n = len(frame)
                for c in vc:
                    v = frame[c].to_numpy(dtype=float)
                    keep = ~np.isnan(v)
                    sel = (lambda a: a) if keep.all() else (lambda a, keep=keep: a[keep])  # noqa: E731
                    m = int(keep.sum())
                    yield (
                        np.full(m, r_const, dtype=r_dt) if rc is None else sel(rc),
                        np.full(m, i_const, dtype=i_dt) if ic is None else sel(ic),
                        sel(yr), None, np.full(m, k_pos[c], dtype=k_dt), sel(v),
                    )
                    del keep
                del rc, ic, yr, n
            if overall:
                k = len(overall)
                yield (np.full(k, regions.get_loc(ALL), r_dt), np.full(k, industries.get_loc(ALL), i_dt), np.zeros(k, np.int64),
                       np.ones(k, bool), np.array([k_pos[x] for x in overall], k_dt), np.array(list(overall.values()), float))

        return regions, industries, indicators, blocks()

    def write_long(self, path, dropna: bool = True) -> int:
        """Write :meth:`to_long` to a Parquet file block by block with pyarrow and return
        the number of rows.

        The file reads back (``pd.read_parquet``) as exactly ``to_long()``: same rows,
        order, dictionary-encoded (categorical) ``region`` / ``industry`` /
        ``indicator`` and nullable ``year``; but peak memory is one indicator's block
        (~15 MB per million cells) instead of the whole 10^7-10^8-row table.
        Only ``dropna=True`` is streamed; ``dropna=False`` goes through :meth:`to_long`.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        if not dropna:
            long = self.to_long(dropna=False)
            long.to_parquet(path, engine="pyarrow", index=False)
            return len(long)
        regions, industries, indicators, blocks = self._long_parts()
        template = pd.DataFrame(
            {
                "region": pd.Categorical.from_codes(np.zeros(0, int), regions),
                "industry": pd.Categorical.from_codes(np.zeros(0, int), industries),
                "year": pd.array(np.zeros(0, np.int64), dtype="Int64"),
                "indicator": pd.Categorical.from_codes(np.zeros(0, int), pd.Index(indicators, dtype="str") if indicators else pd.Index([], dtype="str")),
                "value": np.zeros(0),
            }
        )
        if not indicators:
            template.to_parquet(path, engine="pyarrow", index=False)
            return 0
        schema = pa.Schema.from_pandas(template, preserve_index=False)
        dicts = {
            name: pa.array([str(x) for x in labels], type=schema.field(name).type.value_type)
            for name, labels in (("region", regions), ("industry", industries), ("indicator", indicators))
        }
        n_rows = 0
        with pq.ParquetWriter(str(path), schema) as writer:
            for rc, ic, yr, y_missing, kc, val in blocks:
                if not len(val):
                    continue
                batch = pa.RecordBatch.from_arrays(
                    [
                        pa.DictionaryArray.from_arrays(pa.array(rc), dicts["region"]),
                        pa.DictionaryArray.from_arrays(pa.array(ic), dicts["industry"]),
                        pa.array(yr, type=pa.int64(), mask=y_missing),
                        pa.DictionaryArray.from_arrays(pa.array(kc), dicts["indicator"]),
                        pa.array(val, type=pa.float64()),
                    ],
                    schema=schema,
                )
                writer.write_batch(batch)
                n_rows += len(val)
                del batch
        return n_rows


def _percentile_cols(a: np.ndarray, q: float) -> np.ndarray:
    """Column-wise percentile ignoring NaN, NaN for all-NaN columns, no warnings.

    Vectorised over columns (one sort), bit-for-bit ``np.nanpercentile(a, q, axis=0)``
    with the default ``linear`` method: same virtual index ``(n - 1) q`` and
    the same two-sided interpolation.
    """
    s = np.sort(a.T, axis=1).T  # NaN last; rows of the contiguous transpose sort faster
    n = (~np.isnan(a)).sum(axis=0)
    out = np.full(a.shape[1], np.nan)
    ok = n > 0
    if not ok.any():
        return out
    qq = np.true_divide(q, 100)
    vi = (n[ok] - 1) * qq
    prev = np.floor(vi)
    last = n[ok] - 1
    above = vi >= last
    prev = np.where(above, last, np.maximum(prev, 0)).astype(np.intp)
    nxt = np.where(above, last, prev + 1).astype(np.intp)
    cols = np.flatnonzero(ok)
    lo, hi = s[prev, cols], s[nxt, cols]
    t = vi - prev
    diff = hi - lo
    res = lo + diff * t
    up = t >= 0.5
    res[up] = (hi - diff * (1 - t))[up]
    out[ok] = res
    return out


def _year_cells(m: np.ndarray, est: np.ndarray | None, with_density: bool, traded: np.ndarray | None = None,
                min_regions: int = MIN_REGIONS_STRONG):
    """Cell-level indicators of one year slice (regions x industries).

    ``strong_cluster`` is 1 / 0 where the US Cluster Mapping rule applies and NaN
    where it does not: industries with fewer than ``min_regions`` regions with
    activity, and non-traded clusters (``traded`` False) — see
    :func:`innocluster.indicators.strong_clusters`.
    """
    lq = np.asarray(ind.location_quotient(m))
    pos = m > 0
    lq_nan = np.where(pos, lq, np.nan)
    e_nan = np.where(pos, m, np.nan)
    strong = (lq >= _percentile_cols(lq_nan, 75)[None, :]) & (m > _percentile_cols(e_nan, 25)[None, :]) & (lq >= 1) & pos
    if est is not None:
        b_nan = np.where(pos, est, np.nan)
        strong &= est > _percentile_cols(b_nan, 25)[None, :]
    judged = pos.sum(axis=0) >= min_regions
    if traded is not None:
        judged &= traded
    strong = np.where(judged[None, :], strong.astype(float), np.nan)
    size_share = safe_divide(m, m.sum(axis=0, keepdims=True))
    focus_share = safe_divide(m, m.sum(axis=1, keepdims=True))
    size = (size_share >= _percentile_cols(np.where(pos, size_share, np.nan), 90)[None, :]) & pos
    focus = (focus_share >= _percentile_cols(np.where(pos, focus_share, np.nan), 90)[None, :]) & pos
    stars = size.astype(np.int8) + ((lq >= 2) & pos) + focus
    out = {"lq": lq, "strong_cluster": strong, "stars": stars.astype(float)}
    if with_density:
        b = (lq >= 1).astype(float)
        co = b.T @ b
        phi = np.asarray(ind.relatedness(co, "prob"))
        out["relatedness_density"] = np.asarray(ind.relatedness_density(b, phi))
        out["_flex"] = np.asarray(ind.relatedness_flexibility(b, phi))
    return out


def _groups_from_codes(industries: pd.Index, system: str | None = None):
    """Sector of each industry for related / unrelated variety (None: no hierarchy)."""
    from innocluster.monitor.formats import industry_groups

    return industry_groups([str(x) for x in industries], system)


def choose_measure(cube: Cube, notes: list[str], source: str = "<data>") -> str:
    """The activity count that specialisation and concentration are measured on.

    Employment when it is observed in every cell; otherwise establishments when they
    are complete (with a note naming how many employment cells were unknown);
    otherwise patents (for patent tables such as REGPAT). Unknown values are never
    read as zero: with no complete measure an :class:`InputError` says what to do.
    """
    def complete(c):
        return c in cube.arrays and cube.arrays[c].sum() > 0 and c not in cube.unknown

    if complete("employment"):
        return "employment"
    n_cells = int(cube.present.sum())
    if "employment" in cube.unknown:
        why = (f"employment is unknown (withheld or not available) in {cube.unknown['employment']:,} of {n_cells:,} "
               "cells")
    else:
        why = "no employment observed"
    for alt, what in (("establishments", "the number of establishments (firms)"), ("patents", "patent counts")):
        if complete(alt):
            notes.append(f"{why}: specialisation and concentration use {what} instead")
            return alt
    raise InputError(f"{source}: column 'employment': {why}, and there is no complete establishment or patent count "
                     "to measure on; "
                     "estimate the withheld cells (County Business Patterns: --suppressed midpoint) or drop them")


def compute_indicators(ds: Dataset, progress: Callable[[str], None] | None = None, density_max_industries: int = 2000) -> IndicatorSet:
    """Compute every indicator the data allow. See :class:`IndicatorSet`.

    ``progress`` (optional) is called with a short description before each year /
    stage; the CLI passes a Rich progress callback.

    Dense linear algebra runs with one OpenBLAS thread (see
    :mod:`innocluster.monitor._blas`): the per-year matrices are too small to gain
    from threads and lose badly to them on a busy machine.
    """
    with blas_threads(1):
        return _compute_indicators(ds, progress, density_max_industries)


def _compute_indicators(ds: Dataset, progress, density_max_industries: int) -> IndicatorSet:
    notes = list(ds.notes)
    table = to_region_table(ds)
    cube = make_cube(table, columns=("employment", "establishments", "patents", "rd"))
    measure = choose_measure(cube, notes, ds.source)
    M = cube.arrays[measure]
    est = cube.arrays.get("establishments") if measure == "employment" else None
    if est is not None and "establishments" in cube.unknown:
        est = None
        notes.append("establishment counts incomplete: the strong-cluster rule skips its establishment criterion")
    if measure == "employment" and "establishments" not in cube.arrays:
        notes.append("no establishments: the strong-cluster rule skips its establishment criterion")
    traded = None
    if ds.cluster_types is not None:
        traded = np.array([str(ds.cluster_types.get(str(x), "")).lower() == "traded" for x in cube.industries])
        notes.append("strong-cluster rule applied to traded clusters only (US Cluster Mapping convention); "
                     f"{int((~traded).sum())} local or unassigned clusters not judged")
    pat = cube.arrays.get("patents")
    if pat is None:
        notes.append("no patents: patent location quotients and patent indicators are skipped")
    n_y, n_r, n_i = M.shape
    with_density = n_i <= density_max_industries and n_r >= 2
    if not with_density:
        notes.append(f"relatedness density skipped ({n_i} industries > {density_max_industries} or < 2 regions)")
    groups = _groups_from_codes(cube.industries, ds.code_system)
    if groups is None:
        notes.append("related / unrelated variety need nested industry codes (NAICS, NACE or IPC, e.g. 4-digit "
                     "industries in 2-digit sectors); not computed")
    few = int((((M > 0).sum(axis=1)) < MIN_REGIONS_STRONG).all(axis=0).sum()) if n_y else 0
    if n_r < MIN_REGIONS_STRONG:
        notes.append(f"strong clusters not judged: {n_r} region{'' if n_r == 1 else 's'}; the US Cluster Mapping rule compares each region with "
                     f"the quartiles of all regions and needs at least {MIN_REGIONS_STRONG}")
    elif few:
        notes.append(f"strong clusters not judged for {few} industries active in fewer than {MIN_REGIONS_STRONG} regions")

    cell_cols: dict[str, np.ndarray] = {}
    reg_cols: dict[str, np.ndarray] = {}
    ind_cols: dict[str, np.ndarray] = {}

    def put(store, name, y, values, shape):
        if name not in store:
            store[name] = np.full((n_y, *shape), np.nan)
        store[name][y] = values

    complexity_ok = True
    for y in range(n_y):
        if progress:
            progress(f"year {cube.years[y]}")
        m = M[y]
        cells = _year_cells(m, None if est is None else est[y], with_density, traded)
        flex = cells.pop("_flex", None)
        for k, v in cells.items():
            put(cell_cols, k, y, v, (n_r, n_i))
        if pat is not None and pat[y].sum() > 0:
            put(cell_cols, "lq_patents", y, np.asarray(ind.location_quotient(pat[y])), (n_r, n_i))
        reg_total = m.sum(axis=1)
        put(reg_cols, measure, y, reg_total, (n_r,))
        put(reg_cols, "krugman_index", y, np.asarray(ind.krugman_index(m)), (n_r,))
        put(reg_cols, "specialisation_coefficient", y, np.asarray(ind.specialisation_coefficient(m)), (n_r,))
        put(reg_cols, "hachman", y, np.asarray(ind.hachman(m)), (n_r,))
        put(reg_cols, "herfindahl", y, np.asarray(ind.herfindahl(m)), (n_r,))
        put(reg_cols, "entropy", y, np.asarray(ind.entropy(m)), (n_r,))
        put(reg_cols, "diversity", y, np.asarray(ind.diversity(m)), (n_r,))
        if flex is not None:
            put(reg_cols, "relatedness_flexibility", y, flex, (n_r,))
        if groups is not None:
            rv = ind.related_unrelated_variety(m, groups)
            put(reg_cols, "related_variety", y, rv["related_variety"].to_numpy(), (n_r,))
            put(reg_cols, "unrelated_variety", y, rv["unrelated_variety"].to_numpy(), (n_r,))
        if pat is not None:
            put(reg_cols, "patents", y, pat[y].sum(axis=1), (n_r,))
            put(ind_cols, "patents", y, pat[y].sum(axis=0), (n_i,))
        put(ind_cols, measure, y, m.sum(axis=0), (n_i,))
        put(ind_cols, "locational_gini", y, np.asarray(ind.locational_gini(m)), (n_i,))
        put(ind_cols, "hoover_index", y, np.asarray(ind.hoover_index(m, reg_total)), (n_i,))
        put(ind_cols, "ubiquity", y, np.asarray(ind.ubiquity(m)), (n_i,))
        if complexity_ok:
            try:
                c = ind.complexity(m)
                put(reg_cols, "eci", y, np.asarray(c.eci), (n_r,))
                put(ind_cols, "pci", y, np.asarray(c.pci), (n_i,))
            except ValueError as exc:
                complexity_ok = False
                notes.append(f"economic complexity skipped: {exc}")
    # growth of the measure, cell by cell (NaN from a zero base is explicit)
    if n_y > 1:
        g = np.full(M.shape, np.nan)
        np.divide(M[1:], M[:-1], out=g[1:], where=M[:-1] > 0)
        g[1:][M[:-1] > 0] -= 1.0
        # a year that is not consecutive has no yearly growth
        gap = np.diff(cube.years) != 1
        g[1:][gap] = np.nan
        cell_cols[f"{measure}_growth"] = g

    # assemble wide frames; only cells present in the data. A complete table (every
    # year x region x industry present) needs no gather: columns are flat views.
    full = bool(cube.present.all())
    if full:
        code_t = np.int16 if max(n_r, n_i) < 2**15 else np.int32
        rr = np.broadcast_to(np.arange(n_r, dtype=code_t)[None, :, None], M.shape).reshape(-1)
        ii = np.broadcast_to(np.arange(n_i, dtype=code_t)[None, None, :], M.shape).reshape(-1)
        year_col = np.repeat(cube.years, n_r * n_i)
        take = lambda v: v.reshape(-1)  # noqa: E731
    else:
        yy, rr, ii = np.nonzero(cube.present)
        year_col = cube.years[yy]
        flat = np.flatnonzero(cube.present)
        take = lambda v: v.reshape(-1)[flat]  # noqa: E731
    cols = {
        "region": pd.Categorical.from_codes(rr, cube.regions),
        "industry": pd.Categorical.from_codes(ii, cube.industries),
        "year": year_col,
    }
    del rr, ii
    for k, v in cell_cols.items():
        cols[k] = take(v)
    cell = pd.DataFrame(cols, copy=False)
    del cols
    ry, rr2 = np.divmod(np.arange(n_y * n_r), n_r)
    region = pd.DataFrame({"region": np.asarray(cube.regions)[rr2], "year": cube.years[ry]})
    for k, v in reg_cols.items():
        region[k] = v.reshape(-1)
    iy, ii2 = np.divmod(np.arange(n_y * n_i), n_i)
    industry = pd.DataFrame({"industry": np.asarray(cube.industries)[ii2], "year": cube.years[iy]})
    for k, v in ind_cols.items():
        industry[k] = v.reshape(-1)

    overall: dict = {"n_regions": n_r, "n_industries": n_i, "n_years": n_y}
    if ds.kind == "firm":
        region, industry, cell, overall = _firm_level(ds, cube, cell, region, industry, overall, notes, progress)
    return IndicatorSet(cell, region, industry, overall, notes, measure, cube)


def _firm_level(ds, cube, cell, region, industry, overall, notes, progress):
    d = ds.data
    if progress:
        progress("firm-level indicators")
    ee = ind.entries_exits(d, by=("region", "industry"))
    ee = ee.rename(columns={"firms": "firms"})
    cell = cell.merge(ee[["region", "industry", "year", "entries", "exits", "entry_rate", "exit_rate"]].astype({"region": str, "industry": str}),
                      on=["region", "industry", "year"], how="left") if len(cell) else cell
    ee_r = ind.entries_exits(d, by=("region",))
    region = region.merge(ee_r.rename(columns={"firms": "firms"}), on=["region", "year"], how="left")
    if ds.has("patents"):
        pi = ind.patent_indicators(d, by=("region", "industry", "year"))
        keep = [c for c in ("patents_per_firm", "share_firms_patenting", "patents_per_10k_employees", "patents_per_rd") if c in pi.columns]
        cell = cell.merge(pi[["region", "industry", "year", *keep]], on=["region", "industry", "year"], how="left")
        pr = ind.patent_indicators(d, by=("region", "year"))
        region = region.merge(pr[["region", "year", *keep]], on=["region", "year"], how="left")
        # pooled over firm-years (a firm observed 9 years counts 9 times)
        overall["patents_total"] = float(d["patents"].sum())
        overall["patents_per_firm_year"] = float(d["patents"].sum() / d["patents"].notna().sum())
        overall["share_firm_years_patenting"] = float((d["patents"] > 0).mean())
        if ds.has("rd") and d["rd"].sum() > 0:
            overall["patents_per_rd"] = float(d["patents"].sum() / d["rd"].sum())
        if ds.has("employees") and d["employees"].sum() > 0:
            overall["patents_per_10k_employees"] = float(1e4 * d["patents"].sum() / d["employees"].sum())
        if ds.has("rd"):
            try:
                e = ind.patent_rd_elasticity(d)
                overall.update(
                    patent_rd_elasticity=e.elasticity,
                    patent_rd_elasticity_se=e.se,
                    patent_rd_elasticity_ci_low=e.ci_low,
                    patent_rd_elasticity_ci_high=e.ci_high,
                    patent_rd_elasticity_n_obs=e.n_obs,
                )
                notes.extend(e.notes)
            except ValueError as exc:
                notes.append(f"patent-R&D elasticity skipped: {exc}")
        else:
            notes.append("no R&D: patents per USD million R&D and the patent-R&D elasticity are skipped")
    if ds.has("employees") and d["employees"].notna().all() and d["region"].nunique() < 2:
        notes.append("Ellison-Glaeser / Maurel-Sedillot undefined: one region (every plant is in it under any "
                     "location model; REAT returns NaN too)")
    if ds.has("employees") and d["employees"].notna().all():
        # Ellison-Glaeser and Maurel-Sedillot per industry and year, all industries at once
        rows = []
        for y, g in d.groupby("year", sort=True):
            reg_emp = g.groupby("region")["employees"].sum()
            if reg_emp.sum() <= 0:
                continue
            eg = ind.ellison_glaeser(g["employees"].to_numpy(), g["region"].to_numpy(), reg_emp, firm_industry=g["industry"].to_numpy())
            ms = ind.maurel_sedillot(g["employees"].to_numpy(), g["region"].to_numpy(), reg_emp, firm_industry=g["industry"].to_numpy())
            rows.append(pd.DataFrame({"industry": eg.gamma.index.astype(str), "year": y, "eg_gamma": eg.gamma.to_numpy(),
                                      "eg_z": eg.z_G.to_numpy(), "ms_gamma": ms.gamma.to_numpy()}))
        if rows:
            industry = industry.merge(pd.concat(rows), on=["industry", "year"], how="left")
    else:
        notes.append("Ellison-Glaeser / Maurel-Sedillot skipped: firm employment is not observed for every firm")
    return region, industry, cell, overall
