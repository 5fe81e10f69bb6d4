"""The validation report card: each stylised fact, measured over seeds, against its range.

:func:`validate` runs a scenario for a few seeds (its own years, with the firm panel,
and a long run for the life-cycle facts), measures every fact of
:mod:`.facts` that applies to it on each seed, and returns a
:class:`ValidationResults`: one row per fact with its source, the empirical range, the
simulated mean over seeds with a 95% interval, and whether it holds (the mean lies
in the range). :meth:`ValidationResults.save` writes the table (CSV and Parquet) and
an HTML report with one panel per fact and figures of the distributions behind the
facts (:mod:`.curves`: rank-size, growth-rate density, survival and hazard by age, the
long run's firm counts and heterogeneity), whose points go to ``curves.csv``.
"""

from __future__ import annotations

import base64
import html
import io
import math
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from innocluster.errors import InputError
from innocluster.validation import estimators as est
from innocluster.validation.curves import seed_curves
from innocluster.validation.facts import INF, SeedRun, facts_for
from innocluster.validation.gaps import known_gap

#: years of the long run that the life-cycle facts read (a cluster's life cycle spans
#: decades: Menzel & Fornahl 2010; the shake-outs in Klepper 1997 came 15-40 years in)
LONG_YEARS = 80


@dataclass
class ValidationResults:
    """The report card of one scenario.

    Attributes
    ----------
    scenario : str
    seeds : list of int
    table : pandas.DataFrame
        One row per fact: ``fact``, ``label``, ``measure``, ``source``, ``low``,
        ``high``, ``published``, ``unit``, ``simulated`` (mean over seeds),
        ``ci_low``, ``ci_high`` (95% interval of the mean, Student t over seeds),
        ``holds`` (the mean inside ``[low, high]``), ``seeds_measured``,
        ``calibration_target`` (the scenario's shipped calibration targets set this
        fact, so it holds by calibration rather than emerging), ``known_gap`` (for a
        fact that does not hold: the documented reason the model misses it, from
        :mod:`.gaps`; empty when the failure is not a known one).
    per_seed : pandas.DataFrame
        Every fact's value on every seed (``fact``, ``seed``, ``value``, ``se``, ``n``).
    curves : pandas.DataFrame
        The distributions behind the facts on every seed (``curve``, ``seed``, ``x``,
        ``y``; :mod:`.curves` lists them).
    """

    scenario: str
    seeds: list[int]
    table: pd.DataFrame
    per_seed: pd.DataFrame
    curves: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["curve", "seed", "x", "y"]))

    def __repr__(self) -> str:
        held = int(self.table["holds"].sum())
        return f"<ValidationResults {self.scenario}: {held} of {len(self.table)} facts hold over {len(self.seeds)} seeds>"

    @property
    def failed(self) -> list[str]:
        """The facts that do not hold."""
        return self.table.loc[~self.table["holds"], "fact"].tolist()

    def save(self, out: str | os.PathLike) -> Path:
        """Write ``card.csv``, ``card.parquet``, ``per_seed.csv``, ``curves.csv`` and ``report.html`` into
        ``out``, replacing its earlier contents as a whole
        (:func:`innocluster.outputs.replace_folder`)."""
        from innocluster.outputs import replace_folder

        with replace_folder(out, known=CARD_FILES, param="out", what="report card") as tmp:
            self.table.to_csv(tmp / "card.csv", index=False)
            self.table.to_parquet(tmp / "card.parquet", index=False)
            self.per_seed.to_csv(tmp / "per_seed.csv", index=False)
            self.curves.to_csv(tmp / "curves.csv", index=False)
            (tmp / "report.html").write_text(_html(self), encoding="utf-8")
        return Path(out)


#: the files a report card folder holds
CARD_FILES = ("card.csv", "card.parquet", "per_seed.csv", "curves.csv", "report.html")

def _run_seed(scenario, seed: int, firms: int | None, years: int | None,
              long_years: int) -> tuple[list[dict], pd.DataFrame]:
    from innocluster.model.engine import simulate

    res = simulate(scenario, seed=seed, years=years, firms=firms, firm_panel=True)
    long_res = simulate(scenario, seed=seed, years=max(long_years, years or scenario.years), firms=firms)
    run = SeedRun(scenario, seed, res.firm_panel, res.timeseries, long_res.timeseries)
    rows = []
    for fact in facts_for(scenario):
        e = fact.compute(run)
        rows.append({"fact": fact.key, "seed": seed, "value": e.value, "se": e.se, "n": e.n})
    return rows, seed_curves(run)


