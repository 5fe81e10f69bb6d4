"""Scalar outcomes of a run: ``METRIC@YEAR`` or ``METRIC@YEAR@REGION``.

* ``METRIC`` is a numeric column of the run's time series (``patents_per_firm``,
  ``firms``, ``employment``, ``share_credit_constrained``, ``tech_mean`` …; see
  ``innocluster run`` output or docs/model.md, "Design concepts", observation).
* ``YEAR`` is a calendar year within the simulated span, or ``last`` / ``first``.
* ``REGION`` is a region name; without it the scenario's first region (by convention
  the cluster) is meant.

Examples: ``patents_per_firm@2009``, ``firms@last``, ``firms@last@periphery``.

The canonical name (:attr:`Outcome.name`) always spells the region out, so
``firms@last`` in a ``hsinchu`` sweep is stored as ``firms@last@hsinchu``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pandas as pd

from innocluster.errors import InputError

_SYNTAX = "METRIC@YEAR[@REGION], e.g. patents_per_firm@2009 or firms@last@periphery"
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Outcome:
    """One scalar read off a run's time series.

    Attributes
    ----------
    metric : str
        Column of the time series.
    year : int or str
        Calendar year, ``"last"`` or ``"first"``.
    region : str
        Region name.
    """

    metric: str
    year: int | str
    region: str

    @property
    def name(self) -> str:
        return f"{self.metric}@{self.year}@{self.region}"

    def value(self, ts: pd.DataFrame) -> float:
        """The outcome of one run's time series (NaN if that region-year has no row)."""
        if self.year == "last":
            year = ts["year"].max()
        elif self.year == "first":
            year = ts["year"].min()
        else:
            year = self.year
        sel = ts.loc[(ts["year"] == year) & (ts["region"] == self.region), self.metric]
        return float(sel.iloc[0]) if len(sel) else math.nan


def parse_outcome(text: str, regions: Sequence[str] | None = None, years: tuple[int, int] | None = None,
                  metrics: Iterable[str] | None = None) -> Outcome:
    """Parse ``METRIC@YEAR[@REGION]`` and check it against the scenario.

    Parameters
    ----------
    text : str
    regions : sequence of str, optional
        Region names of the scenario; the first is the default region.
    years : (int, int), optional
        First and last simulated year.
    metrics : iterable of str, optional
        Numeric columns of the time series.

    Raises
    ------
    InputError
        Bad syntax, unknown metric or region, or a year outside the simulated span.
    """
    parts = text.strip().split("@")
    if len(parts) not in (2, 3) or not all(parts):
        raise InputError(f"outcomes {text!r}: expected {_SYNTAX}", param="outcomes")
    metric, year_s = parts[0], parts[1]
    if not _NAME.match(metric):
        raise InputError(f"outcomes {text!r}: {metric!r} is not a metric name; expected {_SYNTAX}", param="outcomes")
    if metrics is not None:
        metrics = list(metrics)
        if metric not in metrics:
            close = [m for m in metrics if metric.split("_")[0] in m][:6] or metrics[:6]
            raise InputError(f"outcomes {text!r}: unknown metric {metric!r}; numeric columns include "
                             f"{', '.join(close)} (see `innocluster run` timeseries.parquet)", param="outcomes")
    year: int | str
    if year_s in ("last", "first"):
        year = year_s
    else:
        try:
            year = int(year_s)
        except ValueError:
            raise InputError(f"outcomes {text!r}: year {year_s!r} must be a calendar year, 'last' or 'first'", param="outcomes") from None
        if years is not None and not years[0] <= year <= years[1]:
            raise InputError(f"outcomes {text!r}: year {year} is outside the simulated years "
                             f"{years[0]}-{years[1]}", param="outcomes")
    if len(parts) == 3:
        region = parts[2]
        if regions is not None and region not in regions:
            raise InputError(f"outcomes {text!r}: unknown region {region!r}; have {', '.join(regions)}", param="outcomes")
    else:
        if not regions:
            raise InputError(f"outcomes {text!r}: give the region, {_SYNTAX}", param="outcomes")
        region = regions[0]
    return Outcome(metric, year, region)


def parse_outcomes(texts: Iterable[str], scenario=None, years: int | None = None) -> list[Outcome]:
    """Parse several outcomes against a scenario (its regions, simulated years, metrics).

    ``years`` overrides the scenario's number of years. Duplicates are dropped.
    """
    texts = list(texts)
    regions = span = metrics = None
    if scenario is not None:
        regions = [r.name for r in scenario.regions]
        n = scenario.years if years is None else years
        span = (scenario.start_year, scenario.start_year + n - 1)
        metrics = timeseries_metrics(scenario) if texts else None
    out: list[Outcome] = []
    for t in texts:
        o = parse_outcome(t, regions, span, metrics)
        if o not in out:
            out.append(o)
    return out


_METRIC_CACHE: dict[str, list[str]] = {}


def timeseries_metrics(scenario) -> list[str]:
    """Numeric columns of the scenario's time series.

    The engine has no static column list, so a two-year run of 20 firms is probed once
    per scenario (cached); this also proves the scenario runs before a sweep starts.
    """
    key = scenario.model_dump_json()
    if key not in _METRIC_CACHE:
        from innocluster.model.engine import simulate

        ts = simulate(scenario, seed=0, years=2, firms=20).timeseries
        cols = [c for c in ts.columns if c != "year" and pd.api.types.is_numeric_dtype(ts[c])
                and not pd.api.types.is_bool_dtype(ts[c])]
        cols += [c for c in ts.columns if pd.api.types.is_bool_dtype(ts[c])]  # flags as 0/1
        _METRIC_CACHE[key] = cols
    return _METRIC_CACHE[key]
