"""Figures of the paper report (matplotlib, Agg backend) as base64 PNG strings."""

from __future__ import annotations

import numpy as np
import pandas as pd

from innocluster.report.html import fig_to_base64, pyplot

STAGE_NAMES = ("budding", "growth", "maturity", "decline")
STAGE_COLOURS = ("#9ecae1", "#31a354", "#fdae6b", "#de2d26")


_png = fig_to_base64
_plt = pyplot

def bars(claim_result) -> str:
    """Arm means with 95 % intervals: one panel per (setting, tested outcome); the other
    outcomes are in the report's tables."""
    plt = _plt()
    panels = [(sr, oc) for sr in claim_result.settings
              for oc in dict.fromkeys(t.outcome for t in sr.setting.tests) or sr.setting.outcomes]
    ncol = min(3, len(panels))
    nrow = int(np.ceil(len(panels) / ncol))
    fig, axes = plt.subplots(nrow, ncol, figsize=(4.2 * ncol, 2.9 * nrow), squeeze=False)
    for ax, (sr, oc) in zip(axes.flat, panels):
        sub = sr.summary[sr.summary["outcome"] == oc]
        x = np.arange(len(sub))
        m = sub["mean"].to_numpy(dtype=float)
        err = np.vstack([m - sub["ci_low"].to_numpy(dtype=float), sub["ci_high"].to_numpy(dtype=float) - m])
        ax.bar(x, m, color="#6baed6", yerr=np.nan_to_num(err), capsize=4)
        ax.set_xticks(x, sub["arm"], rotation=20, ha="right", fontsize=8)
        ax.set_title(f"{oc}\n{sr.setting.label}", fontsize=8)
        ax.tick_params(axis="y", labelsize=8)
    for ax in list(axes.flat)[len(panels):]:
        ax.axis("off")
    fig.tight_layout()
    return _png(fig)


def figure1(claim_result, curves: pd.DataFrame | None) -> str:
    """Paper Figure 1 (average-cost curves inside vs outside, one replication) next to
    the bars of the claim."""
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4))
    if curves is not None:
        for where, sub in curves.groupby("where", sort=False):
            axes[0].plot(sub["output"], sub["average_cost"], label=where)
        axes[0].set_xscale("log")
        axes[0].set_xlabel("output Q, USD million")
        axes[0].set_ylabel("average cost per USD of output")
        axes[0].legend(fontsize=7)
        axes[0].set_title("Figure 1 from the model's cost functions (replication 0)", fontsize=8)
    rows = []
    for sr in claim_result.settings:
        oc = sr.setting.outcomes[0]
        for _, r in sr.summary[sr.summary["outcome"] == oc].iterrows():
            rows.append((f"{sr.setting.label}\n{r['arm']}", r["mean"], r["ci_low"], r["ci_high"]))
    y = np.arange(len(rows))
    m = np.array([r[1] for r in rows], dtype=float)
    err = np.vstack([m - np.array([r[2] for r in rows], dtype=float), np.array([r[3] for r in rows], dtype=float) - m])
    axes[1].barh(y, m, xerr=np.nan_to_num(err), color="#6baed6", capsize=3)
    axes[1].set_yticks(y, [r[0] for r in rows], fontsize=6)
    axes[1].set_xlim(left=min(0.0, float(np.nanmin(m)) * 0.9) if len(m) else 0)
    axes[1].set_title("average cost (late years) and Figure 1 minimum, mean and 95 % interval", fontsize=8)
    fig.tight_layout()
    return _png(fig)


def timeline(claim_result) -> str:
    """Share of replications in each life-cycle stage by year, and firms (mean, range)."""
    plt = _plt()
    sr = claim_result.settings[0]
    tl = sr.timeline
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.2))
    if tl is not None and not tl.empty:
        st = tl[tl["metric"] == "stage_code"].pivot_table(index="year", columns="rep", values="value")
        years = st.index.to_numpy()
        bottom = np.zeros(len(years))
        for code, (name, col) in enumerate(zip(STAGE_NAMES, STAGE_COLOURS)):
            share = (st == code).mean(axis=1).to_numpy()
            axes[0].bar(years, share, bottom=bottom, color=col, width=1.0, label=name)
            bottom += share
        axes[0].set_ylabel("share of replications")
        axes[0].set_title("monitor's stage (classify_stage) by year", fontsize=8)
        axes[0].legend(fontsize=7, ncol=4, loc="lower center")
        fi = tl[tl["metric"] == "firms"].pivot_table(index="year", columns="rep", values="value")
        axes[1].fill_between(fi.index, fi.min(axis=1), fi.max(axis=1), color="#c6dbef")
        axes[1].plot(fi.index, fi.mean(axis=1), color="#08519c")
        axes[1].set_ylabel("firms in the cluster")
        axes[1].set_title("firms: mean and range over replications", fontsize=8)
    fig.tight_layout()
    return _png(fig)


def detector(claim_result, flag_metric: str) -> str:
    """Share of replications the detector flags, by year, for every arm."""
    plt = _plt()
    fig, axes = plt.subplots(1, len(claim_result.settings), figsize=(5 * len(claim_result.settings), 3.0),
                             squeeze=False)
    for ax, sr in zip(axes.flat, claim_result.settings):
        tl = sr.timeline
        if tl is None:
            continue
        for arm, sub in tl[tl["metric"] == flag_metric].groupby("arm", sort=False):
            s = sub.groupby("year")["value"].mean()
            ax.plot(s.index - s.index.min(), s.to_numpy(), label=arm)
        ax.set_ylim(-0.05, 1.05)
        ax.set_xlabel("years since start")
        ax.set_ylabel(f"share flagged ({flag_metric})")
        ax.set_title(sr.setting.label, fontsize=8)
        ax.legend(fontsize=7)
    fig.tight_layout()
    return _png(fig)
