"""The monitor report: ``report.html`` (self-contained, figures as base64 PNG) and
``indicators.json``."""

from __future__ import annotations

import html
import json
import math
from collections.abc import Callable
from dataclasses import asdict

import numpy as np
import pandas as pd

from innocluster import indicators as ind
from innocluster.atomic import atomic_write_text
from innocluster.lifecycle import (
    FITTERS,
    STAGES,
    classify_stage,
    lock_in,
    race_to_the_bottom,
)
from innocluster.monitor.compute import IndicatorSet, compute_indicators
from innocluster.monitor.io import Dataset
from innocluster.monitor.series import focus_series
from innocluster.report.html import fig_to_base64, pyplot

STAGE_COLOURS = {"emergence": "#8dd3c7", "growth": "#80b1d3", "maturity": "#fdb462", "decline": "#fb8072"}
HORIZON = 10


_fig_to_b64 = fig_to_base64
_plt = pyplot

def heatmap_figure(s: IndicatorSet, column: str = "lq", top: int = 25) -> str | None:
    c = s.cell
    if c.empty or column not in c.columns:
        return None
    plt = _plt()
    last = c["year"].max()
    d = c[c["year"] == last]
    mtab = s.cube.arrays[s.measure][-1]
    r_idx = np.argsort(-mtab.sum(axis=1))[:top]
    i_idx = np.argsort(-mtab.sum(axis=0))[:top]
    regions = [str(s.cube.regions[i]) for i in r_idx]
    industries = [str(s.cube.industries[i]) for i in i_idx]
    pv = d.pivot_table(index="region", columns="industry", values=column, aggfunc="first", observed=True)
    pv.index, pv.columns = pv.index.astype(str), pv.columns.astype(str)
    pv = pv.reindex(index=regions, columns=industries).fillna(0.0)
    fig, ax = plt.subplots(figsize=(max(5, 0.35 * len(industries) + 2), max(3, 0.3 * len(regions) + 1.5)))
    vals = np.log2(np.clip(pv.to_numpy(), 1 / 16, 16))
    im = ax.imshow(vals, cmap="RdBu_r", vmin=-4, vmax=4, aspect="auto")
    ax.set_xticks(range(len(industries)), industries, rotation=70, fontsize=7)
    ax.set_yticks(range(len(regions)), regions, fontsize=7)
    cb = fig.colorbar(im, ax=ax)
    cb.set_label(f"log2 {column} (0 = LQ 1)")
    ax.set_title(f"Specialisation map ({column}, {last})")
    return _fig_to_b64(fig)


def lorenz_figure(s: IndicatorSet, top: int = 5) -> str | None:
    if s.cube is None:
        return None
    plt = _plt()
    m = s.cube.arrays[s.measure][-1]
    if m.shape[0] < 2 or m.sum() == 0:
        return None
    fig, ax = plt.subplots(figsize=(5, 4.5))
    ax.plot([0, 1], [0, 1], color="grey", lw=0.8, ls="--", label="equal distribution")
    tot = m.sum(axis=1)
    for j in np.argsort(-m.sum(axis=0))[:top]:
        cx, cy = ind.lorenz_curve(m[:, j], tot)
        hg = ind.hoover_gini(m[:, j], tot)
        ax.plot(cx, cy, lw=1.5, label=f"{s.cube.industries[j]} (Hoover-Gini {hg:.2f})")
    ax.set_xlabel(f"cumulative share of all {s.measure}")
    ax.set_ylabel(f"cumulative share of the industry's {s.measure}")
    ax.set_title(f"Lorenz (concentration) curves, {s.cube.years[-1]}")
    ax.legend(fontsize=7)
    return _fig_to_b64(fig)


def forecast_figure(series: pd.DataFrame, column: str, fits: dict) -> str | None:
    if column not in series.columns:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 4))
    ax.plot(series["year"], series[column], "ko-", ms=3, label="observed")
    t_future = np.arange(series["year"].min(), series["year"].max() + HORIZON + 1)
    for (name, res), col in zip(fits.items(), ("tab:blue", "tab:orange", "tab:green")):
        if not res.ok:
            continue
        p = res.predict(t_future, kind="prediction")
        ax.plot(p["t"], p["mean"], color=col, label=f"{name} (saturation {res.saturation:.3g})")
        ax.fill_between(p["t"], p["lower"], p["upper"], color=col, alpha=0.15)
    ax.set_xlabel("year")
    ax.set_ylabel(column)
    ax.set_title(f"{column}: observed and forecast (95 % prediction bands)")
    ax.legend(fontsize=7)
    return _fig_to_b64(fig)


