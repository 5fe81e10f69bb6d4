"""The engine reproduces reference runs, number for number.

``tests/data/engine_reference_v13.csv`` holds every numeric output of four short runs —
the core rules; Hsinchu with finance, VC, relocation and multinationals; Pinghu;
Hsinchu with five regions, one of them starting empty — written by
``tests/data/make_engine_reference.py``. Any change to a formula, to the random draws
of a mechanism or to the order of a sum shows here (the CSV keeps 17 significant
digits, which round-trips a float64 exactly). A change that alters results on purpose
recalibrates the calibrated scenarios with the commands in their headers, then
rewrites the file under a new version number; docs/performance.md says what each
version changed.
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
    ref = pd.read_csv(DATA / "engine_reference_v13.csv")
    now = _maker().reference_frame()
    assert list(now.columns) == list(ref.columns)
    assert now.shape == ref.shape
    assert (now["scenario"] == ref["scenario"]).all() and (now["region"] == ref["region"]).all()
    assert set(ref["scenario"]) == {"core", "hsinchu", "pinghu", "five-regions"}
    assert ref.loc[ref["scenario"] == "five-regions", "region"].nunique() == 5
    for col in ref.select_dtypes("number").columns:
        assert np.array_equal(now[col].to_numpy(float), ref[col].to_numpy(float), equal_nan=True), col
