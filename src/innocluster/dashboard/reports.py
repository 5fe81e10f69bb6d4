"""Policy comparisons in words and pictures: readable outcome names with units, the
replications' power to detect the differences shown, and the self-contained HTML report
(every value escaped, charts as embedded PNG)."""

from __future__ import annotations

import html
import math
from datetime import datetime, timezone

import numpy as np
import pandas as pd

ALPHA_CONF = 0.95
#: Power used for the minimum detectable effect.
POWER = 0.8


def outcome_parts(key: str) -> tuple[str, str, str]:
    """``metric@year@region`` -> (metric, year, region) (missing parts empty)."""
    parts = str(key).split("@")
    metric = parts[0]
    year = parts[1] if len(parts) > 1 else ""
    region = parts[2] if len(parts) > 2 else ""
    return metric, year, region


def outcome_label(key: str, with_unit: bool = True) -> str:
    """A readable name for an outcome key: ``patents_per_firm@last@hsinchu`` ->
    'Patents per firm in hsinchu, last simulated year (per firm-year)'."""
    from innocluster.dashboard.shared import METRICS

    metric, year, region = outcome_parts(key)
    label, unit = METRICS.get(metric, (metric.replace("_", " ").capitalize(), ""))
    when = "last simulated year" if year in ("last", "") else f"year {year}"
    where = f" in {region}" if region else ""
    text = f"{label}{where}, {when}"
    return f"{text} ({unit})" if with_unit and unit else text


def outcome_unit(key: str) -> str:
    from innocluster.dashboard.shared import METRICS

    return METRICS.get(outcome_parts(key)[0], ("", ""))[1]


def detectability(differences: pd.DataFrame, conf: float = ALPHA_CONF, power: float = POWER) -> pd.DataFrame:
    """Per (arm, outcome): the minimum detectable effect of the paired design and whether
    the difference shown is smaller than that.

    The standard error of the mean paired difference is read back from its t-interval
    (``se = (ci_high - diff) / t``); the minimum detectable effect at ``power`` for a
    two-sided test at ``1 - conf`` is ``(t_{1-a/2, n-1} + t_{power, n-1}) * se``. A
    difference whose interval contains zero and whose size is below it cannot be told
    from noise with these replications: ``needed`` estimates the replications that would
    detect it (``n * (mde / |diff|)^2``, capped at 10,000).
    """
    from scipy import stats

    rows = []
    for _, d in differences.iterrows():
        n = int(d["n_pairs"]) if not pd.isna(d["n_pairs"]) else 0
        diff, lo, hi = float(d["diff"]), float(d["ci_low"]), float(d["ci_high"])
        se = mde = float("nan")
        needed = None
        if n >= 2 and math.isfinite(hi) and math.isfinite(diff):
            t_conf = stats.t.ppf(1 - (1 - conf) / 2, n - 1)
            se = (hi - diff) / t_conf
            mde = (t_conf + stats.t.ppf(power, n - 1)) * se
        excludes_zero = math.isfinite(lo) and (lo > 0 or hi < 0)
        underpowered = bool(math.isfinite(mde) and not excludes_zero and abs(diff) < mde)
        if underpowered:
            needed = 10_000 if diff == 0 else int(min(10_000, math.ceil(n * (mde / abs(diff)) ** 2)))
        rows.append({"arm": d["arm"], "outcome": d["outcome"], "n_pairs": n, "diff": diff, "se": se, "mde": mde,
                     "underpowered": underpowered, "needed": needed})
    return pd.DataFrame(rows, columns=["arm", "outcome", "n_pairs", "diff", "se", "mde", "underpowered", "needed"])


def power_warnings(differences: pd.DataFrame) -> list[str]:
    """One sentence per (arm, outcome) whose replications cannot detect an effect of the size shown."""
    out = []
    for _, r in detectability(differences).iterrows():
        if not r["underpowered"]:
            continue
        unit = outcome_unit(r["outcome"])
        u = f" {unit}" if unit and unit not in ("count", "share") else ""
        more = "" if r["diff"] == 0 else f"; about {int(r['needed']):,} replications would be needed to detect an effect of that size"
        out.append(f"**{r['arm']}**, {outcome_label(r['outcome'], with_unit=False)}: with {r['n_pairs']} paired "
                   f"replications only effects of at least {r['mde']:.3g}{u} can be detected ({POWER:.0%} power); "
                   f"the difference shown, {r['diff']:+.3g}{u}, is smaller{more}.")
    return out


def verdict_table(differences: pd.DataFrame) -> pd.DataFrame:
    """One row per (arm, outcome): paired difference against the baseline, its interval,
    the p-value and a verdict in words (the interval excludes zero or not)."""
    rows = []
    for _, d in differences.iterrows():
        lo, hi, diff = d["ci_low"], d["ci_high"], d["diff"]
        if any(isinstance(x, float) and math.isnan(x) for x in (lo, hi)):
            verdict = "not enough replications"
        elif lo > 0:
            verdict = "higher than baseline"
        elif hi < 0:
            verdict = "lower than baseline"
        else:
            verdict = "no clear difference"
        rows.append({"arm": d["arm"], "vs": d["baseline"], "outcome": outcome_label(d["outcome"]), "difference": diff,
                     "ci_low": lo, "ci_high": hi, "p_value": d["p_value"], "pairs": int(d["n_pairs"]),
                     "verdict": verdict})
    return pd.DataFrame(rows, columns=["arm", "vs", "outcome", "difference", "ci_low", "ci_high", "p_value", "pairs", "verdict"])


