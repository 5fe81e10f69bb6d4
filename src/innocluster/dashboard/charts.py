"""Chart builders (Altair / Vega-Lite) for the pages: pure functions of DataFrames,
so they can be tested without a browser."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from innocluster.dashboard.shared import STAGE_COLOURS, metric_label, metric_unit

#: What the firm map's marks mean (its caption).
NETWORK_KEY = "colour = GVC stage; size = employees; ● circle = SME, ◆ diamond = MNE subsidiary; lines = trust ties"
#: One colour per forecast model (logistic, Gompertz, Bass), as in the HTML report.
FORECAST_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd"]
_STAGE_ORDER = ["budding", "emergence", "growth", "maturity", "decline"]


def _stage_scale(values) -> alt.Scale:
    present = [s for s in _STAGE_ORDER if s in set(values)]
    return alt.Scale(domain=present, range=[STAGE_COLOURS[s] for s in present])


def timeseries_chart(ts: pd.DataFrame, metric: str, height: int = 260, regions: list[str] | None = None,
                     panel: str | None = None, log: bool = False, mark_year: int | None = None) -> alt.Chart:
    """One metric over the years, one line per region.

    ``regions`` limits the lines (e.g. the cluster regions in one panel, the periphery in
    another, each with its own axis); ``log`` puts the y axis on a symmetric log scale
    (zeros allowed); ``mark_year`` draws a vertical rule at that year and fades later years.
    """
    d = ts[["year", "region", metric]].copy()
    if regions is not None:
        d = d[d["region"].isin(regions)]
    d[metric] = d[metric].astype(float)
    title = metric_label(metric, with_unit=False)
    names = list(dict.fromkeys(d["region"]))
    one = len(names) == 1
    if panel:
        title = f"{title} — {names[0]} ({panel})" if one and names[0] != panel else f"{title} — {panel}"
    if log:
        title = f"{title} (log axis)"
    y_scale = alt.Scale(type="symlog") if log else alt.Scale(zero=False)
    line = (
        alt.Chart(d)
        .mark_line(point=alt.OverlayMarkDef(size=18))
        .encode(
            x=alt.X("year:Q", title="year", axis=alt.Axis(format="d")),
            y=alt.Y(f"{metric}:Q", title=metric_unit(metric), scale=y_scale, axis=alt.Axis(titleLimit=150)),
            color=alt.Color("region:N", title="region",
                            legend=None if one and (panel or mark_year is not None)
                            else alt.Legend(orient="bottom", labelLimit=0)),
            tooltip=["region", "year", alt.Tooltip(f"{metric}:Q", format=",.4g")],
        )
    )
    layers = [line]
    if mark_year is not None:
        layers.append(alt.Chart(pd.DataFrame({"year": [mark_year]})).mark_rule(color="#c0392b", strokeWidth=2)
                      .encode(x="year:Q"))
        later = d[d["year"] > mark_year]
        if len(later):
            layers.append(alt.Chart(pd.DataFrame({"x0": [mark_year + 0.5], "x1": [float(d["year"].max()) + 0.5]}))
                          .mark_rect(color="white", opacity=0.7).encode(x="x0:Q", x2="x1:Q"))
    if mark_year is not None and one:
        title = f"{title} — {names[0]}"
    return alt.layer(*layers, title=title).properties(height=height, width="container")


def watch_series_charts(ts: pd.DataFrame, region: str, year: int,
                        metrics: tuple[str, ...] = ("firms", "employment", "patents_per_firm")) -> list[alt.Chart]:
    """Small charts of key series of one region with a rule at ``year`` (later years faded)."""
    d = ts[ts["region"] == region]
    return [timeseries_chart(d, m, height=200, mark_year=year) for m in metrics if m in d.columns]


def gvc_share_chart(ts: pd.DataFrame, region: str, stage_names: list[str]) -> alt.Chart:
    """Stacked area of the GVC stage shares of one region."""
    cols = [f"gvc_share_{s}" for s in stage_names if f"gvc_share_{s}" in ts.columns]
    d = ts.loc[ts["region"] == region, ["year", *cols]].melt("year", var_name="stage", value_name="share")
    d["stage"] = d["stage"].str.removeprefix("gvc_share_")
    return (
        alt.Chart(d, title=f"GVC stage shares — {region}")
        .mark_area()
        .encode(
            x=alt.X("year:Q", axis=alt.Axis(format="d")),
            y=alt.Y("share:Q", stack="normalize", title="share of firms", axis=alt.Axis(format="%")),
            color=alt.Color("stage:N", sort=[s for s in stage_names], title="GVC stage (smile curve)",
                            scale=alt.Scale(scheme="viridis"),
                            legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0, titleLimit=0)),
            order=alt.Order("stage_order:Q"),
            tooltip=["year", "stage", alt.Tooltip("share:Q", format=".1%")],
        )
        .transform_calculate(stage_order=f"indexof({list(stage_names)!r}, datum.stage)")
        .properties(height=360, width="container")
    )


def size_distribution_chart(firms: pd.DataFrame) -> alt.Chart:
    """Histogram of firm sizes (employees, log bins) per region."""
    d = firms.loc[firms["employees"] > 0, ["region_name", "employees"]].copy()
    d["log10_employees"] = np.log10(d["employees"].astype(float))
    return (
        alt.Chart(d, title="Firm size distribution (final year)")
        .mark_bar(opacity=0.7)
        .encode(
            x=alt.X("log10_employees:Q", bin=alt.Bin(maxbins=30), title="employees (log10 persons)"),
            y=alt.Y("count():Q", stack=None, title="firms"),
            color=alt.Color("region_name:N", title="region", legend=alt.Legend(orient="bottom", labelLimit=0)),
            tooltip=[alt.Tooltip("region_name:N", title="region"), alt.Tooltip("count():Q", title="firms")],
        )
        .properties(height=260, width="container")
    )


def size_ccdf_chart(firms: pd.DataFrame) -> alt.Chart:
    """Share of firms at least as large as x (log-log): a straight tail is heavy-tailed."""
    rows = []
    for region, g in firms.groupby("region_name", observed=True):
        e = np.sort(g["employees"].to_numpy(float))[::-1]
        e = e[e > 0]
        if e.size:
            rows.append(pd.DataFrame({"region": region, "employees": e, "share_at_least": np.arange(1, e.size + 1) / e.size}))
    d = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(
        {"region": pd.Series(dtype=str), "employees": pd.Series(dtype=float), "share_at_least": pd.Series(dtype=float)})
    return (
        alt.Chart(d, title="Size tail: share of firms with at least x employees")
        .mark_line()
        .encode(
            x=alt.X("employees:Q", scale=alt.Scale(type="log"), title="employees (persons, log scale)"),
            y=alt.Y("share_at_least:Q", scale=alt.Scale(type="log"), title="share of firms (log scale)"),
            color=alt.Color("region:N", title="region", legend=alt.Legend(orient="bottom", labelLimit=0)),
        )
        .properties(height=260, width="container")
    )


def network_sample(firms: pd.DataFrame, u: np.ndarray, v: np.ndarray, region: str | None = None,
                   size: int = 150, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes and ties of a snowball sample of firms (start from random firms, add their
    tie partners) in ``region`` (all regions when None). Row ``i`` of ``firms`` is firm
    ``i`` of the tie arrays."""
    rng = np.random.default_rng(seed)
    n = len(firms)
    pool = np.flatnonzero(firms["region_name"].to_numpy() == region) if region else np.arange(n)
    if pool.size == 0 or n == 0:
        return firms.iloc[:0].assign(node=[]), pd.DataFrame({c: pd.Series(dtype=float) for c in ("x", "y", "x2", "y2")})
    u, v = np.asarray(u), np.asarray(v)
    ok = (u < n) & (v < n)
    u, v = u[ok], v[ok]
    inpool = np.zeros(n, bool)
    inpool[pool] = True
    keep = inpool[u] & inpool[v]
    u, v = u[keep], v[keep]
    chosen: list[int] = []
    seen = np.zeros(n, bool)
    order = rng.permutation(pool)
    adj_src = np.concatenate([u, v])
    adj_dst = np.concatenate([v, u])
    srt = np.argsort(adj_src, kind="stable")
    adj_src, adj_dst = adj_src[srt], adj_dst[srt]
    starts = np.searchsorted(adj_src, np.arange(n + 1))
    for s in order:
        if len(chosen) >= size:
            break
        if seen[s]:
            continue
        queue = [int(s)]
        seen[s] = True
        while queue and len(chosen) < size:
            a = queue.pop(0)
            chosen.append(a)
            for b in adj_dst[starts[a]:starts[a + 1]]:
                if not seen[b]:
                    seen[b] = True
                    queue.append(int(b))
    idx = np.array(sorted(chosen), dtype=np.int64)
    mask = np.zeros(n, bool)
    mask[idx] = True
    e = mask[u] & mask[v]
    nodes = firms.iloc[idx].copy()
    nodes["node"] = idx
    xs, ys = firms["x"].to_numpy(float), firms["y"].to_numpy(float)
    edges = pd.DataFrame({"x": xs[u[e]], "y": ys[u[e]], "x2": xs[v[e]], "y2": ys[v[e]]})
    return nodes, edges


