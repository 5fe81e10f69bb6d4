"""The engine reproduces reference runs, number for number.

``tests/data/engine_reference_v4.csv`` holds every numeric output of four short runs —
the core rules; Hsinchu with finance, VC, relocation and multinationals; Pinghu;
Hsinchu with five regions, one of them starting empty (more regions than the compiled
per-region totals keep in registers) — written by ``tests/data/make_engine_reference.py``.
Any change to a formula, to the order of the random draws or to the order of a sum
shows here (the CSV keeps 17 significant digits, which round-trips a float64 exactly).

History: the first reference (commit 2916778) was written by the NumPy engine before
its kernels were compiled, and the compiled engine reproduced it exactly until
2026-11-27, when tie decay, tie formation and absorption candidates began to draw
event by event (the same rules and distributions, another
random stream), and twice more that day (v3: swap-remove exits, Poisson inversion,
entrants' compiled draws; v4: one uniform per absorption candidate slot, sums in row
order in compiled passes, the SFC64 generator); each time the calibrated scenarios were recalibrated and
the file rewritten. A change that alters results on purpose regenerates it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pandas as pd

DATA = Path(__file__).parent / "data"


def _maker():
    spec = importlib.util.spec_from_file_location("make_engine_reference", DATA / "make_engine_reference.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_engine_reproduces_reference_runs_exactly():
    ref = pd.read_csv(DATA / "engine_reference_v4.csv")
    now = _maker().reference_frame()
    assert list(now.columns) == list(ref.columns)
    assert now.shape == ref.shape
    assert (now["scenario"] == ref["scenario"]).all() and (now["region"] == ref["region"]).all()
    assert set(ref["scenario"]) == {"core", "hsinchu", "pinghu", "five-regions"}
    assert ref.loc[ref["scenario"] == "five-regions", "region"].nunique() == 5
    for col in ref.select_dtypes("number").columns:
        assert np.array_equal(now[col].to_numpy(float), ref[col].to_numpy(float), equal_nan=True), col
