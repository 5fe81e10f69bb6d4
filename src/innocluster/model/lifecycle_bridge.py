"""Apply the monitor's life-cycle classifier and warning detectors to simulated
series, so simulated and real clusters are judged by the same rules.

The simulator's column names are mapped onto those :mod:`innocluster.lifecycle`
documents (``tech_sd`` -> ``tech_heterogeneity``, ``tech_mean`` ->
``mean_technology``, the lowest GVC stage share -> ``gvc_share_0``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MIN_YEARS_FOR_WARNINGS = 6


def paper_stage_name(label: str) -> str:
    """The paper's name for a monitor stage label (emergence -> budding)."""
    s = str(label).lower()
    if s.startswith(("emerg", "budd")):
        return "budding"
    if s.startswith("grow"):
        return "growth"
    if s.startswith(("matur", "sust")):
        return "maturity"
    if s.startswith("decl"):
        return "decline"
    raise ValueError(f"unknown life-cycle stage label {label!r}")


def monitor_frame(region_ts: pd.DataFrame) -> pd.DataFrame:
    """One region's simulated series in the lifecycle module's column names."""
    lowest = [c for c in region_ts.columns if c.startswith("gvc_share_")][0]
    return pd.DataFrame({
        "year": region_ts["year"].to_numpy(),
        "firms": region_ts["firms"].to_numpy(dtype=float),
        "employment": region_ts["employment"].to_numpy(dtype=float),
        "tech_heterogeneity": region_ts["tech_sd"].to_numpy(dtype=float),
        "mean_technology": region_ts["tech_mean"].to_numpy(dtype=float),
        "external_tie_share": region_ts["external_tie_share"].to_numpy(dtype=float),
        "gvc_share_0": region_ts[lowest].to_numpy(dtype=float),
        "margin": region_ts["margin"].to_numpy(dtype=float),
        "rd_intensity": region_ts["rd_intensity"].to_numpy(dtype=float),
        "patents": region_ts["patents_new"].to_numpy(dtype=float),
    })


def lifecycle_columns(ts: pd.DataFrame) -> pd.DataFrame:
    """Add ``lifecycle_stage``, ``lock_in`` and ``race_to_bottom`` to a time series.

    Stages are labelled with the paper's names (budding, growth, maturity, decline;
    the monitor's "emergence" is the paper's "budding") by the monitor's retrospective
    rule. The warnings of year ``t`` use only the years up to ``t`` (an expanding
    window from year :data:`MIN_YEARS_FOR_WARNINGS` on), as a cluster manager would
    have seen them then.
    """
    from innocluster.lifecycle import classify_stage, expanding_warnings

    ts = ts.copy()
    ts["lifecycle_stage"] = ""
    ts["lock_in"] = False
    ts["race_to_bottom"] = False
    for region, idx in ts.groupby("region", sort=False).groups.items():
        sub = ts.loc[idx].sort_values("year")
        mf = monitor_frame(sub)
        if len(mf) < 2:
            # one year shows no growth: the stage cannot be judged yet
            ts.loc[sub.index, "lifecycle_stage"] = "undetermined"
            continue
        labels = np.array([paper_stage_name(x) for x in np.asarray(classify_stage(mf))], dtype=object)
        ts.loc[sub.index, "lifecycle_stage"] = labels
        warnings = expanding_warnings(mf, min_years=MIN_YEARS_FOR_WARNINGS)
        ts.loc[sub.index, "lock_in"] = warnings["lock_in"].to_numpy()
        ts.loc[sub.index, "race_to_bottom"] = warnings["race_to_bottom"].to_numpy()
    return ts
