"""Growth-curve forecasts: logistic, Gompertz and Bass, fitted with
:func:`scipy.optimize.curve_fit` (bounded trust-region least squares).

Each fit returns a :class:`ForecastResult` with parameters, standard errors (from
the least-squares covariance, residual variance estimated), the saturation level, the
peak time (when growth is fastest) and ``predict(t)`` with **delta-method**
intervals: ``Var f(t) = J(t) Cov(theta) J(t)^T`` with the Jacobian ``J`` taken by
central differences; ``kind="prediction"`` adds the residual variance. Intervals
are normal (``z`` quantile).

A bad fit never returns numbers silently: ``ok`` is False and ``message`` says why.
A fit is rejected when

* there are too few points, the series is constant, or the optimiser does not converge;
* a parameter sits at its bound;
* the covariance is not finite, or a parameter's **standard error is zero or not
  finite**: the gradient of the curve is singular at the optimum, so the data do not
  pin that parameter down (the case R's ``nls`` stops on with "singular gradient");
* the standard error of a scale or rate parameter (``K``, ``r``, ``c``, ``m``,
  ``p``, ``q``) is **larger than the estimate** itself (the data cannot tell it from
  zero, or from twice its value);
* the **inflection** (the time of fastest growth: ``t0``, ``tm``, Bass's peak of
  adoptions) lies **outside the observed years**. The three curves describe a stock
  that only grows; their shape is identified only when the data show the bend, and an
  inflection before the first or after the last year is an extrapolation of the
  curve, not an estimate from the data (a falling series fitted with a rising curve
  typically lands its inflection before the data with standard errors of zero);
* the saturation is below the last observation.

Every reason that applies is listed in ``message``. ``predict`` then raises.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, stats

from innocluster.errors import InputError


def logistic(t, K, r, t0):
    r"""Logistic curve ``K / (1 + exp(-r (t - t0)))``; inflection (peak growth) at ``t0``."""
    return K / (1.0 + np.exp(-r * (np.asarray(t, dtype=float) - t0)))


def gompertz(t, K, c, tm):
    r"""Gompertz curve ``K exp(-exp(-c (t - tm)))``; inflection (peak growth) at ``tm``,
    where the level is ``K / e``."""
    return K * np.exp(-np.exp(-c * (np.asarray(t, dtype=float) - tm)))


def bass_cumulative(t, m, p, q):
    r"""Cumulative adopters of the Bass (1969) diffusion model, ``t`` from launch.

    .. math:: N(t) = m \frac{1 - e^{-(p+q)t}}{1 + (q/p) e^{-(p+q)t}}

    ``p`` = coefficient of innovation, ``q`` = of imitation, ``m`` = market potential.
    Adoptions per period peak at ``t* = ln(q/p) / (p + q)`` when ``q > p``.

    Source: Bass, F. M. (1969) "A new product growth model for consumer durables",
    *Management Science* 15(5): 215-227.
    """
    t = np.maximum(np.asarray(t, dtype=float), 0.0)
    e = np.exp(-(p + q) * t)
    return m * (1.0 - e) / (1.0 + (q / p) * e)


@dataclass
class ForecastResult:
    """A fitted growth curve. See the module docstring."""

    model: str
    ok: bool
    message: str
    params: dict = field(default_factory=dict)
    se: dict = field(default_factory=dict)
    cov: np.ndarray | None = None
    saturation: float = float("nan")
    peak_time: float = float("nan")
    n_obs: int = 0
    rmse: float = float("nan")
    _f: Callable | None = field(default=None, repr=False)
    _shift: float = field(default=0.0, repr=False)

    def predict(self, t, level: float = 0.95, kind: str = "confidence") -> pd.DataFrame:
        """Fitted curve at ``t`` with a delta-method interval.

        Parameters
        ----------
        t : times (same units as the fit, e.g. years)
        level : coverage of the interval
        kind : ``"confidence"`` (uncertainty of the curve) or ``"prediction"`` (plus
            residual noise)

        Returns
        -------
        DataFrame with ``t``, ``mean``, ``lower``, ``upper``.
        """
        if not self.ok:
            raise InputError(f"cannot predict from the {self.model} fit: {self.message}")
        if kind not in ("confidence", "prediction"):
            raise InputError(f"kind: {kind!r} is not one of confidence, prediction")
        if not 0 < level < 1:
            raise InputError(f"level: must lie in (0, 1), got {level}")
        tt = np.atleast_1d(np.asarray(t, dtype=float))
        theta = np.array(list(self.params.values()))
        f = lambda th: self._f(tt - self._shift, *th)  # noqa: E731
        mean = f(theta)
        jac = np.empty((tt.size, theta.size))
        for k in range(theta.size):
            h = 1e-6 * max(abs(theta[k]), 1e-3)
            up, dn = theta.copy(), theta.copy()
            up[k] += h
            dn[k] -= h
            jac[:, k] = (f(up) - f(dn)) / (2 * h)
        var = np.einsum("ij,jk,ik->i", jac, self.cov, jac)
        if kind == "prediction":
            var = var + self.rmse**2
        z = stats.norm.ppf(0.5 + level / 2)
        sd = np.sqrt(np.maximum(var, 0.0))
        return pd.DataFrame({"t": tt, "mean": mean, "lower": mean - z * sd, "upper": mean + z * sd})


def _prep(t, y):
    try:
        tt = np.asarray(t, dtype=float).ravel()
        yy = np.asarray(y, dtype=float).ravel()
    except (TypeError, ValueError):
        raise InputError("t and y must be numeric") from None
    if tt.size != yy.size:
        raise InputError(f"t has {tt.size} values but y has {yy.size}")
    if not (np.isfinite(tt).all() and np.isfinite(yy).all()):
        raise InputError("t and y must be finite (drop missing years first)")
    if (yy < 0).any():
        raise InputError("y: a growth curve needs non-negative levels")
    order = np.argsort(tt)
    tt, yy = tt[order], yy[order]
    if np.any(np.diff(tt) == 0):
        raise InputError("t: a time appears twice")
    return tt, yy


#: parameters that locate the curve in time; "standard error above the estimate" does
#: not apply to them (a time near the origin of the shifted axis is not small)
_LOCATION_PARAMS = frozenset({"t0", "tm"})


def _identification_problems(params: dict, se: dict, peak_time: float, t_first: float, t_last: float,
                             peak_label: str, shift: float = 0.0) -> list[str]:
    """Reasons why a converged fit is not identified by the data (empty if none).

    See the module docstring for the rules; every parameter is checked, so a user
    sees all of them at once. Location parameters are fitted on the time axis shifted
    by ``shift`` and reported here in the data's own time.
    """
    problems = []
    for nm, v in params.items():
        s = se.get(nm, float("nan"))
        shown = f"{v + shift:.1f}" if nm in _LOCATION_PARAMS else f"{v:.4g}"
        if not np.isfinite(s):
            problems.append(f"parameter {nm} not identified: its standard error is not finite")
        elif s <= 1e-10 * max(abs(v), 1.0):
            problems.append(f"parameter {nm} not identified: standard error 0 at {nm} = {shown} "
                            "(singular gradient: the data do not pin it down)")
        elif nm not in _LOCATION_PARAMS and s > abs(v):
            problems.append(f"parameter {nm} not identified: estimate {v:.4g} with standard error {s:.4g}, "
                            "larger than the estimate")
    if np.isfinite(peak_time) and not (t_first - 1e-9 <= peak_time <= t_last + 1e-9):
        problems.append(f"{peak_label} at {peak_time:.1f} lies outside the observed years {t_first:g}-{t_last:g}: "
                        "a curve of a stock that only grows is identified only when the data show its bend")
    return problems


def _fit(name, f, t, y, p0s, lower, upper, param_names, peak, shift=0.0, sat_index=0,
         peak_label="inflection (fastest growth)") -> ForecastResult:
    n = t.size
    k = len(param_names)
    if n < k + 2:
        return ForecastResult(name, False, f"too few points: {n} observations for {k} parameters (need >= {k + 2})", n_obs=n)
    if np.ptp(y) == 0:
        return ForecastResult(name, False, "the series is constant: no growth curve to fit", n_obs=n)
    best = None
    errors = []
    for p0 in p0s:
        p0 = np.clip(p0, np.array(lower) + 1e-9, np.array(upper) - 1e-9)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                popt, pcov = optimize.curve_fit(f, t - shift, y, p0=p0, bounds=(lower, upper), maxfev=20000)
        except (RuntimeError, ValueError, optimize.OptimizeWarning) as exc:
            errors.append(str(exc))
            continue
        sse = float(np.sum((f(t - shift, *popt) - y) ** 2))
        if best is None or sse < best[2]:
            best = (popt, pcov, sse)
    if best is None:
        return ForecastResult(name, False, f"no convergence ({errors[-1] if errors else 'unknown'})", n_obs=n)
    popt, pcov, sse = best
    params = dict(zip(param_names, map(float, popt)))
    rmse = float(np.sqrt(sse / max(n - k, 1)))
    res = ForecastResult(name, True, "ok", params=params, cov=pcov, n_obs=n, rmse=rmse, _f=f, _shift=shift)
    res.saturation = float(popt[sat_index])
    res.peak_time = float(peak(popt) + shift)
    span = np.array(upper, dtype=float) - np.array(lower, dtype=float)
    at_bound = [nm for nm, v, lo, hi, sp in zip(param_names, popt, lower, upper, span)
                if min(v - lo, hi - v) <= 1e-6 * max(sp if np.isfinite(sp) else abs(v), 1.0)]
    with np.errstate(invalid="ignore"):
        diag = np.diag(pcov)
    res.se = {nm: (float(np.sqrt(d)) if np.isfinite(d) and d >= 0 else float("nan")) for nm, d in zip(param_names, diag)}
    problems = []
    if not np.all(np.isfinite(pcov)):
        problems.append("standard errors not identified (singular covariance): the data do not pin the curve down")
    if at_bound:
        problems.append(f"parameter(s) at their bound: {', '.join(at_bound)}; the curve is not identified by these data")
    if np.all(np.isfinite(pcov)):
        problems.extend(_identification_problems(params, res.se, res.peak_time, float(t[0]), float(t[-1]), peak_label,
                                                 shift))
    sat_se = res.se[param_names[sat_index]]
    if res.saturation < y[-1] * (1 - 1e-9):
        problems.append(f"saturation {res.saturation:.4g} is below the last observation {y[-1]:.4g}")
    elif np.isfinite(sat_se) and not sat_se < res.saturation:
        problems.append(f"saturation not identified: {res.saturation:.4g} with standard error {sat_se:.4g}; "
                        "the series has not yet bent towards a ceiling")
    if problems:
        # one message per reason, each said once (the saturation rule repeats the rule on K / m)
        res.ok, res.message = False, "; ".join(dict.fromkeys(problems))
        res._f = None
    return res


def _sigmoid_problem(t, y):
    """Checked data and the shared bounds of the logistic and Gompertz fits:
    ``K`` in ``(0, 100 max y]``, rate in ``[1e-4, 10]``, midpoint within 100 units of the
    data. Returns ``(t, y, max y, time span, lower, upper)``."""
    t, y = _prep(t, y)
    ymax, span = float(y.max()), float(t[-1] - t[0])
    return t, y, ymax, span, [1e-9, 1e-4, -100.0], [100 * ymax, 10.0, span + 100.0]


def fit_logistic(t, y) -> ForecastResult:
    r"""Fit ``y = K / (1 + exp(-r (t - t0)))``.

    Saturation ``K``; peak growth at ``t0``. Bounds: ``K`` in ``(0, 100 max y]``,
    ``r`` in ``[1e-4, 10]`` per time unit, ``t0`` within 100 units of the data.

    Source: Verhulst (1838); Griliches (1957) on diffusion curves.
    """
    t, y, ymax, span, lower, upper = _sigmoid_problem(t, y)
    p0s = [[1.2 * ymax, 4.0 / max(span, 1), span / 2], [2 * ymax, 2.0 / max(span, 1), span], [1.05 * ymax, 8.0 / max(span, 1), span / 3]]
    return _fit("logistic", logistic, t, y, p0s, lower, upper, ("K", "r", "t0"), lambda p: p[2], shift=t[0])


def fit_gompertz(t, y) -> ForecastResult:
    r"""Fit ``y = K exp(-exp(-c (t - tm)))``.

    Saturation ``K``; peak growth at ``tm``. Bounds as :func:`fit_logistic`.

    Source: Gompertz (1825); Franses (1994) on Gompertz diffusion forecasts.
    """
    t, y, ymax, span, lower, upper = _sigmoid_problem(t, y)
    p0s = [[1.2 * ymax, 3.0 / max(span, 1), span / 3], [2 * ymax, 1.5 / max(span, 1), span], [1.05 * ymax, 6.0 / max(span, 1), span / 4]]
    return _fit("gompertz", gompertz, t, y, p0s, lower, upper, ("K", "c", "tm"), lambda p: p[2], shift=t[0])


def fit_bass(t, y, t_launch: float | None = None) -> ForecastResult:
    r"""Fit the Bass model to a **cumulative** series ``y`` (e.g. firms ever founded,
    or the level of a stock that only grows).

    ``t_launch`` is the time at which ``N = 0`` (default: one period before the first
    observation). Parameters ``m`` (saturation), ``p``, ``q``; peak adoption time
    ``t_launch + ln(q/p)/(p+q)`` (``t_launch`` when ``q <= p``: adoptions fall from the
    start). Bounds: ``m`` in ``(0, 100 max y]``, ``p`` in ``[1e-6, 1]``, ``q`` in
    ``[0, 3]``.

    Source: Bass (1969), see :func:`bass_cumulative`.
    """
    t, y = _prep(t, y)
    shift = float(t[0] - 1.0) if t_launch is None else float(t_launch)
    if shift > t[0]:
        raise InputError(f"t_launch: {shift} is after the first observation {t[0]}")
    ymax = float(y.max())
    lower, upper = [1e-9, 1e-6, 0.0], [100 * ymax, 1.0, 3.0]
    p0s = [[1.5 * ymax, 0.01, 0.4], [3 * ymax, 0.03, 0.2], [1.1 * ymax, 0.005, 0.8]]

    def peak(p):
        m_, p_, q_ = p
        return np.log(q_ / p_) / (p_ + q_) if q_ > p_ else 0.0

    return _fit("bass", bass_cumulative, t, y, p0s, lower, upper, ("m", "p", "q"), peak, shift=shift,
                peak_label="peak of adoptions")


FITTERS = {"logistic": fit_logistic, "gompertz": fit_gompertz, "bass": fit_bass}