def network_chart(nodes: pd.DataFrame, edges: pd.DataFrame, stage_names: list[str], title: str,
                  domain: tuple | None = None) -> alt.LayerChart:
    """Firms at their locations (km), trust ties as lines; colour = GVC stage, size =
    employees, diamonds = MNE subsidiaries. ``domain`` = ((x0, x1), (y0, y1)) fixes the
    axes (so a map watched year by year does not jump). The stage legend sits below the
    map (one entry per line, so it fits narrow columns); :data:`NETWORK_KEY` says what
    size and shape mean, for a caption (legends side by side would run off narrow pages)."""
    n = nodes.copy()
    n["firm_type"] = np.where(n["is_mne"].astype(bool), "MNE subsidiary", "SME")
    xs = alt.Scale(domain=list(domain[0]), zero=False) if domain else alt.Scale(zero=False)
    ys = alt.Scale(domain=list(domain[1]), zero=False) if domain else alt.Scale(zero=False)
    legend = dict(orient="bottom", direction="vertical", labelLimit=0, titleLimit=0)
    ties = alt.Chart(edges).mark_rule(opacity=0.35, color="#888").encode(
        x=alt.X("x:Q", title="x (km)", scale=xs), y=alt.Y("y:Q", title="y (km)", scale=ys), x2="x2:Q", y2="y2:Q")
    pts = alt.Chart(n).mark_point(filled=True, opacity=0.9).encode(
        x=alt.X("x:Q", scale=xs), y=alt.Y("y:Q", scale=ys),
        color=alt.Color("stage_name:N", sort=list(stage_names), title="GVC stage", scale=alt.Scale(scheme="viridis"),
                        legend=alt.Legend(**legend)),
        size=alt.Size("employees:Q", title="employees", scale=alt.Scale(type="sqrt", range=[15, 400]), legend=None),
        shape=alt.Shape("firm_type:N", title="firm", scale=alt.Scale(domain=["SME", "MNE subsidiary"], range=["circle", "diamond"]),
                        legend=None),
        tooltip=[alt.Tooltip("node:Q", title="firm"), "region_name", "stage_name",
                 alt.Tooltip("employees:Q", format=",.0f"), alt.Tooltip("A:Q", title="technology A", format=".2f"), "firm_type"],
    )
    return alt.layer(ties, pts, title=title).properties(height=520, width="container")


