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
from innocluster.errors import InputError
from innocluster.monitor.io import to_region_table
from innocluster.monitor.series import (
    SERIES_SOURCES,
    SIGNAL_SOURCES,
    _focus,
    check_focus,
    focus_series,
    label_values,
)
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


#: clusters judged one by one when no --max-clusters is given
MAX_CLUSTERS = 12
BY_CHOICES = ("auto", "region", "cell")


def cluster_units(ds: Dataset, table: pd.DataFrame, measure: str, region: str | None = None,
                  industry: str | None = None, by: str = "auto",
                  max_clusters: int = MAX_CLUSTERS) -> tuple[list[tuple[str | None, str | None]], list[str]]:
    """The clusters judged one by one: ``(region, industry)`` pairs, ``None`` meaning
    all industries of the region (or all regions).

    ``by="region"``: each region (its industries together, or only ``industry``);
    ``by="cell"``: each region x industry cell; ``by="auto"``: cells when the industries
    were mapped to cluster definitions, when an industry is named, or when no region is
    named and the data have a single region with several industries; otherwise regions
    (a named region is judged as a whole). The largest clusters by
    ``measure`` in the last year come first; beyond ``max_clusters`` the rest are listed
    in a note.
    """
    if by not in BY_CHOICES:
        raise InputError(f"--by {by!r}: allowed {', '.join(BY_CHOICES)}")
    if max_clusters < 1:
        raise InputError(f"--max-clusters {max_clusters}: must be at least 1")
    n_regions_all = len(label_values(table["region"]))
    t = _focus(table, region, industry)
    industries = label_values(t["industry"])
    if by == "auto":
        cells = (ds.cluster_types is not None or industry is not None
                 or (region is None and n_regions_all == 1 and len(industries) > 1))
        by = "cell" if cells else "region"
    keys = ["region", "industry"] if by == "cell" else ["region"]
    last = t[t["year"] == t["year"].max()]
    col = measure if measure in t.columns else "year"
    present = t.groupby(keys, observed=True, sort=True).size().index
    if col == "year":
        size = pd.Series(0.0, index=present)
    else:
        size = last.groupby(keys, observed=True, sort=True)[col].sum(min_count=1).reindex(present)
    order = size.fillna(0.0).sort_values(ascending=False, kind="stable").index

    def key(k):
        return tuple(str(x) for x in k) if isinstance(k, tuple) else (str(k),)

    notes = []
    if len(order) > max_clusters:
        rest = [key(k) for k in order[max_clusters:max_clusters + 10]]
        shown = ", ".join(" / ".join(k) for k in rest) + (" ..." if len(order) > max_clusters + 10 else "")
        notes.append(f"{len(order)} clusters; the {max_clusters} largest by {col} in the last year are judged one by "
                     f"one, {len(order) - max_clusters} not ({shown}); name one with --region / --industry or raise "
                     "--max-clusters")
    every = [key(k) for k in order[:max_clusters]]
    units = [(k[0], k[1] if by == "cell" else industry) for k in every]
    return units, notes


def _warning_json(w, what: str) -> dict:
    """A detector result as JSON: the three-state verdict, reasons, and for the
    signals that could not be measured what the input must hold."""
    d = asdict(w)
    d["needs"] = {m: SIGNAL_SOURCES.get(m, "") for m in w.missing}
    d["detector"] = what
    return d


def _judge(ds: Dataset, s: IndicatorSet, table: pd.DataFrame, region, industry) -> dict:
    """Stage, warnings and forecasts of one cluster."""
    series, notes = focus_series(ds, s, region, industry, table=table)
    stage = None
    if "firms" in series.columns and series["firms"].notna().sum() >= 2:
        stage = classify_stage(series.dropna(subset=["firms"]))
        stage_note = None
    else:
        stage_note = "not classified: " + SERIES_SOURCES["stage"]
    target = next((c for c in ("firms", "employment") if c in series.columns and series[c].notna().sum() > 0), None)
    fits = {}
    if target:
        ss = series.dropna(subset=[target])
        for name, fit in FITTERS.items():
            fits[name] = fit(ss["year"].to_numpy(), ss[target].to_numpy())
    li = lock_in(series)
    rb = race_to_the_bottom(series)
    name = " / ".join(str(x) for x in (region, industry) if x is not None) or "all regions and industries"
    return {"name": name, "region": region, "industry": industry, "series": series, "notes": notes, "stage": stage,
            "stage_note": stage_note, "target": target, "fits": fits, "lock_in": li, "race": rb}


