"""Calibration targets: observed facts as functions of a run's time series.

A targets file (TOML) names the scenario, the simulation settings, the facts and the
free parameters::

    scenario = "hsinchu"
    replications = 6        # per candidate (common random numbers across candidates)
    seed = 2024             # root of the replication seeds

    [[targets]]
    name = "patents_2003"
    metric = "patents_new"  # a column of the time series
    region = "hsinchu"      # a region, or "all" (firm-weighted for shares, summed for counts)
    year = 2003
    kind = "level"          # level | growth (on the year before) | share_of_total (over regions)
                            # | ratio (over another count, `denominator`, in `denominator_year`)
    value = 3026
    tolerance = 600         # the test accepts |simulated mean - value| <= tolerance
    source = "Paper: Hsinchu had 3026 patents in 2003"

    [[targets]]             # five-year survival of the firms that entered in 2004
    name = "survival_5y_2009"
    metric = "survivors_5y"
    kind = "ratio"
    denominator = "entries"
    denominator_year = 2004
    year = 2009
    value = 0.5
    tolerance = 0.1

    [[parameters]]
    name = "innovation.zeta1"   # any --set path
    low = 0.01
    high = 1.0

Every target reduces to scalar outcomes ``METRIC@YEAR@REGION`` of
:mod:`innocluster.experiments.outcomes`, computed in the worker processes, and a
formula combining them (:meth:`Target.moment`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from innocluster.errors import InputError

#: Metrics that are counts or money (summed over regions for region = "all");
#: everything else is a rate or share (weighted by firms).
ADDITIVE = {
    "firms", "firms_sme", "firms_mne", "entries", "startups", "spinoffs", "mne_arrivals", "exits",
    "relocations_in", "relocations_out", "employment", "revenue", "value_added", "exports", "rd_spend",
    "patents_new", "patents_cum", "vc_invested", "upgrades", "gov_spend_total", "survivors_5y",
}


class _Strict(BaseModel):
    # misspelled keys and values of the wrong type ("yes" for a switch) are errors
    model_config = ConfigDict(extra="forbid", strict=True)


class Target(_Strict):
    """One observed fact."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_\-]+$")
    metric: str = Field(min_length=1)
    region: str = Field("all", min_length=1)
    year: int | Literal["last", "first"] = "last"
    kind: Literal["level", "growth", "share_of_total", "ratio"] = "level"
    denominator: str | None = Field(None, min_length=1, description="kind 'ratio': the count divided by")
    denominator_year: int | None = Field(None, description="kind 'ratio': the denominator's year (default: year)")
    value: float
    tolerance: float = Field(gt=0, description="accepted absolute deviation of the simulated mean")
    weight: float = Field(1.0, ge=0)
    source: str = ""

    @model_validator(mode="after")
    def _check(self):
        if self.kind == "growth" and not isinstance(self.year, int):
            raise ValueError(f"target {self.name!r}: kind 'growth' needs a calendar year")
        if self.kind == "share_of_total" and self.region == "all":
            raise ValueError(f"target {self.name!r}: kind 'share_of_total' needs a region")
        if (self.kind == "ratio") != (self.denominator is not None):
            raise ValueError(f"target {self.name!r}: kind 'ratio' and 'denominator' go together")
        if self.denominator_year is not None and self.kind != "ratio":
            raise ValueError(f"target {self.name!r}: 'denominator_year' needs kind 'ratio'")
        if self.kind == "ratio":
            if not isinstance(self.year, int):
                raise ValueError(f"target {self.name!r}: kind 'ratio' needs a calendar year")
            for m in (self.metric, self.denominator):
                if m not in ADDITIVE:
                    raise ValueError(f"target {self.name!r}: kind 'ratio' divides counts or money; {m!r} is "
                                     f"not one (allowed: {', '.join(sorted(ADDITIVE))})")
        return self

    @property
    def _denominator_year(self):
        return self.year if self.denominator_year is None else self.denominator_year

    def outcomes(self, regions: list[str]) -> list[str]:
        """Names of the scalar outcomes this target needs."""
        years = [self.year] + ([self.year - 1] if self.kind == "growth" else [])
        if self.region == "all" or self.kind == "share_of_total":
            regs = regions
        else:
            regs = [self.region]
        names = [f"{self.metric}@{y}@{r}" for y in years for r in regs]
        if self.region == "all" and self.metric not in ADDITIVE:
            names += [f"firms@{y}@{r}" for y in years for r in regs]
        if self.kind == "ratio":
            names += [f"{self.denominator}@{self._denominator_year}@{r}" for r in regs]
        return names

    def _level(self, v: dict, year, regions: list[str], metric: str | None = None) -> float:
        metric = metric or self.metric
        if self.region != "all":
            return v[f"{metric}@{year}@{self.region}"]
        vals = [v[f"{metric}@{year}@{r}"] for r in regions]
        if metric in ADDITIVE:
            return float(sum(vals))
        w = [v[f"firms@{year}@{r}"] for r in regions]
        return float(sum(a * b for a, b in zip(vals, w)) / sum(w)) if sum(w) > 0 else math.nan

    def moment(self, values: dict, regions: list[str]) -> float:
        """The simulated counterpart of the fact, from one run's outcome scalars."""
        if self.kind == "level":
            return self._level(values, self.year, regions)
        if self.kind == "growth":
            now, before = self._level(values, self.year, regions), self._level(values, self.year - 1, regions)
            return now / before - 1.0 if before > 0 else math.nan
        if self.kind == "ratio":
            den = self._level(values, self._denominator_year, regions, self.denominator)
            return self._level(values, self.year, regions) / den if den > 0 else math.nan
        total = sum(values[f"{self.metric}@{self.year}@{r}"] for r in regions)
        return values[f"{self.metric}@{self.year}@{self.region}"] / total if total > 0 else math.nan