def stage_figure(stage: pd.Series) -> str | None:
    if stage is None or stage.empty:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7, 1.4))
    for y, lab in stage.items():
        ax.barh(0, 1, left=y - 0.5, color=STAGE_COLOURS[lab], edgecolor="white")
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=STAGE_COLOURS[s], label=s) for s in STAGES], ncol=4, fontsize=7,
              loc="upper center", bbox_to_anchor=(0.5, -0.45))
    ax.set_yticks([])
    ax.set_title("Life-cycle stage (Menzel & Fornahl 2010)")
    return _fig_to_b64(fig)


def _jsonable(v):
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        f = float(v)
        return f if math.isfinite(f) else None
    if isinstance(v, np.ndarray):
        return _jsonable(v.tolist())
    return v


def analyse(ds: Dataset, region: str | None = None, industry: str | None = None,
            progress: Callable[[str], None] | None = None) -> dict:
    """Everything the report shows, as plain data (also written to indicators.json)."""
    s = compute_indicators(ds, progress=progress)
    if progress:
        progress("life cycle and forecasts")
    series, s_notes = focus_series(ds, s, region, industry)
    notes = s.notes + s_notes
    stage = None
    if "firms" in series.columns and series["firms"].notna().sum() >= 2:
        stage = classify_stage(series.dropna(subset=["firms"]))
    else:
        notes.append("life-cycle stage skipped: fewer than 2 years with firm counts")
    target = "firms" if "firms" in series.columns else ("employment" if "employment" in series.columns else None)
    fits = {}
    if target:
        ss = series.dropna(subset=[target])
        for name, fit in FITTERS.items():
            fits[name] = fit(ss["year"].to_numpy(), ss[target].to_numpy())
        notes.append("the Bass model treats the series as cumulative adoption; read it for stocks that only grow")
    li = lock_in(series)
    rb = race_to_the_bottom(series)
    last = s.cell[s.cell["year"] == s.cell["year"].max()] if not s.cell.empty else s.cell
    top_lq = (last.sort_values("lq", ascending=False).head(15)[["region", "industry", "year", "lq"]]
              if "lq" in last.columns else pd.DataFrame())
    strong = last[last.get("strong_cluster", pd.Series(dtype=float)) == 1][["region", "industry", "lq"]] if "strong_cluster" in last.columns else pd.DataFrame()
    out = {
        "source": ds.source,
        "kind": ds.kind,
        "focus": {"region": region, "industry": industry},
        "measure": s.measure,
        "overall": s.overall,
        "notes": notes,
        "series": series.to_dict(orient="list"),
        "stage": None if stage is None else {int(k): v for k, v in stage.items()},
        "forecasts": {
            k: {"ok": r.ok, "message": r.message, "params": r.params, "se": r.se, "saturation": r.saturation,
                "peak_time": r.peak_time, "n_obs": r.n_obs, "rmse": r.rmse, "target": target,
                "interval_method": "delta method (normal), prediction band adds residual variance"}
            for k, r in fits.items()
        },
        "warnings": {"lock_in": asdict(li), "race_to_the_bottom": asdict(rb)},
        "top_location_quotients": top_lq.astype({"region": str, "industry": str}).to_dict(orient="records") if len(top_lq) else [],
        "strong_clusters_last_year": strong.astype({"region": str, "industry": str}).to_dict(orient="records") if len(strong) else [],
    }
    return {"data": _jsonable(out), "set": s, "series": series, "stage": stage, "fits": fits, "lock_in": li, "race": rb}