def _cluster_json(c: dict) -> dict:
    stage = c["stage"]
    return {
        "name": c["name"], "region": c["region"], "industry": c["industry"],
        "stage": None if stage is None else {int(k): v for k, v in stage.items()},
        "latest_stage": None if stage is None else str(stage.iloc[-1]),
        "stage_note": c["stage_note"],
        "warnings": {"lock_in": _warning_json(c["lock_in"], "lock_in"),
                     "race_to_the_bottom": _warning_json(c["race"], "race_to_the_bottom")},
        "forecasts": {
            k: {"ok": r.ok, "message": r.message, "params": r.params, "se": r.se, "saturation": r.saturation,
                "peak_time": r.peak_time, "n_obs": r.n_obs, "rmse": r.rmse, "target": c["target"],
                "interval_method": "delta method (normal), prediction band adds residual variance"}
            for k, r in c["fits"].items()
        },
        "forecast_note": None if c["target"] else "no forecast: " + SERIES_SOURCES["forecasts"],
        "series": c["series"].to_dict(orient="list"),
        "notes": c["notes"],
    }


def analyse(ds: Dataset, region: str | None = None, industry: str | None = None,
            progress: Callable[[str], None] | None = None, by: str = "auto",
            max_clusters: int = MAX_CLUSTERS) -> dict:
    """Everything the report shows, as plain data (also written to indicators.json).

    Each cluster (:func:`cluster_units`) gets its own stage, warnings and forecasts
    under ``data["clusters"]``; the top-level ``stage``, ``warnings`` and
    ``forecasts`` (and ``a["stage"]``, ``a["series"]``, ``a["fits"]``) are those of the
    first, largest cluster, named in ``data["cluster"]``.
    """
    check_focus(ds, region, industry)
    s = compute_indicators(ds, progress=progress)
    if progress:
        progress("life cycle and forecasts")
    table = to_region_table(ds)
    units, unit_notes = cluster_units(ds, table, s.measure, region, industry, by, max_clusters)
    notes = s.notes + unit_notes
    judged = [_judge(ds, s, table, r, i) for r, i in units]
    for c in judged:
        notes += [f"{n} ({c['name']})" if len(judged) > 1 else n for n in c["notes"]]
    if any(c["target"] for c in judged):
        notes.append("the Bass model treats the series as cumulative adoption; read it for stocks that only grow")
    first = judged[0]
    last = s.cell[s.cell["year"] == s.cell["year"].max()] if not s.cell.empty else s.cell
    top_lq = (last.sort_values("lq", ascending=False).head(15)[["region", "industry", "year", "lq"]]
              if "lq" in last.columns else pd.DataFrame())
    strong_judged = "strong_cluster" in last.columns and last["strong_cluster"].notna().any()
    strong = (last[last["strong_cluster"] == 1][["region", "industry", "lq"]] if strong_judged else pd.DataFrame())
    clusters = [_cluster_json(c) for c in judged]
    out = {
        "source": ds.source,
        "kind": ds.kind,
        "format": ds.format,
        "focus": {"region": region, "industry": industry},
        "cluster": {"name": first["name"], "region": first["region"], "industry": first["industry"]},
        "measure": s.measure,
        "overall": s.overall,
        "notes": notes,
        "series": clusters[0]["series"],
        "stage": clusters[0]["stage"],
        "forecasts": clusters[0]["forecasts"],
        "warnings": clusters[0]["warnings"],
        "clusters": clusters,
        "top_location_quotients": top_lq.astype({"region": str, "industry": str}).to_dict(orient="records") if len(top_lq) else [],
        "strong_clusters_judged": bool(strong_judged),
        "strong_clusters_last_year": strong.astype({"region": str, "industry": str}).to_dict(orient="records") if len(strong) else [],
    }
    return {"data": _jsonable(out), "set": s, "series": first["series"], "stage": first["stage"], "fits": first["fits"],
            "lock_in": first["lock_in"], "race": first["race"], "clusters": judged}


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


WARNING_STYLE = {"warning": ("warn", "WARNING"), "no warning": ("ok", "no warning"),
                 "not judged": ("unjudged", "not judged")}


