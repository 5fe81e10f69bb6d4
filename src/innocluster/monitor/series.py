"""Per-year series of one focus (a region, an industry, a region-industry pair, or
everything) for the life-cycle stage, the detectors and the forecasts."""

from __future__ import annotations

import numpy as np
import pandas as pd

from innocluster.errors import InputError
from innocluster.monitor.compute import IndicatorSet
from innocluster.monitor.io import Dataset, to_region_table


def check_focus(ds: Dataset, region: str | None, industry: str | None) -> None:
    """InputError if the requested region / industry is not in the data."""
    for col, val in (("region", region), ("industry", industry)):
        if val is None:
            continue
        known = label_values(ds.data[col])
        if str(val) not in set(known):
            shown = ", ".join(sorted(map(str, known))[:12]) + (" ..." if len(known) > 12 else "")
            plural = "regions" if col == "region" else "industries"
            raise InputError(f"{ds.source}: --{col} {val!r} is not in the data; {plural} present: {shown}")


def _entropy(shares: np.ndarray) -> float:
    s = shares[shares > 0]
    return float(-(s * np.log2(s)).sum()) if s.size else 0.0


def label_equals(col: pd.Series, value) -> np.ndarray:
    """Boolean mask of the rows whose label (as text) is ``value``; on categorical
    columns the categories are compared, not every row's text."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        hit = np.flatnonzero(np.asarray(col.cat.categories.astype(str)) == str(value))
        return np.isin(col.cat.codes.to_numpy(), hit)
    return (col.astype(str) == str(value)).to_numpy()


def label_values(col: pd.Series) -> list[str]:
    """Distinct labels of a column as text, in order of appearance."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        used = pd.unique(col.cat.codes.to_numpy())
        cats = np.asarray(col.cat.categories.astype(str))
        return [cats[c] for c in used if c >= 0]
    return [str(v) for v in pd.unique(col)]


def _focus(df: pd.DataFrame, region, industry) -> pd.DataFrame:
    """Rows of ``df`` in the focus region and industry (None: all)."""
    sel = np.ones(len(df), dtype=bool)
    if region is not None:
        sel &= label_equals(df["region"], region)
    if industry is not None:
        sel &= label_equals(df["industry"], industry)
    return df[sel]


#: What the monitor's input columns must hold for each detector signal and each
#: forecast (listed in docs/monitor.md; a "not judged" result names these).
SIGNAL_SOURCES = {
    "tech_heterogeneity": "firm panel: 'technology' (spread across firms); or 'patents' in several industries "
                          "(entropy across industries; for a whole region, not a single industry)",
    "relatedness_flexibility": "region table or firm panel with >= 2 regions and >= 2 industries (relatedness "
                               "density of the region's industries), judged per region",
    "external_tie_share": "network ties between firms, which the monitor's input formats do not carry "
                          "(simulated region series have it)",
    "productivity": "firm panel: 'technology'; or 'value_added' with employment ('employees' / 'employment')",
    "gvc_share_0": "firm panel: 'gvc_stage' (0 = lowest stage, assembly)",
    "margin": "'value_added' and 'revenue'",
    "rd_intensity": "'rd' and 'revenue'",
}
#: Columns each forecast and the life-cycle stage read.
SERIES_SOURCES = {
    "stage": "establishments per year (region table 'establishments', or firms in a firm panel), >= 2 years; "
             "employment and patents refine it",
    "forecasts": "firms per year (else employment per year), at least the number of parameters + 2 years "
                 "(5 for logistic, Gompertz and Bass)",
}


def focus_series(ds: Dataset, ind_set: IndicatorSet | None = None, region: str | None = None,
                 industry: str | None = None, table: pd.DataFrame | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Per-year DataFrame with the columns the life-cycle functions read.

    ``firms`` (establishments / firms), ``employment``, ``patents``,
    ``tech_heterogeneity``, ``mean_technology``, ``productivity``, ``gvc_share_0``,
    ``margin``, ``rd_intensity``, ``relatedness_flexibility`` — whichever the data
    allow (:data:`SIGNAL_SOURCES`); the returned notes say which are proxies.
    ``table`` is the dataset's region table when already computed.
    """
    check_focus(ds, region, industry)
    notes: list[str] = []
    t = _focus(to_region_table(ds) if table is None else table, region, industry)
    g = t.groupby("year", sort=True)
    out = pd.DataFrame(index=pd.Index(sorted(t["year"].unique()), name="year"))

    def has(c):
        return c in t.columns and t[c].notna().any()

    def total(c):
        # a year with any unknown cell has an unknown total, never a smaller one
        return g[c].sum(min_count=1).where(g[c].count() == g.size())

    if has("establishments"):
        out["firms"] = total("establishments")
    else:
        notes.append("no establishment counts: the life-cycle stage cannot be classified (needs firms per year)")
    for c in ("employment", "patents", "rd", "revenue", "value_added"):
        if has(c):
            out[c] = total(c)

    if ds.kind == "firm":
        f = _focus(ds.data, region, industry)
        fg = f.groupby("year", sort=True)
        if ds.has("technology"):
            out["tech_heterogeneity"] = fg["technology"].std()
            out["mean_technology"] = fg["technology"].mean()
        if ds.has("gvc_stage"):
            low = ds.data["gvc_stage"].min()
            out["gvc_share_0"] = fg["gvc_stage"].apply(lambda s: float((s == low).mean()) if s.notna().any() else np.nan)
    if "revenue" in out.columns:
        rev = out["revenue"].where(out["revenue"] > 0)
        if "value_added" in out.columns:
            out["margin"] = out["value_added"] / rev
            notes.append("margin = value added / revenue (no profits in the data)")
        if "rd" in out.columns:
            out["rd_intensity"] = out["rd"] / rev
    if "mean_technology" not in out.columns and "value_added" in out.columns and "employment" in out.columns:
        out["productivity"] = out["value_added"] / out["employment"].where(out["employment"] > 0)
        notes.append("productivity = value added per employee")
    if "tech_heterogeneity" not in out.columns:
        if has("patents") and industry is None and t["industry"].nunique() >= 2:
            pv = t.pivot_table(index="year", columns="industry", values="patents", aggfunc="sum", fill_value=0.0,
                               observed=True)
            tot = pv.sum(axis=1).replace(0, np.nan)
            het = pd.Series([_entropy(r) for r in pv.div(tot, axis=0).fillna(0).to_numpy()], index=pv.index)
            out["tech_heterogeneity"] = het.where(tot.notna()).reindex(out.index)
            notes.append("technological heterogeneity proxied by the entropy (bits) of patents across industries")
    if ind_set is not None and region is not None and "relatedness_flexibility" in ind_set.region.columns:
        r = ind_set.region[ind_set.region["region"].astype(str) == str(region)].set_index("year")
        out["relatedness_flexibility"] = r["relatedness_flexibility"].reindex(out.index)
    return out.reset_index(), notes