def cost_curve_chart(curves: pd.DataFrame) -> alt.Chart:
    """The paper's Figure 1: average cost of the same SME outside and inside the cluster."""
    return (
        alt.Chart(curves, title="Average cost of the same SME")
        .mark_line(strokeWidth=2.5)
        .encode(
            x=alt.X("output:Q", scale=alt.Scale(type="log"), title="output Q (USD m a year, log)"),
            y=alt.Y("average_cost:Q", title="average cost (USD per USD)", scale=alt.Scale(zero=False)),
            color=alt.Color("where:N", title=None, scale=alt.Scale(range=["#c0392b", "#1f77b4"]),
                            legend=alt.Legend(orient="bottom", direction="vertical", labelLimit=0)),
            tooltip=["where", alt.Tooltip("output:Q", format=",.3g"), alt.Tooltip("average_cost:Q", format=".3f")],
        )
        .properties(height=380, width="container")
    )


def stage_band_chart(stage: pd.Series, title: str = "Life-cycle stage", growth: pd.Series | None = None) -> alt.Chart:
    """A band of coloured cells, one per year (``stage`` indexed by year); ``growth`` (the
    smoothed growth rate the classifier reads, same index) goes into the tooltip."""
    d = pd.DataFrame({"year": np.asarray(stage.index, dtype=int), "stage": stage.astype(str).to_numpy()})
    tips = [alt.Tooltip("year:O"), "stage"]
    if growth is not None:
        # (a missing value in any quantitative field would drop that year's cell from the band)
        d["growth"] = pd.Series(np.asarray(growth.reindex(stage.index), dtype=float)).ffill().bfill().fillna(0.0).to_numpy()
        tips.append(alt.Tooltip("growth:Q", title="smoothed growth (per year)", format="+.1%"))
    d["y0"], d["y1"] = 0.0, 1.0
    return (
        alt.Chart(d, title=title)
        .mark_rect(stroke="white", strokeWidth=1)
        .encode(
            x=alt.X("year:O", title="year", axis=alt.Axis(labelAngle=0, labelOverlap=True)),
            y=alt.Y("y0:Q", title=None, axis=None, scale=alt.Scale(domain=[0, 1])),
            y2="y1:Q",
            color=alt.Color("stage:N", scale=_stage_scale(d["stage"]), title="stage",
                            legend=alt.Legend(orient="bottom", direction="horizontal")),
            tooltip=tips,
        )
        .properties(height=240, width="container")  # (Streamlit counts axis and legend in the height)
    )