def _cluster_html(c: dict, raw: dict, heading: bool) -> str:
    """Stage, three-state warnings and forecasts of one cluster."""
    e = html.escape
    parts = [f"<h2>Cluster: {e(c['name'])}</h2>" if heading else ""]
    parts.append("<h3>Life-cycle stage</h3>")
    if raw["stage"] is not None:
        parts.append(f"<p>{e(c['name'])}: latest stage ({raw['stage'].index[-1]}): <b>{e(c['latest_stage'])}</b></p>")
        img = stage_figure(raw["stage"])
        if img:
            parts.append(f"<img alt='stage timeline of {e(c['name'])}' src='data:image/png;base64,{img}'>")
    else:
        parts.append(f"<p>{e(c['name'])}: stage {e(c['stage_note'])}</p>")
    parts.append("<h3>Warnings</h3>")
    for key, title in (("lock_in", "Lock-in"), ("race_to_the_bottom", "Race to the bottom")):
        w = c["warnings"][key]
        cls, verdict = WARNING_STYLE[w["state"]]
        items = "".join(f"<li>{e(r)}</li>" for r in w["reasons"])
        if w["missing"]:
            items += "".join(f"<li>not measurable: <b>{e(m)}</b>, from {e(w['needs'].get(m, ''))}</li>"
                             for m in w["missing"])
        parts.append(f"<div class='{cls}'><b>{title}: {verdict}</b><ul>{items}</ul></div>")
    parts.append("<h3>Forecasts</h3>")
    target = next((f["target"] for f in c["forecasts"].values()), None)
    if target:
        img = forecast_figure(raw["series"], target, raw["fits"])
        if img:
            parts.append(f"<img alt='forecast of {e(c['name'])}' src='data:image/png;base64,{img}'>")
        rows = [{"model": name, "ok": f["ok"], "saturation": f["saturation"] if f["ok"] else float("nan"),
                 "peak year": f["peak_time"] if f["ok"] else float("nan"), "message": f["message"]}
                for name, f in c["forecasts"].items()]
        parts.append(_table(pd.DataFrame(rows), "{:.4g}"))
    else:
        parts.append(f"<p>{e(c['forecast_note'])}</p>")
    return "".join(parts)


def render_html(a: dict) -> str:
    d, s = a["data"], a["set"]
    e = html.escape
    focus = ", ".join(f"{k} = {v}" for k, v in d["focus"].items() if v) or "all regions and industries"
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>innocluster monitor</title>",
        "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;font-size:0.85em}td,th{border:1px solid #ccc;padding:2px 6px}"
        ".warn{background:#fde0dc;border-left:4px solid #c0392b;padding:0.5em}"
        ".ok{background:#e8f5e9;border-left:4px solid #2e7d32;padding:0.5em}"
        ".unjudged{background:#eeeeee;border-left:4px solid #757575;padding:0.5em}.note{color:#555}</style></head><body>",
        f"<h1>Cluster monitor</h1><p>Data: <code>{e(d['source'])}</code> ({'firm panel' if d['kind'] == 'firm' else 'region x industry x year table'}); focus: {e(focus)}; "
        f"specialisation measured on <b>{e(d['measure'])}</b>.</p>",
    ]
    clusters = d["clusters"]
    parts.append("<h2>Clusters judged</h2>")
    if len(clusters) > 1:
        parts.append("<p>Each cluster is judged on its own: its life-cycle stage, warnings and forecasts come from "
                     "its own series.</p>")
    rows = [{"cluster": c["name"], "latest stage": c["latest_stage"] or "not classified",
             "lock-in": c["warnings"]["lock_in"]["state"],
             "race to the bottom": c["warnings"]["race_to_the_bottom"]["state"],
             "forecasts fitted": ", ".join(k for k, f in c["forecasts"].items() if f["ok"]) or "none"}
            for c in clusters]
    parts.append(_table(pd.DataFrame(rows)))
    for c, raw in zip(clusters, a["clusters"], strict=True):
        parts.append(_cluster_html(c, raw, heading=len(clusters) > 1))
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
    parts.append("<h3>Strong clusters (US Cluster Mapping rule, latest year)</h3>"
                 + (_table(pd.DataFrame(d["strong_clusters_last_year"])) if d["strong_clusters_judged"]
                    else "<p><em>not judged: too few regions or no traded clusters (see the notes)</em></p>"))
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
                 progress: Callable[[str], None] | None = None, by: str = "auto",
                 max_clusters: int = MAX_CLUSTERS) -> dict:
    """Write ``report.html`` and ``indicators.json`` to ``out_dir``, the folder whole
    (:func:`innocluster.outputs.replace_folder`: a kill leaves the earlier report or the
    new one, never a mix); return the analysis (:func:`analyse`)."""
    from innocluster.outputs import check_output_folder, replace_folder

    check_output_folder(out_dir, known=REPORT_FILES, param="out_dir", what="monitor report")
    a = analyse(ds, region, industry, progress, by=by, max_clusters=max_clusters)
    if progress:
        progress("figures and report")
    with replace_folder(out_dir, known=REPORT_FILES, param="out_dir", what="monitor report") as tmp:
        atomic_write_text(tmp / "indicators.json", json.dumps(a["data"], indent=2, default=str))
        atomic_write_text(tmp / "report.html", render_html(a))
    return a


#: the files a monitor report folder holds
REPORT_FILES = ("report.html", "indicators.json")
