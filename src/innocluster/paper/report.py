"""The self-contained ``report.html`` (figures inlined as base64 PNG) plus
``results.json``, ``verdicts.csv`` and ``tests.csv`` next to it (and ``scale.csv``,
``robustness*.csv`` when checked); all written atomically."""

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
from innocluster.paper.verdict import ALPHA, DEPENDS, NOT_SUPPORTED, POWER, SUPPORTED

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


def _tests_table(cr) -> str:
    rows = []
    for t in cr.tests:
        rows.append({"setting": t.setting, "arm vs": f"{t.arm} vs {t.baseline}", "outcome": t.outcome,
                     "role": "primary" if t.primary else "descriptive",
                     "predicted": "increase" if t.direction > 0 else "decrease", "effect": t.effect,
                     "95% low": t.ci_low, "95% high": t.ci_high, "band ±": t.negligible,
                     "TOST p (Holm)": t.tost_p_holm, "equivalent": "yes" if t.equivalent else "no",
                     "p raw": t.p_raw, "p Holm": t.p_holm, "MDE": t.mde, "n": t.n,
                     "n for MDE = band": t.replications_for_band, "verdict": t.verdict,
                     "reason": t.reason})
    df = pd.DataFrame(rows)
    notes = "".join(f"<li><b>{html.escape(t.outcome)}</b> ({html.escape(t.setting)}): {html.escape(t.note)}; band: "
                    f"{html.escape(t.band_why)}</li>" for t in cr.tests if t.note or t.band_why)
    return _table(df, ("setting", "arm vs", "outcome", "role", "predicted", "equivalent", "reason")) + \
        (f"<ul class='small'>{notes}</ul>" if notes else "")


def _inside_table(cr) -> str:
    """Raw gap, equal-endowment gap and within-firm effect side by side (inside claims)."""
    by: dict[str, dict] = {}
    for t in cr.tests:
        if ":" not in t.setting:
            continue
        scen, design = (x.strip() for x in t.setting.split(":", 1))
        key = "raw gap" if design.startswith("raw") else "equal-endowment gap" if design.startswith("equal") \
            else "within-firm effect" if design.startswith("within") else None
        if key is None:
            continue
        by.setdefault(scen, {})[key] = f"{_f(t.effect)} [{_f(t.ci_low)}, {_f(t.ci_high)}] {t.verdict}"
    if not by:
        return ""
    cols = ("raw gap", "equal-endowment gap", "within-firm effect")
    df = pd.DataFrame([{"scenario": k, **{c: v.get(c, "– (no design)") for c in cols}} for k, v in by.items()])
    return ("<h3>Inside vs outside: three designs side by side</h3><p class='small'>Effect [95 % interval] and "
            "verdict. The raw gap mixes endowments, sorting and location and is descriptive; the equal-endowment "
            "gap and the within-firm effect decide.</p>" + _table(df, ("scenario",) + cols))


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
             _inside_table(cr), "<h3>Tests</h3>", _tests_table(cr)]
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
    from innocluster.paper.derived import same_firm_cost_curves
    from innocluster.scenario import apply_overrides

    for cr in run.results:
        for sr in cr.settings:
            arm = sr.setting.arms[0]
            if arm.runner == "figure1":
                sc = apply_overrides(load_scenario(run.options.scenario_files.get(arm.scenario, arm.scenario)),
                                     list(run.options.overrides))
                seed = replication_seed(run.seeds.get(arm.scenario, sc.seed), 0)
                return same_firm_cost_curves(sc, seed, arm.years or 10, run.options.firms)[0]
    return None