def forecast_chart(series: pd.DataFrame, target: str, fits: dict, horizon: int = 10) -> alt.LayerChart:
    """Observed series and each accepted fit with its 95 % prediction band."""
    obs = series[["year", target]].dropna().rename(columns={target: "value"})
    t_future = np.arange(obs["year"].min(), obs["year"].max() + horizon + 1, dtype=float)
    rows = []
    for name, res in fits.items():
        if not getattr(res, "ok", False):
            continue
        p = res.predict(t_future, kind="prediction")
        rows.append(pd.DataFrame({"year": p["t"], "mean": p["mean"], "lower": p["lower"], "upper": p["upper"],
                                  "model": name}))
    empty = pd.DataFrame({c: pd.Series(dtype=float) for c in ("year", "mean", "lower", "upper")} | {"model": pd.Series(dtype=str)})
    pred = pd.concat(rows, ignore_index=True) if rows else empty
    names = list(fits)
    legend_title = "forecast (line; band = 95 % prediction band)"
    legend = alt.Legend(orient="bottom", labelLimit=0, titleLimit=0, symbolOpacity=1)
    scale = alt.Scale(domain=names, range=[FORECAST_COLOURS[i % len(FORECAST_COLOURS)] for i in range(len(names))])
    band = alt.Chart(pred).mark_area(opacity=0.15).encode(
        x=alt.X("year:Q", axis=alt.Axis(format="d")), y=alt.Y("lower:Q", title=target), y2="upper:Q",
        color=alt.Color("model:N", scale=scale, title=legend_title, legend=legend))
    line = alt.Chart(pred).mark_line(strokeWidth=2).encode(
        x="year:Q", y="mean:Q",
        color=alt.Color("model:N", scale=scale, title=legend_title, legend=legend),
                                              tooltip=["model", alt.Tooltip("year:Q", format="d"),
                                                       alt.Tooltip("mean:Q", format=",.4g")])
    pts = alt.Chart(obs).mark_circle(color="black", size=30).encode(
        x="year:Q", y="value:Q", tooltip=[alt.Tooltip("year:Q", format="d"), alt.Tooltip("value:Q", format=",.4g")])
    return alt.layer(band, line, pts, title=f"{target}: observed (dots) and forecasts").properties(height=440, width="container")


