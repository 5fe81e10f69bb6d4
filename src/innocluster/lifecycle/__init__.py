"""Cluster life cycle: stage classification (Menzel & Fornahl 2010), lock-in and
race-to-the-bottom detectors, and growth-curve forecasts (logistic, Gompertz, Bass).

Depends on nothing of the simulation model: every function reads per-year data.
"""

from innocluster.lifecycle.detectors import (
    NO_WARNING,
    NOT_JUDGED,
    SIGNAL_COLUMNS,
    WARNING,
    WARNING_STATES,
    DetectorResult,
    DetectorThresholds,
    expanding_warnings,
    lock_in,
    race_to_the_bottom,
)
from innocluster.lifecycle.forecast import (
    FITTERS,
    ForecastResult,
    bass_cumulative,
    fit_bass,
    fit_gompertz,
    fit_logistic,
    gompertz,
    logistic,
)
from innocluster.lifecycle.stages import (
    DECLINE,
    EMERGENCE,
    GROWTH,
    MATURITY,
    STAGES,
    StageThresholds,
    classify_stage,
    stage_arrays,
    stage_signals,
)

__all__ = [
    "DECLINE",
    "EMERGENCE",
    "FITTERS",
    "GROWTH",
    "MATURITY",
    "NOT_JUDGED",
    "NO_WARNING",
    "SIGNAL_COLUMNS",
    "STAGES",
    "WARNING",
    "WARNING_STATES",
    "DetectorResult",
    "DetectorThresholds",
    "ForecastResult",
    "StageThresholds",
    "bass_cumulative",
    "classify_stage",
    "expanding_warnings",
    "fit_bass",
    "fit_gompertz",
    "fit_logistic",
    "gompertz",
    "lock_in",
    "logistic",
    "race_to_the_bottom",
    "stage_arrays",
    "stage_signals",
]