def _summary(values: np.ndarray) -> tuple[float, float, float]:
    v = values[np.isfinite(values)]
    if v.size == 0:
        return math.nan, math.nan, math.nan
    mean = float(v.mean())
    if v.size < 2:
        return mean, math.nan, math.nan
    half = float(stats.t.ppf(0.975, v.size - 1) * v.std(ddof=1) / math.sqrt(v.size))
    return mean, mean - half, mean + half


def validate(scenario, seeds: int | list[int] = 3, *, firms: int | None = None, years: int | None = None,
             long_years: int = LONG_YEARS, workers: int = 1,
             progress: Callable[[int], None] | None = None) -> ValidationResults:
    """The report card of ``scenario`` over ``seeds``.

    Parameters
    ----------
    scenario : Scenario or str
        A scenario or the name of a built-in one.
    seeds : int or list of int
        How many seeds (1, 2, ...), or the seeds themselves.
    firms, years : int, optional
        Initial firms and years of the runs (default: the scenario's).
    long_years : int
        Years of the long run the life-cycle facts read (at least the run's years).
    workers : int
        Processes running seeds side by side.
    progress : callable, optional
        Called with 1 after each seed.

    Returns
    -------
    ValidationResults
    """
    from innocluster.scenario import Scenario, load_scenario

    sc = load_scenario(scenario) if isinstance(scenario, str) else scenario
    if not isinstance(sc, Scenario):
        raise InputError(f"validate: scenario must be a Scenario or a scenario name, got {type(scenario).__name__}")
    seed_list = list(range(1, int(seeds) + 1)) if isinstance(seeds, int | np.integer) else [int(s) for s in seeds]
    if not seed_list:
        raise InputError(f"validate: seeds = {seeds!r}; give at least one seed")
    if workers < 1:
        raise InputError(f"validate: workers = {workers}; must be at least 1")
    if long_years < 1:
        raise InputError(f"validate: long_years = {long_years}; must be at least 1")
    rows: list[dict] = []
    curves: list[pd.DataFrame] = []
    pool = ProcessPoolExecutor(max_workers=workers) if workers > 1 else None
    try:
        if pool is None:
            done = (_run_seed(sc, s, firms, years, long_years) for s in seed_list)
        else:
            done = pool.map(_run_seed, [sc] * len(seed_list), seed_list, [firms] * len(seed_list),
                            [years] * len(seed_list), [long_years] * len(seed_list))
        for seed_rows, seed_curve in done:
            rows += seed_rows
            curves.append(seed_curve)
            if progress:
                progress(1)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)
    per_seed = pd.DataFrame(rows)
    targeted = _targeted_metrics(sc.name)
    out = []
    for fact in facts_for(sc):
        values = per_seed.loc[per_seed["fact"] == fact.key, "value"].to_numpy(dtype=float)
        mean, lo, hi = _summary(values)
        out.append({"fact": fact.key, "label": fact.label, "measure": fact.measure, "source": fact.source,
                    "low": fact.low, "high": fact.high, "published": fact.published, "unit": fact.unit,
                    "simulated": mean, "ci_low": lo, "ci_high": hi,
                    "holds": bool(np.isfinite(mean) and fact.low <= mean <= fact.high),
                    "seeds_measured": int(np.isfinite(values).sum()),
                    "calibration_target": fact.calibrated_metric in targeted,
                    "known_gap": "" if fact.low <= mean <= fact.high else known_gap(sc.name, fact.key)})
    return ValidationResults(sc.name, seed_list, pd.DataFrame(out), per_seed, pd.concat(curves, ignore_index=True))


def _targeted_metrics(name: str) -> set[str]:
    """The time-series metrics the shipped calibration targets of scenario ``name`` set."""
    from innocluster.calibration.targets import load_targets

    try:
        return {t.metric for t in load_targets(name).targets}
    except InputError:
        return set()