def arms_chart(summary: pd.DataFrame, outcome: str) -> alt.LayerChart:
    """Mean of one outcome per arm with its confidence interval (axis in the outcome's unit)."""
    from innocluster.dashboard.reports import outcome_unit

    d = summary[summary["outcome"] == outcome]
    unit = outcome_unit(outcome)
    base = alt.Chart(d)
    bars = base.mark_rule(strokeWidth=2, color="#777").encode(
        y=alt.Y("arm:N", sort=list(d["arm"]), title=None, axis=alt.Axis(labelLimit=160)),
        x=alt.X("ci_low:Q", title=unit or "mean", scale=alt.Scale(zero=False),
                axis=alt.Axis(titleLimit=0)), x2="ci_high:Q")
    pts = base.mark_point(filled=True, size=80, shape="square", color="#555").encode(
        y=alt.Y("arm:N", sort=list(d["arm"])), x="mean:Q",
        tooltip=["arm", alt.Tooltip("mean:Q", format=",.4g"), alt.Tooltip("ci_low:Q", format=",.4g"),
                 alt.Tooltip("ci_high:Q", format=",.4g"), "n"])
    return alt.layer(bars, pts, title="Arm means (95 % CI)").properties(height=110 + 40 * len(d),
                                                                               width="container")


def differences_chart(differences: pd.DataFrame, outcome: str) -> alt.LayerChart:
    """Paired difference of each arm against the baseline with its 95 % interval and a
    rule at zero: what the verdict is about."""
    from innocluster.dashboard.reports import outcome_unit

    d = differences[differences["outcome"] == outcome].copy()
    unit = outcome_unit(outcome)
    base_name = str(d["baseline"].iloc[0]) if len(d) else "baseline"
    d["verdict"] = np.where(d["ci_low"] > 0, "higher", np.where(d["ci_high"] < 0, "lower", "no clear difference"))
    colour = alt.Color("verdict:N", scale=alt.Scale(domain=["higher", "lower", "no clear difference"],
                                                    range=["#2e7d32", "#c0392b", "#777777"]),
                       legend=None)  # green higher, red lower, grey no clear difference (said in the caption)
    base = alt.Chart(d)
    zero = alt.Chart(pd.DataFrame({"x": [0.0]})).mark_rule(color="black", strokeDash=[4, 3]).encode(x="x:Q")
    bars = base.mark_rule(strokeWidth=3).encode(
        y=alt.Y("arm:N", sort=list(d["arm"]), title=None, axis=alt.Axis(labelLimit=160)),
        x=alt.X("ci_low:Q", title=unit or "difference",
                axis=alt.Axis(titleLimit=0)),
        x2="ci_high:Q", color=colour)
    pts = base.mark_point(filled=True, size=90).encode(
        y=alt.Y("arm:N", sort=list(d["arm"])), x="diff:Q", color=colour,
        tooltip=["arm", alt.Tooltip("diff:Q", title="difference", format="+,.4g"),
                 alt.Tooltip("ci_low:Q", format=",.4g"), alt.Tooltip("ci_high:Q", format=",.4g"),
                 alt.Tooltip("n_pairs:Q", title="pairs")])
    return alt.layer(zero, bars, pts, title=f"Difference vs {base_name} (95 % CI)").properties(
        height=110 + 40 * len(d), width="container")
