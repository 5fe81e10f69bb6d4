"""From an estimated effect and its 95 % interval to a verdict.

The rule, for an effect ``d`` with interval ``[lo, hi]`` whose predicted sign is
``direction`` (+1: the paper predicts an increase, -1: a decrease):

* **supported** — the interval excludes zero on the predicted side
  (``direction * lo > 0`` and ``direction * hi > 0``);
* **not supported** — the interval excludes zero on the other side, or the whole
  interval lies within ``+/- negligible`` (an effect too small to matter, measured
  precisely);
* **depends** — anything else: the interval straddles zero and is too wide to call
  the effect negligible, or the effect could not be estimated.

A claim tested in several settings (e.g. several selection accuracies) or on several
outcomes is *supported* only when every test is, *not supported* when every test is
not supported, and *depends* otherwise (:func:`combine_verdicts`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

SUPPORTED, NOT_SUPPORTED, DEPENDS = "supported", "not supported", "depends"
VERDICTS = (SUPPORTED, NOT_SUPPORTED, DEPENDS)


def verdict(effect: float, ci_low: float, ci_high: float, direction: int, negligible: float = 0.0) -> str:
    """Verdict on one effect.

    Parameters
    ----------
    effect : float
        Point estimate (e.g. the mean paired difference arm - baseline).
    ci_low, ci_high : float
        The 95 % interval of ``effect``.
    direction : {1, -1}
        Predicted sign of the effect.
    negligible : float
        Half-width of the band of effects too small to matter (>= 0).

    Returns
    -------
    str
        ``"supported"``, ``"not supported"`` or ``"depends"``.

    Examples
    --------
    >>> verdict(0.3, 0.1, 0.5, +1)
    'supported'
    >>> verdict(-0.3, -0.5, -0.1, +1)
    'not supported'
    >>> verdict(0.001, -0.002, 0.004, +1, negligible=0.01)
    'not supported'
    >>> verdict(0.1, -0.2, 0.4, +1, negligible=0.01)
    'depends'
    """
    if direction not in (1, -1):
        raise ValueError(f"direction must be +1 or -1, got {direction!r}")
    if negligible < 0:
        raise ValueError(f"negligible must be >= 0, got {negligible!r}")
    vals = (effect, ci_low, ci_high)
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in vals):
        return DEPENDS
    lo, hi = min(ci_low, ci_high), max(ci_low, ci_high)
    if direction * lo > 0 and direction * hi > 0:
        return SUPPORTED
    if direction * lo < 0 and direction * hi < 0:
        return NOT_SUPPORTED
    if -negligible <= lo and hi <= negligible and negligible > 0:
        return NOT_SUPPORTED
    return DEPENDS


def combine_verdicts(verdicts: Iterable[str]) -> str:
    """One verdict from several tests: unanimous, or ``"depends"``.

    Examples
    --------
    >>> combine_verdicts(["supported", "supported"])
    'supported'
    >>> combine_verdicts(["supported", "not supported"])
    'depends'
    """
    vs = list(verdicts)
    bad = [v for v in vs if v not in VERDICTS]
    if bad:
        raise ValueError(f"unknown verdict {bad[0]!r}")
    if not vs:
        return DEPENDS
    if all(v == SUPPORTED for v in vs):
        return SUPPORTED
    if all(v == NOT_SUPPORTED for v in vs):
        return NOT_SUPPORTED
    return DEPENDS
