"""Figures of a simulation run: the overview panel and Figure 1 (cost curves)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from innocluster.atomic import atomic_write  # noqa: E402

STAGE_COLOURS = {"budding": "#cfe8cf", "growth": "#8fd18f", "maturity": "#f2d98c", "decline": "#f2a68c"}


def _save(fig, path) -> Path:
    path = Path(path)
    out = atomic_write(path, lambda p: fig.savefig(p, dpi=110, bbox_inches="tight", format=path.suffix.lstrip(".") or "png"))
    plt.close(fig)
    return out


def overview_figure(ts: pd.DataFrame, title: str = ""):
    """Six panels per region: firms, employment, patents, R&D and finance shares,
    technology, GVC stage shares; cluster life-cycle stages as background bands."""
    panels = [
        ("firms", "Firms"), ("employment", "Employment (persons)"), ("patents_new", "New patents"),
        (("share_rd_active", "share_with_patent", "share_credit_constrained"), "Shares of firms"),
        (("tech_mean",), "Mean technology (log productivity)"), ("gvc", "GVC stage shares (first cluster)"),
    ]
    fig, axes = plt.subplots(2, 3, figsize=(15, 8))
    regions = list(dict.fromkeys(ts["region"]))
    clusters = [r for r in regions if (ts.loc[ts["region"] == r, "kind"] == "cluster").any()] or regions
    for ax, (col, label) in zip(axes.ravel(), panels):
        if col == "gvc":
            sub = ts[ts["region"] == clusters[0]]
            gcols = [c for c in ts.columns if c.startswith("gvc_share_")]
            ax.stackplot(sub["year"], *[sub[c] for c in gcols], labels=[c.replace("gvc_share_", "") for c in gcols])
            ax.legend(fontsize=7, loc="upper left")
            ax.set_ylim(0, 1)
        else:
            cols = col if isinstance(col, tuple) else (col,)
            for r in regions:
                sub = ts[ts["region"] == r]
                for c in cols:
                    lab = r if len(cols) == 1 else f"{r}: {c.replace('share_', '')}"
                    ax.plot(sub["year"], sub[c], label=lab, lw=1.5 if r in clusters else 1.0,
                            ls="-" if r in clusters else "--")
            ax.legend(fontsize=7)
        if "lifecycle_stage" in ts.columns:
            sub = ts[ts["region"] == clusters[0]]
            for y, st in zip(sub["year"], sub["lifecycle_stage"]):
                ax.axvspan(y - 0.5, y + 0.5, color=STAGE_COLOURS.get(str(st), "#eeeeee"), alpha=0.25, lw=0)
        ax.set_title(label, fontsize=10)
        ax.grid(alpha=0.3)
    fig.suptitle(title + "  (background: life-cycle stage of " + clusters[0] + ")", fontsize=12)
    fig.tight_layout()
    return fig


def save_overview(ts: pd.DataFrame, path, title: str = "") -> Path:
    """Write the overview figure (PNG) atomically."""
    return _save(overview_figure(ts, title), path)


def cost_curves_figure(curves: pd.DataFrame, meta: dict):
    """Figure 1: average cost of the same SME outside and inside the cluster."""
    fig, ax = plt.subplots(figsize=(7, 5))
    for label, sub in curves.groupby("where", sort=False):
        ax.plot(sub["output"], sub["average_cost"], lw=2, label=label)
        i = int(np.argmin(sub["average_cost"].to_numpy()))
        ax.scatter([sub["output"].iloc[i]], [sub["average_cost"].iloc[i]], s=25)
    ax.set_xscale("log")
    ax.set_xlabel("Output Q (USD million per year)")
    ax.set_ylabel("Average cost per USD of output")
    ax.set_title("Figure 1: the same SME's average cost outside and inside the cluster")
    ax.text(0.02, 0.02, meta.get("note", ""), transform=ax.transAxes, fontsize=7, va="bottom")
    ax.legend()
    ax.grid(alpha=0.3, which="both")
    fig.tight_layout()
    return fig