DESIGN_HTML = f"""
<h2>Design and what each verdict means</h2>
<p>Each claim of the seed paper is run as a controlled experiment: replication <i>r</i> of every arm uses the
same seed (common random numbers), and an effect is the mean paired difference arm minus baseline over
replications (or a share of replications, or the mean of a per-run estimate, against a reference level).
Every test has a <b>negligible band</b> ±<i>b</i> fixed per outcome before anything runs (its justification is
listed under each test). Each test is decided in this order:</p>
<ol>
<li><b>not supported (equivalent)</b>: the two one-sided tests (TOST) show the effect lies within ±<i>b</i>,
Holm-adjusted p &lt; {ALPHA}. Equivalence is decided <i>before</i> a difference: a significant but negligible
effect does not support a claim;</li>
<li><b>supported</b>: the two-sided test of no effect, Holm-adjusted over <i>every</i> test of this run, has
p &lt; {ALPHA}, the effect has the predicted sign and its estimate lies outside the band (a difference whose
estimate lies inside the band, not shown equivalent, is <i>depends</i>: an effect smaller than negligible is no
evidence for the claim);</li>
<li><b>not supported (opposite sign)</b>: a difference with the other sign;</li>
<li><b>depends</b>: neither shown, or a difference inside the band. The minimum detectable effect (MDE, power {POWER} at level {ALPHA}, given the
replications and the observed spread) says whether the experiment could have decided: MDE above the band means
underpowered: run more replications. <i>n for MDE = band</i> says how many: the replications at which the MDE
falls to the band at the observed spread.</li>
</ol>
<p>A claim is <b>supported</b> when all its <i>primary</i> tests are, <b>not supported</b> when all are not
supported, and <b>depends</b> otherwise (e.g. it holds at one selection accuracy and not at another).
Descriptive tests (e.g. the raw inside-outside gap, which mixes what a cluster is given with where it is, or a
setting whose arms are the same model) are shown and enter the Holm adjustment but not the verdict.</p>
<p><b>Inside vs outside</b> is judged by two causal designs next to the raw gap: an equal-endowment placebo (the
cluster gets the periphery's endowments per firm, so only location and its mechanisms differ) and the
within-firm effect (firm and year fixed effects on the firm panel, identified by firms that move into the
cluster). <b>Ablations and policies</b> report total patents and the patents of the fixed cohort of firms alive
at the start next to patents per firm, so a change of the number of firms cannot flip a sign unnoticed.
<b>Policy arms</b> are sized to what binds: the efficiency-trap budget is a share of the cluster's revenue; VC
arms include one whose matching and screening let the money be spent; remedies act through mechanisms and set
no input of the detector they are judged by.</p>
"""


def _scale_html(run: PaperRun) -> str:
    df = run.extras.get("scale")
    if df is None:
        return ("<h2>Scale</h2><p class='small'>Not checked in this run: <code>--scale-check 0</code> reruns the "
                "claims at each scenario's calibrated size and shows whether any verdict changes.</p>")
    changed = int((~df["same"]).sum())
    return (f"<h2>Scale</h2><p>Verdicts at two sizes of the economy; {changed} of {len(df)} claims change.</p>"
            + _table(df, tuple(c for c in df.columns if c != "same")))


def _robustness_html(run: PaperRun) -> str:
    rob = run.extras.get("robustness")
    if rob is None:
        return ("<h2>Robustness</h2><p class='small'>Not screened in this run: <code>--robustness</code> reruns "
                "the claims over a Morris design of the parameters calibration leaves free.</p>")
    return ("<h2>Robustness (Morris screening)</h2><p>Parameters screened (each over [default/2, default x 2] "
            f"within its schema bounds): {html.escape(', '.join(rob.parameters))}; {len(rob.points)} points. "
            "A claim is robust when its verdict is the same at every point; <i>flipped by</i> lists the parameters "
            "whose one-at-a-time Morris steps changed it.</p>"
            + _table(rob.claims, ("claim", "baseline_verdict", "verdicts_seen", "robust", "flipped_by"))
            + "<p class='small'>mu* of the verdict code (+1 supported, 0 depends, -1 not supported) and of the first "
              "primary effect over its band, per parameter:</p>"
            + _table(rob.indices, ("claim", "parameter")))


