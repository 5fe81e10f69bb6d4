"""Self-contained HTML reports of policy comparisons (every value escaped)."""

from __future__ import annotations

import html
import math
from datetime import datetime, timezone

import numpy as np
import pandas as pd

ALPHA_CONF = 0.95


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
        rows.append({"arm": d["arm"], "vs": d["baseline"], "outcome": d["outcome"], "difference": diff,
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


def comparison_html(title: str, settings: dict, arms: dict, summary: pd.DataFrame, differences: pd.DataFrame) -> str:
    """The comparison as one HTML page: settings, arms, means with intervals, verdicts."""
    e = html.escape
    arm_rows = "".join(f"<tr><td>{e(a)}</td><td><code>{e('; '.join(ov) or '(scenario as it is)')}</code></td></tr>"
                       for a, ov in arms.items())
    sett = "".join(f"<li>{e(str(k))}: {e(str(v))}</li>" for k, v in settings.items())
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>innocluster policy comparison</title>"
        "<style>body{font-family:sans-serif;max-width:1000px;margin:2em auto;color:#222}"
        "table{border-collapse:collapse;font-size:0.9em;margin:0.5em 0}td,th{border:1px solid #ccc;padding:3px 8px}"
        "th{background:#f3f5f8}</style></head><body>"
        f"<h1>{e(title)}</h1><p>Generated {e(datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC'))} by innocluster.</p>"
        f"<h2>Settings</h2><ul>{sett}</ul>"
        f"<h2>Arms</h2><table><thead><tr><th>arm</th><th>overrides</th></tr></thead><tbody>{arm_rows}</tbody></table>"
        "<h2>Means with 95 % t-intervals</h2>" + _table(summary) +
        "<h2>Verdicts: paired differences against the baseline (common random numbers)</h2>"
        + _table(verdict_table(differences)) +
        "<p>Replication r of every arm uses the same seed, so the paired difference removes shared noise. "
        "'higher' / 'lower' means the 95 % interval of the difference excludes zero.</p></body></html>"
    )