class Parameter(_Strict):
    """A free parameter and its search range (a ``--set`` path)."""

    name: str = Field(min_length=1)
    low: float
    high: float
    log: bool = Field(False, description="search on a log scale (for rates spanning orders of magnitude)")

    @model_validator(mode="after")
    def _check(self):
        if not self.low < self.high:
            raise ValueError(f"parameter {self.name!r}: low must be below high")
        if self.log and self.low <= 0:
            raise ValueError(f"parameter {self.name!r}: a log-scale range needs low > 0")
        return self


class TargetsFile(_Strict):
    """A complete calibration problem."""

    scenario: str
    description: str = ""
    replications: int = Field(6, ge=1, le=1000)
    seed: int = Field(2024, ge=0)
    years: int | None = Field(None, ge=1, le=500)
    firms: int | None = Field(None, ge=1)
    initial_design: int = Field(24, ge=0, le=10_000, description="Latin-hypercube candidates before the local search")
    max_evaluations: int = Field(80, ge=1, le=100_000, description="candidates evaluated by the adaptive search")
    round_size: int = Field(12, ge=2, le=10_000, description="candidates per round of the adaptive search")
    finalists: int = Field(4, ge=1, le=100, description="best candidates re-evaluated on fresh seeds")
    targets: list[Target] = Field(min_length=1)
    parameters: list[Parameter] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self):
        names = [t.name for t in self.targets]
        if len(set(names)) != len(names):
            raise ValueError("target names must be unique")
        pnames = [p.name for p in self.parameters]
        if len(set(pnames)) != len(pnames):
            raise ValueError("parameter names must be unique")
        return self


def load_targets(path: str | Path) -> TargetsFile:
    """Read and validate a targets file (one-line :class:`InputError` on any problem)."""
    p = Path(path)
    if not p.exists():
        from innocluster.scenario.io import targets_dir

        builtin = targets_dir() / f"{path}.toml"
        if builtin.exists():
            p = builtin
        else:
            raise InputError(f"{p}: targets file not found")
    if p.is_dir():
        raise InputError(f"{p}: is a folder; give a targets .toml file")
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot read file: {exc.strerror or exc}") from None
    from innocluster.scenario.io import read_toml_text

    data = read_toml_text(raw, p)
    try:
        tf = TargetsFile.model_validate(data)
    except ValidationError as err:
        e = err.errors()[0]
        loc = ".".join(str(x) for x in e.get("loc", ()))
        msg = e.get("msg", "invalid").removeprefix("Value error, ")
        raise InputError(f"{p}: {loc or '(file)'}: {msg}") from None
    return tf
