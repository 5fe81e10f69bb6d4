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
from innocluster.indicators._validate import safe_divide
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


def make_cube(table: pd.DataFrame, columns=("employment", "establishments", "patents", "rd")) -> Cube:
    yc, years = pd.factorize(table["year"], sort=True)
    rc, regions = pd.factorize(table["region"], sort=True)
    ic, industries = pd.factorize(table["industry"], sort=True)
    shape = (len(years), len(regions), len(industries))
    arrays = {}
    for c in columns:
        if c in table.columns and table[c].notna().any():
            a = np.zeros(shape)
            a[yc, rc, ic] = np.nan_to_num(table[c].to_numpy(dtype=float))
            arrays[c] = a
    present = np.zeros(shape, dtype=bool)
    present[yc, rc, ic] = True
    return Cube(np.asarray(years), pd.Index(regions, name="region"), pd.Index(industries, name="industry"), arrays, present)


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


def _percentile_cols(a: np.ndarray, q: float) -> np.ndarray:
    """Column-wise percentile ignoring NaN, NaN for all-NaN columns, no warnings."""
    out = np.full(a.shape[1], np.nan)
    ok = ~np.isnan(a).all(axis=0)
    if ok.any():
        out[ok] = np.nanpercentile(a[:, ok], q, axis=0)
    return out


def _year_cells(m: np.ndarray, est: np.ndarray | None, with_density: bool):
    """Cell-level indicators of one year slice (regions x industries)."""
    lq = np.asarray(ind.location_quotient(m))
    pos = m > 0
    lq_nan = np.where(pos, lq, np.nan)
    e_nan = np.where(pos, m, np.nan)
    strong = (lq >= _percentile_cols(lq_nan, 75)[None, :]) & (m > _percentile_cols(e_nan, 25)[None, :]) & (lq >= 1) & pos
    if est is not None:
        b_nan = np.where(pos, est, np.nan)
        strong &= est > _percentile_cols(b_nan, 25)[None, :]
    size_share = safe_divide(m, m.sum(axis=0, keepdims=True))
    focus_share = safe_divide(m, m.sum(axis=1, keepdims=True))
    size = (size_share >= _percentile_cols(np.where(pos, size_share, np.nan), 90)[None, :]) & pos
    focus = (focus_share >= _percentile_cols(np.where(pos, focus_share, np.nan), 90)[None, :]) & pos
    stars = size.astype(np.int8) + ((lq >= 2) & pos) + focus
    out = {"lq": lq, "strong_cluster": strong.astype(float), "stars": stars.astype(float)}
    if with_density:
        b = (lq >= 1).astype(float)
        co = b.T @ b
        phi = np.asarray(ind.relatedness(co, "prob"))
        out["relatedness_density"] = np.asarray(ind.relatedness_density(b, phi))
        out["_flex"] = np.asarray(ind.relatedness_flexibility(b, phi))
    return out


def _groups_from_codes(industries: pd.Index):
    lab = industries.astype(str)
    if len(lab) and all(s.isdigit() and len(s) >= 3 for s in lab):
        return [s[:2] for s in lab]
    return None


def compute_indicators(ds: Dataset, progress: Callable[[str], None] | None = None, density_max_industries: int = 2000) -> IndicatorSet:
    """Compute every indicator the data allow. See :class:`IndicatorSet`.

    ``progress`` (optional) is called with a short description before each year /
    stage; the CLI passes a Rich progress callback.
    """
    notes = list(ds.notes)
    table = to_region_table(ds)
    cube = make_cube(table)
    if "employment" in cube.arrays and cube.arrays["employment"].sum() > 0:
        measure = "employment"
    else:
        measure = "establishments"
        notes.append("no employment observed: specialisation and concentration use the number of establishments (firms) instead")
    M = cube.arrays[measure]
    est = cube.arrays.get("establishments") if measure == "employment" else None
    if measure == "employment" and "establishments" not in cube.arrays:
        notes.append("no establishments: the strong-cluster rule skips its establishment criterion")
    pat = cube.arrays.get("patents")
    if pat is None:
        notes.append("no patents: patent location quotients and patent indicators are skipped")
    n_y, n_r, n_i = M.shape
    with_density = n_i <= density_max_industries and n_r >= 2
    if not with_density:
        notes.append(f"relatedness density skipped ({n_i} industries > {density_max_industries} or < 2 regions)")
    groups = _groups_from_codes(cube.industries)
    if groups is None:
        notes.append("related / unrelated variety need a nested industry code (e.g. 4-digit in 2-digit); not computed")

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
        cells = _year_cells(m, None if est is None else est[y], with_density)
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

    # assemble wide frames; only cells present in the data
    yy, rr, ii = np.nonzero(cube.present)
    cell = pd.DataFrame(
        {
            "region": pd.Categorical.from_codes(rr, cube.regions),
            "industry": pd.Categorical.from_codes(ii, cube.industries),
            "year": cube.years[yy],
        }
    )
    for k, v in cell_cols.items():
        cell[k] = v[yy, rr, ii]
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
