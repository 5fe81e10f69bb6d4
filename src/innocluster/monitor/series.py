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
        known = pd.unique(ds.data[col].astype(str))
        if str(val) not in set(known):
            shown = ", ".join(sorted(map(str, known))[:12]) + (" ..." if len(known) > 12 else "")
            raise InputError(f"{ds.source}: --{col} {val!r} is not in the data; {col}s present: {shown}")


def _entropy(shares: np.ndarray) -> float:
    s = shares[shares > 0]
    return float(-(s * np.log2(s)).sum()) if s.size else 0.0


def _focus(df: pd.DataFrame, region, industry) -> pd.DataFrame:
    """Rows of ``df`` in the focus region and industry (None: all)."""
    sel = pd.Series(True, index=df.index)
    if region is not None:
        sel &= df["region"].astype(str) == str(region)
    if industry is not None:
        sel &= df["industry"].astype(str) == str(industry)
    return df[sel]


def focus_series(ds: Dataset, ind_set: IndicatorSet | None = None, region: str | None = None,
                 industry: str | None = None) -> tuple[pd.DataFrame, list[str]]:
    """Per-year DataFrame with the columns the life-cycle functions read.

    ``firms`` (establishments / firms), ``employment``, ``patents``,
    ``tech_heterogeneity``, ``mean_technology``, ``gvc_share_0``, ``margin``,
    ``rd_intensity``, ``relatedness_flexibility`` — whichever the data allow; the
    returned notes say which are proxies and which are missing.
    """
    check_focus(ds, region, industry)
    notes: list[str] = []
    t = _focus(to_region_table(ds), region, industry)
    g = t.groupby("year", sort=True)
    out = pd.DataFrame(index=pd.Index(sorted(t["year"].unique()), name="year"))
    if "establishments" in t.columns and t["establishments"].notna().any():
        out["firms"] = g["establishments"].sum(min_count=1)
    else:
        notes.append("no establishment counts: the life-cycle stage cannot be classified (needs firms per year)")
    if "employment" in t.columns and t["employment"].notna().any():
        out["employment"] = g["employment"].sum(min_count=1)
    if "patents" in t.columns and t["patents"].notna().any():
        out["patents"] = g["patents"].sum(min_count=1)
    if "rd" in t.columns and t["rd"].notna().any():
        out["rd"] = g["rd"].sum(min_count=1)

    if ds.kind == "firm":
        f = _focus(ds.data, region, industry)
        fg = f.groupby("year", sort=True)
        if ds.has("technology"):
            out["tech_heterogeneity"] = fg["technology"].std()
            out["mean_technology"] = fg["technology"].mean()
        if ds.has("gvc_stage"):
            low = ds.data["gvc_stage"].min()
            out["gvc_share_0"] = fg["gvc_stage"].apply(lambda s: float((s == low).mean()) if s.notna().any() else np.nan)
        if ds.has("revenue"):
            rev = fg["revenue"].sum(min_count=1)
            if ds.has("value_added"):
                out["margin"] = fg["value_added"].sum(min_count=1) / rev.where(rev > 0)
                notes.append("margin = value added / revenue (the panel has no profits)")
            if ds.has("rd"):
                out["rd_intensity"] = fg["rd"].sum(min_count=1) / rev.where(rev > 0)
    if "tech_heterogeneity" not in out.columns:
        base = "patents" if "patents" in t.columns and t["patents"].notna().any() else None
        if base and industry is None:
            pv = t.pivot_table(index="year", columns="industry", values=base, aggfunc="sum", fill_value=0.0)
            tot = pv.sum(axis=1).replace(0, np.nan)
            out["tech_heterogeneity"] = [_entropy(r) for r in pv.div(tot, axis=0).fillna(0).to_numpy()]
            notes.append("technological heterogeneity proxied by the entropy (bits) of patents across industries")
        else:
            notes.append("no firm technology levels: technological heterogeneity unavailable (stage uses growth only)")
    if ind_set is not None and region is not None and "relatedness_flexibility" in ind_set.region.columns:
        r = ind_set.region[ind_set.region["region"].astype(str) == str(region)].set_index("year")
        out["relatedness_flexibility"] = r["relatedness_flexibility"].reindex(out.index)
    if "rd_intensity" not in out.columns and "rd" in out.columns and "revenue" not in t.columns:
        notes.append("no revenue: R&D intensity unavailable")
    return out.reset_index(), notes
