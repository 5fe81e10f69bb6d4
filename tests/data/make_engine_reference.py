"""Write ``engine_reference_<commit>.csv``: key outputs of short runs of three scenarios.

``tests/test_engine_reference.py`` checks that the current engine reproduces them.
The file in the repository was written by the engine at commit 2916778 — the last
one before the engine's compiled kernels (issue 6) — so the test shows that the
optimisation changed no result. Regenerate it (and rename it) only when a change
to the model's rules is intended::

    python tests/data/make_engine_reference.py tests/data/engine_reference_<commit>.csv
"""

from __future__ import annotations

import sys

import pandas as pd

from innocluster import load_scenario, simulate

CASES = [("core", 11, 12, 1500), ("hsinchu", 12, 12, 600), ("pinghu", 13, 10, 600)]
COLUMNS = ["year", "region", "firms", "entries", "exits", "employment", "revenue", "patents_new", "patents_cum",
           "tech_mean", "tech_sd", "share_rd_active", "share_credit_constrained", "network_density", "size_gini",
           "tech_entropy", "mean_alpha", "absorption_success_rate", "avg_cost"]


def reference_frame() -> pd.DataFrame:
    frames = []
    for name, seed, years, firms in CASES:
        ts = simulate(load_scenario(name), seed=seed, years=years, firms=firms).timeseries
        t = ts[COLUMNS].copy()
        t.insert(0, "scenario", name)
        t.insert(1, "seed", seed)
        frames.append(t)
    return pd.concat(frames, ignore_index=True)


if __name__ == "__main__":
    reference_frame().to_csv(sys.argv[1], index=False, float_format="%.17g")