def _figure(res: ValidationResults) -> str:
    """One small panel per fact: the empirical range as a band, the seeds as dots, the
    mean and its interval as a bar. Returns a PNG as base64."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    t = res.table
    fig, axes = plt.subplots(len(t), 1, figsize=(7.5, 0.62 * len(t) + 0.4), squeeze=False)
    for ax, (_, row) in zip(axes[:, 0], t.iterrows()):
        vals = res.per_seed.loc[res.per_seed["fact"] == row["fact"], "value"].to_numpy(dtype=float)
        vals = vals[np.isfinite(vals)]
        finite = [v for v in (row["low"], row["high"], *vals, row["ci_low"], row["ci_high"]) if np.isfinite(v)]
        span = (max(finite) - min(finite)) or 1.0
        left, right = min(finite) - 0.15 * span, max(finite) + 0.15 * span
        high = row["high"] if np.isfinite(row["high"]) else right
        ax.axvspan(row["low"], high, color="#cfe8cf" if row["holds"] else "#f4d6d6", lw=0)
        ax.plot(vals, np.zeros_like(vals), "o", color="#555", ms=3)
        if np.isfinite(row["ci_low"]):
            ax.plot([row["ci_low"], row["ci_high"]], [0, 0], "-", color="#1f4e79", lw=2.5)
        if np.isfinite(row["simulated"]):
            ax.plot([row["simulated"]], [0], "|", color="#1f4e79", ms=14, mew=2)
        ax.set_xlim(left, right)
        ax.set_yticks([])
        ax.set_ylabel(row["fact"], rotation=0, ha="right", va="center", fontsize=8)
        ax.tick_params(axis="x", labelsize=7)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _curves_figure(res: ValidationResults) -> str:
    """The distributions behind the facts (:mod:`.curves`), one line per seed, with the
    card's empirical references drawn in. Returns a PNG as base64 ("" without curves)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    c = res.curves
    if c.empty:
        return ""
    ranges = res.table.set_index("fact")
    fig, axes = plt.subplots(2, 3, figsize=(11, 6.4))
    panels = [("rank_size", "Firm sizes (final year)", "employees", "rank", "log"),
              ("growth_density", "Growth rates", "log growth less its industry-year mean", "density", "semilogy"),
              ("survival", "Entrants alive", "age (years)", "share of the cohort", "linear"),
              ("hazard", "Exit hazard by age", "age (years; the last pools older firms)", "exit rate", "linear"),
              ("firms_economy", "Firms over the long run", "year", "firms", "linear"),
              ("tech_sd_cluster", "Heterogeneity of the cluster", "year", "technology sd", "linear")]
    for ax, (name, title, xlabel, ylabel, scale) in zip(axes.ravel(), panels):
        for seed, d in c[c["curve"] == name].groupby("seed"):
            ax.plot(d["x"], d["y"], "-", lw=1, color="#1f4e79", alpha=0.5 if name == "tech_sd_cluster" else 0.7,
                    label="seeds" if seed == res.seeds[0] else None)
        if name == "tech_sd_cluster":
            for seed, d in c[c["curve"] == "tech_sd_smoothed"].groupby("seed"):
                ax.plot(d["x"], d["y"], "-", lw=2, color="#b45f06", alpha=0.8,
                        label="9-year average (the hump reads it)" if seed == res.seeds[0] else None)
        if name == "firms_economy":
            for seed, d in c[c["curve"] == "firms_cluster"].groupby("seed"):
                ax.plot(d["x"], d["y"], "--", lw=1, color="#b45f06", alpha=0.7,
                        label="cluster regions" if seed == res.seeds[0] else None)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel(xlabel, fontsize=8)
        ax.set_ylabel(ylabel, fontsize=8)
        ax.tick_params(labelsize=7)
        if scale == "log":
            ax.set_xscale("log")
            ax.set_yscale("log")
        elif scale == "semilogy":
            ax.set_yscale("log")
    ax = axes[0, 0]
    first = c[(c["curve"] == "rank_size") & (c["seed"] == res.seeds[0])]
    if len(first) >= 2:  # Axtell's exponent through the first seed's firm at the edge of the fitted tail
        n_firms = float(first["y"].max())
        n = est.zipf_tail_size(int(n_firms))
        if n < n_firms:
            s0 = float(np.exp(np.interp(np.log(n), np.log(first["y"]), np.log(first["x"]))))
            s = np.geomspace(s0, float(first["x"].iloc[0]), 20)
            ax.plot(s, n * (s / s0) ** -1.06, ":", color="#b42318", lw=2, label="slope -1.06 (Axtell 2001)")
    ax = axes[0, 1]
    g = c[c["curve"] == "growth_density"]
    if not g.empty:  # a Laplace density with the simulated rates' standard deviation
        step = float(np.diff(np.sort(g["x"].unique()))[0]) if g["x"].nunique() > 1 else 1.0
        pooled = g.groupby("x")["y"].mean()
        sd = float(np.sqrt((pooled.index.to_numpy() ** 2 * pooled.to_numpy()).sum() * step))
        if sd > 0:
            x = pooled.index.to_numpy()
            a = sd / np.sqrt(2.0)
            ax.plot(x, np.exp(-np.abs(x) / a) / (2 * a), ":", color="#b42318", lw=2,
                    label="Laplace, same sd (Bottazzi & Secchi 2003)")
        ax.set_ylim(bottom=max(1e-4, float(g.loc[g["y"] > 0, "y"].min()) / 2) if (g["y"] > 0).any() else 1e-4)
        beyond = c.loc[c["curve"] == "growth_beyond_bins", "y"]
        if len(beyond):
            ax.text(0.02, 0.97, f"beyond ±3: {beyond.mean():.2%} of firm-years", transform=ax.transAxes,
                    fontsize=7, va="top")
    if "survival_5y" in ranges.index:
        row = ranges.loc["survival_5y"]
        axes[0, 2].vlines(5, row["low"], row["high"], color="#1a7f37", lw=6, alpha=0.5,
                          label="the card's range at five years")
        axes[0, 2].set_ylim(0, 1.02)
    for ax in axes.ravel():
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100)
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "&infin;" if v == INF else "-"
    return f"{v:.3g}"


