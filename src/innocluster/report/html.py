"""Helpers for self-contained HTML reports: figures embedded as base64 PNG."""

from __future__ import annotations

import base64
import io


def pyplot():
    """matplotlib.pyplot on the non-interactive Agg backend (reports run headless)."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    return plt


def fig_to_base64(fig, dpi: int = 90) -> str:
    """Render a figure to PNG, close it, and return the base64 text for an ``<img>``."""
    plt = pyplot()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")