def _table(df: pd.DataFrame, floatfmt: str = "{:.3g}") -> str:
    if df is None or len(df) == 0:
        return "<p><em>none</em></p>"
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    rows = []
    for _, r in df.iterrows():
        cells = "".join(
            f"<td>{html.escape(floatfmt.format(v) if isinstance(v, float) else str(v))}</td>" for v in r.to_numpy()
        )
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def render_html(a: dict) -> str:
    d, s = a["data"], a["set"]
    e = html.escape
    focus = ", ".join(f"{k} = {v}" for k, v in d["focus"].items() if v) or "all regions and industries"
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>innocluster monitor</title>",
        "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;font-size:0.85em}td,th{border:1px solid #ccc;padding:2px 6px}"
        ".warn{background:#fde0dc;border-left:4px solid #c0392b;padding:0.5em}"
        ".ok{background:#e8f5e9;border-left:4px solid #2e7d32;padding:0.5em}.note{color:#555}</style></head><body>",
        f"<h1>Cluster monitor</h1><p>Data: <code>{e(d['source'])}</code> ({'firm panel' if d['kind'] == 'firm' else 'region x industry x year table'}); focus: {e(focus)}; "
        f"specialisation measured on <b>{e(d['measure'])}</b>.</p>",
        "<h2>Warnings</h2>",
    ]
    for key, title in (("lock_in", "Lock-in"), ("race_to_the_bottom", "Race to the bottom")):
        w = d["warnings"][key]
        cls = "warn" if w["flag"] else "ok"
        parts.append(f"<div class='{cls}'><b>{title}: {'WARNING' if w['flag'] else 'no warning'}</b><ul>"
                     + "".join(f"<li>{e(r)}</li>" for r in w["reasons"]) + "</ul></div>")
    if a["stage"] is not None:
        parts.append(f"<h2>Life-cycle stage</h2><p>Latest stage ({a['stage'].index[-1]}): <b>{e(a['stage'].iloc[-1])}</b></p>")
        img = stage_figure(a["stage"])
        if img:
            parts.append(f"<img alt='stage timeline' src='data:image/png;base64,{img}'>")
    parts.append("<h2>Forecasts</h2>")
    target = next((f["target"] for f in d["forecasts"].values()), None)
    if target:
        img = forecast_figure(a["series"], target, a["fits"])
        if img:
            parts.append(f"<img alt='forecast' src='data:image/png;base64,{img}'>")
        rows = []
        for name, f in d["forecasts"].items():
            rows.append({"model": name, "ok": f["ok"], "saturation": f["saturation"] if f["ok"] else float("nan"),
                         "peak year": f["peak_time"] if f["ok"] else float("nan"), "message": f["message"]})
        parts.append(_table(pd.DataFrame(rows), "{:.4g}"))
    else:
        parts.append("<p>No series to forecast.</p>")
    parts.append("<h2>Specialisation</h2>")
    img = heatmap_figure(s, "lq")
    if img:
        parts.append(f"<img alt='specialisation map' src='data:image/png;base64,{img}'>")
    if "lq_patents" in s.cell.columns:
        img = heatmap_figure(s, "lq_patents")
        if img:
            parts.append("<h3>Technological specialisation (patent location quotients)</h3>")
            parts.append(f"<img alt='patent specialisation map' src='data:image/png;base64,{img}'>")
    parts.append("<h3>Highest location quotients (latest year)</h3>" + _table(pd.DataFrame(d["top_location_quotients"])))
    parts.append("<h3>Strong clusters (US Cluster Mapping rule, latest year)</h3>" + _table(pd.DataFrame(d["strong_clusters_last_year"])))
    parts.append("<h2>Concentration</h2>")
    img = lorenz_figure(s)
    if img:
        parts.append(f"<img alt='Lorenz curves' src='data:image/png;base64,{img}'>")
    ov = {k: v for k, v in d["overall"].items()}
    parts.append("<h2>Summary figures</h2>" + _table(pd.DataFrame({"indicator": list(ov), "value": list(ov.values())})))
    parts.append("<h2>Notes: what was skipped or assumed</h2><ul class='note'>"
                 + "".join(f"<li>{e(n)}</li>" for n in dict.fromkeys(d["notes"])) + "</ul>")
    parts.append("<p class='note'>Generated by innocluster monitor. Full numbers: indicators.json.</p></body></html>")
    return "".join(parts)


def write_report(ds: Dataset, out_dir, region: str | None = None, industry: str | None = None,
                 progress: Callable[[str], None] | None = None) -> dict:
    """Write ``report.html`` and ``indicators.json`` to ``out_dir``; return the analysis."""
    from pathlib import Path

    a = analyse(ds, region, industry, progress)
    if progress:
        progress("figures and report")
    out = Path(out_dir)
    atomic_write_text(out / "indicators.json", json.dumps(a["data"], indent=2, default=str))
    atomic_write_text(out / "report.html", render_html(a))
    return a
