"""The web dashboard: ``innocluster dashboard [--port P]`` (Streamlit, localhost only).

Pages (one module each in :mod:`innocluster.dashboard.views`):

* **Scenario** — pick a built-in scenario, edit parameters, mechanisms and policy
  budget shares within the schema's ranges, save it as TOML;
* **Run** — simulate with a progress bar; time series per region, GVC stage shares,
  firm sizes, the trust network of a sample of firms, the paper's Figure 1 and the
  life-cycle stage band;
* **Compare policies** — two to five policy arms with common random numbers,
  intervals and a verdict table (:func:`innocluster.experiments.compare_arms`);
* **Monitor** — upload a firm panel or region x industry x year table and get
  indicators, the life-cycle stage, forecasts with bands and warnings;
* **Sweep** — parameters and ranges, a small Morris or Sobol design run through
  :func:`innocluster.experiments.sweep.run_sweep`, sensitivity indices with intervals;
* **Results** — downloads of this session's results and a browser for results stores.

``app.py`` is the Streamlit entry point; :mod:`~innocluster.dashboard.cli` adds the
``dashboard`` command. Chart builders (:mod:`~innocluster.dashboard.charts`) and upload
handling (:mod:`~innocluster.dashboard.uploads`) are plain functions, testable without
a browser. What the pages produce is kept in a session folder
(:mod:`~innocluster.dashboard.workspace`) and restored after a reload. See ``docs/dashboard.md``.
"""

from __future__ import annotations

from pathlib import Path

APP_PATH = Path(__file__).with_name("app.py")

__all__ = ["APP_PATH"]
