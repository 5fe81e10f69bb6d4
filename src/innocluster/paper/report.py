"""The self-contained ``report.html`` (figures inlined as base64 PNG) plus
``results.json``, ``verdicts.csv`` and ``tests.csv`` next to it; all written atomically."""

from __future__ import annotations

import datetime as _dt
import html
import json
import math
from pathlib import Path

import pandas as pd

from innocluster.atomic import atomic_write, atomic_write_text
from innocluster.paper import figures
from innocluster.paper.run import PaperRun, verdict_table
from innocluster.paper.verdict import DEPENDS, NOT_SUPPORTED, SUPPORTED

_COLOUR = {SUPPORTED: "#1a7f37", NOT_SUPPORTED: "#b42318", DEPENDS: "#9a6700"}
_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;margin:.6em 0;font-size:.85em}th,td{border:1px solid #ddd;padding:3px 7px;text-align:right}
th{background:#f4f4f4}td.l,th.l{text-align:left}.v{font-weight:600}blockquote{color:#555;border-left:3px solid #ccc;
margin:.5em 0;padding-left:.8em;font-style:italic}section{border-top:2px solid #eee;margin-top:2em}img{max-width:100%}
.small{font-size:.8em;color:#555}
"""


def _f(v, digits: int = 4) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, float):
        return f"{v:.{digits}g}"
    return html.escape(str(v))


def _badge(v: str) -> str:
    return f'<span class="v" style="color:{_COLOUR.get(v, "#222")}">{html.escape(v)}</span>'


def _table(df: pd.DataFrame, left: tuple[str, ...] = ()) -> str:
    head = "".join(f'<th class="{"l" if c in left else ""}">{html.escape(str(c))}</th>' for c in df.columns)
    body = []
    for row in df.itertuples(index=False):
        cells = []
        for c, v in zip(df.columns, row):
            cls = "l" if c in left else ""
            txt = _badge(v) if c in ("verdict", "claim verdict") else _f(v)
            cells.append(f'<td class="{cls}">{txt}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><tr>{head}</tr>{''.join(body)}</table>"


def _effect_sentence(t) -> str:
    rel = f", {100 * t.relative:+.1f} % of the baseline" if math.isfinite(t.relative) else ""
    return (f"{html.escape(t.setting)}: {html.escape(t.outcome)} of <b>{html.escape(t.arm)}</b> minus "
            f"{html.escape(t.baseline)} = {_f(t.effect)} [{_f(t.ci_low)}, {_f(t.ci_high)}]{rel}; predicted "
            f"{'increase' if t.direction > 0 else 'decrease'}; negligible within ±{_f(t.negligible, 2)} → "
            f"{_badge(t.verdict)}")


def _figure(cr, curves) -> str:
    kind = cr.claim.figure
    if kind == "figure1":
        return figures.figure1(cr, curves)
    if kind == "timeline":
        return figures.timeline(cr)
    if kind == "detector":
        return figures.detector(cr, "lock_in" if "lock" in cr.claim.id else "race_to_bottom")
    return figures.bars(cr)


def _claim_html(cr, curves) -> str:
    c = cr.claim
    parts = [f'<section id="{c.id}"><h2>{html.escape(c.title)} <span class="small">({c.id})</span></h2>',
             f"<p>Verdict: {_badge(cr.verdict)}</p>", f"<blockquote>{html.escape(c.quote)}</blockquote>",
             f"<p><b>Design.</b> {html.escape(c.design)}</p>",
             f'<img alt="{c.id}" src="data:image/png;base64,{_figure(cr, curves)}">',
             "<h3>Tests</h3><ul>" + "".join(f"<li>{_effect_sentence(t)}</li>" for t in cr.tests) + "</ul>"]
    for sr in cr.settings:
        summ = sr.summary.rename(columns={"ci_low": "95% low", "ci_high": "95% high"})
        parts.append(f"<h3>{html.escape(sr.setting.label)}</h3><p>Arm means with 95 % t-intervals</p>")
        parts.append(_table(summ[["arm", "outcome", "n", "mean", "sd", "95% low", "95% high"]], ("arm", "outcome")))
        if not sr.differences.empty:
            d = sr.differences.rename(columns={"diff": "paired difference", "ci_low": "95% low",
                                               "ci_high": "95% high"})
            parts.append("<p>Paired differences (same seeds) against the baseline</p>")
            parts.append(_table(d[["arm", "baseline", "outcome", "n_pairs", "paired difference", "95% low",
                                   "95% high", "p_value"]], ("arm", "baseline", "outcome")))
    parts.append("</section>")
    return "\n".join(parts)


def _figure1_curves(run: PaperRun):
    """Figure 1 curves of replication 0 of the first Figure 1 setting (for the plot)."""
    from innocluster import load_scenario
    from innocluster.experiments.seeds import replication_seed
    from innocluster.model.figure1 import cost_curves
    from innocluster.scenario import apply_overrides

    for cr in run.results:
        for sr in cr.settings:
            arm = sr.setting.arms[0]
            if arm.runner == "figure1":
                sc = apply_overrides(load_scenario(run.options.scenario_files.get(arm.scenario, arm.scenario)),
                                     list(run.options.overrides))
                seed = replication_seed(run.seeds.get(arm.scenario, sc.seed), 0)
                return cost_curves(sc, seed=seed, burn_in=arm.years or 10, firms=run.options.firms)[0]
    return None


def build_html(run: PaperRun) -> str:
    """The report as one HTML string."""
    from innocluster.model.fingerprint import engine_fingerprint

    curves = _figure1_curves(run)
    o = run.options
    summary = pd.DataFrame([{"claim": cr.claim.id, "group": cr.claim.group, "title": cr.claim.title,
                             "tests": len(cr.tests),
                             "supported": sum(t.verdict == SUPPORTED for t in cr.tests),
                             "verdict": cr.verdict} for cr in run.results])
    how = {"replications": o.replications, "initial firms per run": o.firms, "workers": run.workers,
           "root seeds (per scenario)": ", ".join(f"{k}: {v}" for k, v in run.seeds.items()),
           "seeds": "replication r uses replication_seed(root, r) in every arm (common random numbers)",
           "scenario files": ", ".join(f"{k}: {v}" for k, v in run.scenarios.items()),
           "overrides (--set)": ", ".join(o.overrides) or "none",
           "engine fingerprint": engine_fingerprint(), "runs": f"{run.runs_done} done, {run.runs_failed} failed",
           "wall time": f"{run.seconds:.0f} s",
           "written": _dt.datetime.now().isoformat(timespec="seconds")}
    head_rows = "".join(
        f"<tr><td class='l'>{html.escape(str(k))}</td><td class='l'>{html.escape(str(v))}</td></tr>"
        for k, v in how.items())
    sum_rows = "".join(
        f"<tr><td class='l'><a href='#{r.claim}'>{r.claim}</a></td><td class='l'>{html.escape(r.group)}</td>"
        f"<td class='l'>{html.escape(r.title)}</td><td>{r.supported}/{r.tests}</td><td class='l'>{_badge(r.verdict)}</td></tr>"
        for r in summary.itertuples())
    sum_html = ("<table><tr><th class='l'>claim</th><th class='l'>group</th><th class='l'>claim</th>"
                f"<th>tests supported</th><th class='l'>verdict</th></tr>{sum_rows}</table>")
    body = [
        "<!doctype html><html><head><meta charset='utf-8'><title>innocluster: the paper's claims</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>The paper's claims as controlled experiments</h1>",
        "<p>Each claim of the seed paper is run as a controlled experiment with common random numbers. "
        "A test is <b>supported</b> when the 95 % interval of the effect excludes zero in the predicted "
        "direction, <b>not supported</b> when it excludes zero in the other direction or lies entirely within "
        "the negligible band, and <b>depends</b> otherwise; a claim is supported (not supported) when all its "
        "tests are, and depends when they disagree (e.g. across selection accuracies).</p>",
        "<h2>Summary</h2>", sum_html,
        "<h2>How it was run</h2>", f"<table>{head_rows}</table>",
    ]
    if run.failures:
        body.append("<p>Failed runs:</p><ul>" + "".join(f"<li>{html.escape(f)}</li>" for f in run.failures[:20])
                    + "</ul>")
    body += [_claim_html(cr, curves) for cr in run.results]
    body.append("</body></html>")
    return "\n".join(body)


def write_report(run: PaperRun, out: str | Path) -> Path:
    """Write ``report.html``, ``results.json``, ``verdicts.csv`` and ``tests.csv`` into ``out``.

    Returns
    -------
    pathlib.Path
        The report's path.
    """
    from innocluster.model.fingerprint import engine_fingerprint

    out = Path(out)
    tests = verdict_table(run)
    verdicts = pd.DataFrame([{"claim": cr.claim.id, "group": cr.claim.group, "title": cr.claim.title,
                              "verdict": cr.verdict} for cr in run.results])
    atomic_write(out / "tests.csv", lambda p: tests.to_csv(p, index=False))
    atomic_write(out / "verdicts.csv", lambda p: verdicts.to_csv(p, index=False))
    payload = {
        "replications": run.options.replications, "firms": run.options.firms, "seeds": run.seeds,
        "scenarios": run.scenarios, "overrides": run.options.overrides, "engine": engine_fingerprint(),
        "seconds": run.seconds, "runs_done": run.runs_done, "runs_failed": run.runs_failed,
        "claims": [{"id": cr.claim.id, "title": cr.claim.title, "verdict": cr.verdict,
                    "tests": [{k: (None if isinstance(v, float) and math.isnan(v) else v)
                               for k, v in row.items()} for row in tests[tests["claim"] == cr.claim.id]
                              .drop(columns=["claim"]).to_dict("records")]}
                   for cr in run.results],
    }
    atomic_write_text(out / "results.json", json.dumps(payload, indent=2, default=float))
    return atomic_write_text(out / "report.html", build_html(run))