def build_html(run: PaperRun) -> str:
    """The report as one HTML string."""
    from innocluster.model.fingerprint import engine_fingerprint

    curves = _figure1_curves(run)
    o = run.options
    rob = run.extras.get("robustness")
    robust = dict(zip(rob.claims["claim"], rob.claims["robust"])) if rob is not None else {}
    scale = run.extras.get("scale")
    same = dict(zip(scale["claim"], scale["same"])) if scale is not None else {}
    summary = pd.DataFrame([{"claim": cr.claim.id, "group": cr.claim.group, "title": cr.claim.title,
                             "robust": robust.get(cr.claim.id, "not screened"),
                             "scale": ("same at both sizes" if same[cr.claim.id] else "changes with size")
                             if cr.claim.id in same else "not checked",
                             "tests": len(cr.tests),
                             "supported": sum(t.verdict == SUPPORTED for t in cr.tests if t.primary),
                             "primary": sum(t.primary for t in cr.tests),
                             "verdict": cr.verdict} for cr in run.results])
    how = {"replications": o.replications, "initial firms per run": o.firms or "each scenario's calibrated size", "workers": o.workers,
           "root seeds (per scenario)": ", ".join(f"{k}: {v}" for k, v in run.seeds.items()),
           "seeds": "replication r uses replication_seed(root, r) in every arm (common random numbers)",
           "scenario files": ", ".join(f"{k}: {v}" for k, v in run.scenarios.items()),
           "overrides (--set)": ", ".join(o.overrides) or "none",
           "engine fingerprint": engine_fingerprint(), "runs": f"{run.runs_done} done, {run.runs_failed} failed",
           "tests (Holm over all of them)": sum(len(cr.tests) for cr in run.results),
           "alpha, power (MDE)": f"{ALPHA}, {POWER}",
           "wall time": f"{run.seconds:.0f} s",
           "written": _dt.datetime.now().isoformat(timespec="seconds")}
    head_rows = "".join(
        f"<tr><td class='l'>{html.escape(str(k))}</td><td class='l'>{html.escape(str(v))}</td></tr>"
        for k, v in how.items())
    sum_rows = "".join(
        f"<tr><td class='l'><a href='#{r.claim}'>{r.claim}</a></td><td class='l'>{html.escape(r.group)}</td>"
        f"<td class='l'>{html.escape(r.title)}</td><td>{r.supported}/{r.primary}</td><td class='l'>{_badge(r.verdict)}</td>"
        f"<td class='l'>{html.escape(r.robust)}</td><td class='l'>{html.escape(r.scale)}</td></tr>"
        for r in summary.itertuples())
    sum_html = ("<table><tr><th class='l'>claim</th><th class='l'>group</th><th class='l'>claim</th>"
                "<th>primary tests supported</th><th class='l'>verdict</th><th class='l'>robustness</th>"
                f"<th class='l'>scale</th></tr>{sum_rows}</table>")
    body = [
        "<!doctype html><html><head><meta charset='utf-8'><title>innocluster: the paper's claims</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>The paper's claims as controlled experiments</h1>",
        DESIGN_HTML,
        "<h2>Summary</h2>", sum_html,
        "<h2>How it was run</h2>", f"<table>{head_rows}</table>",
        _scale_html(run), _robustness_html(run),
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
    rob = run.extras.get("robustness")
    robust = dict(zip(rob.claims["claim"], rob.claims["robust"])) if rob is not None else {}
    verdicts = pd.DataFrame([{"claim": cr.claim.id, "group": cr.claim.group, "title": cr.claim.title,
                              "verdict": cr.verdict, "primary_tests": sum(t.primary for t in cr.tests),
                              "robustness": robust.get(cr.claim.id, "not screened")} for cr in run.results])
    atomic_write(out / "tests.csv", lambda p: tests.to_csv(p, index=False))
    atomic_write(out / "verdicts.csv", lambda p: verdicts.to_csv(p, index=False))
    if run.extras.get("scale") is not None:
        atomic_write(out / "scale.csv", lambda p: run.extras["scale"].to_csv(p, index=False))
    if run.extras.get("scale_tests") is not None:
        atomic_write(out / "scale_tests.csv", lambda p: run.extras["scale_tests"].to_csv(p, index=False))
    rob = run.extras.get("robustness")
    if rob is not None:
        atomic_write(out / "robustness.csv", lambda p: rob.claims.to_csv(p, index=False))
        atomic_write(out / "robustness_indices.csv", lambda p: rob.indices.to_csv(p, index=False))
        atomic_write(out / "robustness_points.csv", lambda p: rob.points.to_csv(p, index=False))
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