def _html(res: ValidationResults) -> str:
    t = res.table
    rows = "".join(
        f"<tr class='{'ok' if r.holds else 'no'}'><td>{html.escape(r.label)}<br><small>{html.escape(r.measure)}</small></td>"
        f"<td>{_fmt(r.low)} &ndash; {_fmt(r.high)} {html.escape(r.unit)}<br><small>{html.escape(r.source)}</small></td>"
        f"<td>{_fmt(r.simulated)} [{_fmt(r.ci_low)}, {_fmt(r.ci_high)}]</td>"
        f"<td>{'holds' if r.holds else 'does not hold'}{' (a calibration target)' if r.calibration_target else ''}"
        f"{'<br><small>known gap: ' + html.escape(r.known_gap) + '</small>' if r.known_gap else ''}</td></tr>"
        for r in t.itertuples())
    held = int(t["holds"].sum())
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>Validation: {html.escape(res.scenario)}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto}}td,th{{border-bottom:1px solid #ddd;padding:6px;vertical-align:top}}
tr.ok td:last-child{{color:#1a7f37;font-weight:bold}}tr.no td:last-child{{color:#b42318;font-weight:bold}}small{{color:#555}}</style></head>
<body><h1>Validation report card: {html.escape(res.scenario)}</h1>
<p>{held} of {len(t)} stylised facts hold over seeds {', '.join(map(str, res.seeds))}. A fact holds when the mean over
seeds lies in the empirical range; the interval is the 95% interval of that mean. Each fact's estimator and source are
in <code>docs/validation.md</code>.</p>
<table><tr><th>fact</th><th>empirical range and source</th><th>simulated (95% interval)</th><th></th></tr>{rows}</table>
<h2>The facts at a glance</h2><p>Green or red band: the empirical range; dots: seeds; bar: the mean and its interval.</p>
<img alt="facts" src="data:image/png;base64,{_figure(res)}">{_curves_html(res)}</body></html>"""


def _curves_html(res: ValidationResults) -> str:
    png = _curves_figure(res)
    if not png:
        return ""
    return ("<h2>The distributions behind the facts</h2><p>One line per seed; their points are in "
            "<code>curves.csv</code>. Dotted red: a straight Pareto tail with Axtell's (2001) exponent 1.06 from the "
            "edge of the tail the exponent is fitted on (the largest tenth) and a Laplace density with the simulated "
            "rates' standard deviation; green: the card's survival range at five years; orange: the heterogeneity "
            "smoothed as the hump fact reads it. Firms: the whole economy (solid) and the cluster regions (dashed) over the long run the "
            "life-cycle facts read.</p>"
            f'<img alt="distributions" src="data:image/png;base64,{png}">')
