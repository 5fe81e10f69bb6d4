"""Write ``engine_reference_<version>.csv``: every numeric output of short runs of four scenarios.

``tests/test_engine_reference.py`` checks that the current engine reproduces them.
Regenerate the file only when a change to the model's results is intended (a rule, or
the order of the random draws), after recalibrating the calibrated scenarios, and say
why in the test's docstring::

    python tests/data/make_engine_reference.py tests/data/engine_reference_v13.csv
"""

from __future__ import annotations

import sys

import pandas as pd

from innocluster import load_scenario, simulate

CASES = [("core", 11, 12, 1500), ("hsinchu", 12, 12, 600), ("pinghu", 13, 10, 600), ("five-regions", 14, 10, 800)]


def five_regions():
    """Hsinchu with three more peripheral regions, one of them starting empty."""
    from innocluster.scenario.schema import Scenario

    d = load_scenario("hsinchu").model_dump()
    extra = []
    for i, firms in enumerate((300, 0, 150)):
        r = dict(d["regions"][-1])
        r.update(name=f"periphery{i + 2}", initial_firms=firms, x=r["x"] + 40.0 * (i + 1))
        extra.append(r)
    d["regions"] = d["regions"] + extra
    d["name"] = "five-regions"
    return Scenario.model_validate(d)


def reference_frame() -> pd.DataFrame:
    frames = []
    for name, seed, years, firms in CASES:
        sc = five_regions() if name == "five-regions" else load_scenario(name)
        ts = simulate(sc, seed=seed, years=years, firms=firms).timeseries
        t = ts.select_dtypes("number").copy()  # every numeric output column
        t.insert(0, "region", ts["region"])
        t.insert(0, "seed", seed)
        t.insert(0, "scenario", name)
        frames.append(t)
    return pd.concat(frames, ignore_index=True)


if __name__ == "__main__":
    reference_frame().to_csv(sys.argv[1], index=False, float_format="%.17g")