def _fmt(v) -> str:
    if isinstance(v, float | np.floating):
        return "" if math.isnan(v) else f"{v:.4g}"
    return str(v)


def _table(df: pd.DataFrame) -> str:
    if df is None or df.empty:
        return "<p><em>none</em></p>"
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_fmt(v))}</td>" for v in row) + "</tr>"
                   for row in df.itertuples(index=False))
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def comparison_figures(summary: pd.DataFrame, differences: pd.DataFrame) -> list[tuple[str, str]]:
    """Per outcome, one PNG (base64): paired differences against the baseline with their
    intervals (what the verdict is about), and the arm means with theirs beside them."""
    from innocluster.report.html import fig_to_base64, pyplot

    plt = pyplot()
    out = []
    for oc in dict.fromkeys(summary["outcome"]):
        s = summary[summary["outcome"] == oc]
        d = differences[differences["outcome"] == oc]
        unit = outcome_unit(oc)
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(9, 0.9 + 0.45 * max(len(s), 2)))
        y = np.arange(len(d))
        a1.axvline(0, color="grey", lw=1, ls="--")
        a1.errorbar(d["diff"], y, xerr=[d["diff"] - d["ci_low"], d["ci_high"] - d["diff"]], fmt="o", color="#1f5f8b",
                    capsize=3)
        a1.set_yticks(y, [str(a) for a in d["arm"]])
        a1.invert_yaxis()
        a1.set_xlabel(f"difference vs {d['baseline'].iloc[0] if len(d) else 'baseline'}" + (f" ({unit})" if unit else ""))
        a1.set_title("Paired difference, 95 % interval", fontsize=9)
        y2 = np.arange(len(s))
        a2.errorbar(s["mean"], y2, xerr=[s["mean"] - s["ci_low"], s["ci_high"] - s["mean"]], fmt="s", color="#555",
                    capsize=3)
        a2.set_yticks(y2, [str(a) for a in s["arm"]])
        a2.invert_yaxis()
        a2.set_xlabel("mean" + (f" ({unit})" if unit else ""))
        a2.set_title("Arm means, 95 % interval", fontsize=9)
        fig.suptitle(outcome_label(oc, with_unit=False), fontsize=10)
        fig.tight_layout()
        out.append((outcome_label(oc), fig_to_base64(fig)))
    return out


def comparison_html(title: str, settings: dict, arms: dict, summary: pd.DataFrame, differences: pd.DataFrame) -> str:
    """The comparison as one HTML page: settings, arms, charts, power warnings, means with
    intervals, verdicts."""
    e = html.escape
    arm_rows = "".join(f"<tr><td>{e(a)}</td><td><code>{e('; '.join(ov) or '(scenario as it is)')}</code></td></tr>"
                       for a, ov in arms.items())
    sett = "".join(f"<li>{e(str(k))}: {e(str(v))}</li>" for k, v in settings.items())
    try:
        figs = "".join(f"<figure><img alt='{e(lab)}' src='data:image/png;base64,{img}'><figcaption>{e(lab)}"
                       f"</figcaption></figure>" for lab, img in comparison_figures(summary, differences))
    except Exception as exc:  # noqa: BLE001 - the report is still useful without its charts
        figs = f"<p><em>charts unavailable ({e(type(exc).__name__)})</em></p>"
    warns = power_warnings(differences)
    warn_html = ("<div class='warn'><b>Too few replications to detect some effects</b><ul>"
                 + "".join(f"<li>{e(w.replace('**', ''))}</li>" for w in warns) + "</ul></div>") if warns else ""
    summ = summary.copy()
    summ["outcome"] = summ["outcome"].map(outcome_label)
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>innocluster policy comparison</title>"
        "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;font-size:0.9em;margin:0.5em 0}td,th{border:1px solid #ccc;padding:3px 8px}"
        "th{background:#f3f5f8}img{max-width:100%}figure{margin:1em 0}"
        ".warn{background:#fff4e0;border-left:4px solid #e69500;padding:0.5em}</style></head><body>"
        f"<h1>{e(title)}</h1><p>Generated {e(datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC'))} by innocluster.</p>"
        f"<h2>Settings</h2><ul>{sett}</ul>"
        f"<h2>Arms</h2><table><thead><tr><th>arm</th><th>overrides</th></tr></thead><tbody>{arm_rows}</tbody></table>"
        "<h2>Charts: paired differences (what the verdicts are about) and arm means</h2>" + figs + warn_html +
        "<h2>Verdicts: paired differences against the baseline (common random numbers)</h2>"
        + _table(verdict_table(differences)) +
        "<p>Replication r of every arm uses the same seed, so the paired difference removes shared noise. "
        "'higher' / 'lower' means the 95 % interval of the difference excludes zero.</p>"
        "<h2>Means with 95 % t-intervals</h2>" + _table(summ) + "</body></html>"
    )
