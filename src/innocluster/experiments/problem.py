"""The parameters of a sweep: dotted override paths with bounds.

A parameter is given as ``NAME=LOW:HIGH`` where ``NAME`` is any ``--set`` path of the
scenario (``innovation.zeta1``, ``regions.hsinchu.budget``,
``government.shares.direct_subsidy``). The collection is a :class:`Problem`, whose
:meth:`Problem.as_salib` is the plain SALib problem dictionary
``{"num_vars", "names", "bounds"}``.

Both bounds are checked against the scenario schema before anything runs, so a sweep
never discovers half-way that its upper bound is out of range. Integer-valued fields
(``exit.grace_years``) are flagged and their samples rounded to the nearest integer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from innocluster.errors import InputError
from innocluster.scenario.io import value_at


@dataclass(frozen=True)
class Problem:
    """Names, bounds and integer flags of the swept parameters.

    Attributes
    ----------
    names : tuple of str
        Dotted override paths.
    bounds : tuple of (float, float)
        Lower and upper bound of each parameter.
    integer : tuple of bool
        Whether the scenario field is an integer (samples are rounded).
    """

    names: tuple[str, ...]
    bounds: tuple[tuple[float, float], ...]
    integer: tuple[bool, ...] = field(default=())

    def __post_init__(self):
        if not self.integer:
            object.__setattr__(self, "integer", (False,) * len(self.names))
        if not (len(self.names) == len(self.bounds) == len(self.integer)):
            raise InputError("problem: names, bounds and integer flags must have the same length")
        if len(set(self.names)) != len(self.names):
            dup = sorted({n for n in self.names if self.names.count(n) > 1})
            raise InputError(f"params: {dup[0]} is given more than once", param="params")

    @property
    def num_vars(self) -> int:
        return len(self.names)

    def as_salib(self) -> dict:
        """The SALib problem dictionary ``{"num_vars", "names", "bounds"}``."""
        return {"num_vars": self.num_vars, "names": list(self.names), "bounds": [list(b) for b in self.bounds]}

    def to_dict(self) -> dict:
        return {"names": list(self.names), "bounds": [list(b) for b in self.bounds], "integer": list(self.integer)}

    @classmethod
    def from_dict(cls, d: dict) -> Problem:
        return cls(tuple(d["names"]), tuple((float(lo), float(hi)) for lo, hi in d["bounds"]),
                   tuple(bool(x) for x in d.get("integer", [False] * len(d["names"]))))

    def overrides(self, row: Sequence[float]) -> list[str]:
        """``--set`` strings for one design row (``repr`` keeps floats exact)."""
        out = []
        for name, value, is_int in zip(self.names, row, self.integer):
            out.append(f"{name}={int(round(value))}" if is_int else f"{name}={float(value)!r}")
        return out


_lookup = value_at  # dotted-path lookup shared with the scenario module


def parse_param(text: str) -> tuple[str, float, float]:
    """Split ``NAME=LOW:HIGH`` into its parts (no scenario check)."""
    if "=" not in text or ":" not in text.split("=", 1)[1]:
        raise InputError(f"params {text!r}: expected NAME=LOW:HIGH, e.g. innovation.zeta1=0.02:0.2", param="params")
    name, rng = text.split("=", 1)
    name = name.strip()
    lo_s, hi_s = rng.split(":", 1)
    try:
        lo, hi = float(lo_s), float(hi_s)
    except ValueError:
        raise InputError(f"params {text!r}: bounds must be numbers, e.g. {name}=0.02:0.2", param="params") from None
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise InputError(f"params {text!r}: bounds must be finite numbers", param="params")
    if not lo < hi:
        raise InputError(f"params {text!r}: LOW must be below HIGH (got {lo:g} >= {hi:g})", param="params")
    if not name:
        raise InputError(f"params {text!r}: missing parameter name before '='", param="params")
    return name, lo, hi


def parse_params(specs: Iterable[str], scenario=None) -> Problem:
    """Build a :class:`Problem` from ``NAME=LOW:HIGH`` strings.

    Parameters
    ----------
    specs : iterable of str
        One ``NAME=LOW:HIGH`` per parameter.
    scenario : Scenario, optional
        When given, each name must be a numeric field of this scenario and both bounds
        must pass its validation; integer fields are flagged.

    Raises
    ------
    InputError
        Malformed spec, unknown field, non-numeric field or bound out of range.
    """
    names, bounds, integer = [], [], []
    specs = list(specs)
    if not specs:
        raise InputError("params: give at least one parameter, e.g. 'innovation.zeta1=0.02:0.2'", param="params")
    dump = scenario.model_dump(mode="python") if scenario is not None else None
    for text in specs:
        name, lo, hi = parse_param(text)
        is_int = False
        if scenario is not None:
            from innocluster.scenario import apply_overrides

            current = _lookup(dump, name)
            if isinstance(current, bool) or isinstance(current, (str, list, dict)):
                raise InputError(f"params {name}: not a numeric parameter (current value {current!r}); "
                                 f"switch booleans and choices with overrides or policy arms instead", param="params")
            is_int = isinstance(current, int)
            if is_int and (lo != int(lo) or hi != int(hi)):
                raise InputError(f"params {text!r}: {name} is an integer parameter; give integer bounds", param="params")
            for bound in (lo, hi):
                value = int(bound) if is_int else bound
                apply_overrides(scenario, [f"{name}={value!r}"], source="params")
        names.append(name)
        bounds.append((lo, hi))
        integer.append(is_int)
    return Problem(tuple(names), tuple(bounds), tuple(integer))
