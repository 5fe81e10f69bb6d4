"""Robustness of each verdict: Morris screening of the parameters calibration leaves free,
and the verdicts at two sizes of the economy.

**Morris screening** (Morris 1991; Campolongo, Cariboni & Saltelli 2007; SALib's
``morris.sample`` / ``morris.analyze``). The parameters screened (:data:`SCREENED`) are the
diffusion, catch-up, productivity-shock, learning-exit, entry-size, spin-off, MNE and
finance parameters that no scenario's calibration header lists
as a free parameter (:func:`unpinned`: a calibrated parameter is pinned by its targets and is
not moved here). Each is varied over ``[value / SPREAD, value * SPREAD]`` around its schema
default, clipped to the schema's bounds. At every point of ``trajectories * (k + 1)`` the
claims are rerun (all replications, common random numbers, the Holm adjustment over the
claims run) with the point's values applied to every scenario (``--set``). Every finished
point is kept in ``robustness_checkpoint.jsonl`` in the output folder
(:class:`MorrisCheckpoint`): a screening that is interrupted resumes where it stopped when
it is run again with the same command, and a checkpoint of another model or design is
refused. Per claim:

* ``robust`` when its verdict is the same at every point, else ``fragile``;
* ``flipped_by`` — the parameters whose one-at-a-time Morris steps changed the claim's
  verdict (the elementary effects of the verdict coded +1 supported, 0 depends,
  -1 not supported); ``mu_star`` per parameter of that code and of the claim's first primary
  effect divided by its negligible band.

**Scale.** :func:`scale_table` lines up the verdicts of two runs of the same claims at two
sizes (the default ``--firms`` and each scenario's calibrated size, or any two sizes).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from innocluster.atomic import atomic_write_text
from innocluster.errors import InputError
from innocluster.paper.verdict import NOT_SUPPORTED, SUPPORTED

#: parameters screened when calibration leaves them free (diffusion and catch-up, productivity
#: shocks, learning exit, entry sizes, spin-offs, MNEs, finance)
SCREENED = ("diffusion.network_rate", "diffusion.local_rate", "diffusion.tie_formation", "diffusion.between_clusters",
            "diffusion.frontier_rate", "diffusion.frontier_quantile", "innovation.productivity_shock_sd",
            "innovation.productivity_shock_persistence", "exit.unviable_margin", "exit.learning_prior_years",
            "market.entrant_size_sd", "entry.spinoff_rate", "entry.spinoff_tech_loss", "entry.spinoff_quality",
            "relocation.mne_rate", "relocation.mne_tech_premium",
            "finance.vc_matching", "finance.vc_screen_quantile", "finance.prudent_lending", "finance.vc_ticket",
            "finance.vc_public_screening_noise")
SPREAD = 2.0
VERDICT_CODE = {SUPPORTED: 1.0, NOT_SUPPORTED: -1.0}


def calibrated_parameters(scenario_names) -> set[str]:
    """Parameters some scenario's calibration header lists as free (pinned by targets)."""
    from importlib import resources

    pinned: set[str] = set()
    for name in scenario_names:
        try:
            text = resources.files("innocluster.scenario.builtin").joinpath(f"{name}.toml").read_text()
        except (FileNotFoundError, OSError):
            continue
        block = re.search(r"# Free parameters[^\n]*\n((?:#\s+[\w.]+\s*=.*\n)+)", text)
        if block:
            pinned |= {m.group(1) for m in re.finditer(r"#\s+([\w.]+)\s*=", block.group(1))}
    return pinned


def unpinned(scenario_names, candidates=SCREENED) -> list[str]:
    """``candidates`` minus the parameters any of the scenarios calibrates."""
    pinned = calibrated_parameters(scenario_names)
    return [p for p in candidates if p not in pinned]


def bounds(param: str) -> tuple[float, float, float]:
    """``(low, high, default)`` of a ``section.field`` parameter: ``default / SPREAD`` to
    ``default * SPREAD`` within the schema's bounds (``[0, 0.2]`` for a default of 0; for a
    negative default, ``default * SPREAD`` to ``default / SPREAD``)."""
    from innocluster.scenario.schema import Scenario

    section, field = param.split(".", 1)
    model = Scenario.model_fields[section].annotation
    info = model.model_fields.get(field)
    if info is None:
        raise InputError(f"robustness: unknown parameter {param!r}")
    default = float(info.default)
    ge = le = None
    for m in info.metadata:
        ge = getattr(m, "ge", None) if getattr(m, "ge", None) is not None else ge
        ge = getattr(m, "gt", None) if getattr(m, "gt", None) is not None and ge is None else ge
        le = getattr(m, "le", None) if getattr(m, "le", None) is not None else le
        if getattr(m, "lt", None) is not None and le is None:  # strictly below: stop just short
            le = float(m.lt) - 1e-3 * max(1.0, abs(float(m.lt)))
    if default > 0:
        lo, hi = default / SPREAD, default * SPREAD
    elif default < 0:  # a negative threshold: as far again below, half as far
        lo, hi = default * SPREAD, default / SPREAD
    else:
        lo, hi = 0.0, 0.2
    if ge is not None:
        lo = max(lo, float(ge))
    if le is not None:
        hi = min(hi, float(le))
    if not hi > lo:
        raise InputError(f"robustness: {param} has no range to screen ({lo}, {hi})")
    return lo, hi, default


@dataclass
class Robustness:
    """Result of :func:`morris_screening`."""

    claims: pd.DataFrame      # claim, baseline_verdict, verdicts_seen, robust, flipped_by, points
    indices: pd.DataFrame     # claim, parameter, mu_star_verdict, mu_star_effect, flips
    points: pd.DataFrame      # point, parameter values, claim verdicts
    parameters: list[str]


def screening_identity(claims, opts, params: list[str], bnds, trajectories: int, levels: int, seed: int) -> dict:
    """What a Morris point's verdicts depend on: the engine's code, the scenarios as the
    claims read them, the design and the run options. A checkpoint written under another
    identity is not reused (:class:`MorrisCheckpoint`)."""
    from innocluster import load_scenario
    from innocluster.model.fingerprint import engine_fingerprint
    from innocluster.scenario import apply_overrides

    scen = sorted({a.scenario for c in claims for s in c.settings for a in s.arms})
    digests = {}
    for name in scen:
        sc = apply_overrides(load_scenario(opts.scenario_files.get(name, name)), list(opts.overrides), source="--set")
        digests[name] = hashlib.sha256(sc.model_dump_json().encode()).hexdigest()[:16]
    return {"engine": engine_fingerprint(), "scenarios": digests, "claims": sorted(c.id for c in claims),
            "parameters": list(params), "bounds": [[float(lo), float(hi)] for lo, hi, _ in bnds],
            "trajectories": int(trajectories), "levels": int(levels), "design_seed": int(seed),
            "replications": int(opts.replications), "firms": opts.firms, "root_seed": opts.seed,
            "overrides": list(opts.overrides)}


class MorrisCheckpoint:
    """The Morris points already run, one JSON line each after a first line with the
    screening's identity (:func:`screening_identity`), so that an interrupted screening
    (hours at the calibrated parameters) resumes where it stopped.

    Each point is appended and flushed to disk as soon as it is done; a last line cut
    off by a kill is ignored. A file written under another identity (the engine's code,
    a scenario, the design or the options changed) is refused with a one-line error
    instead of mixing two models' verdicts.
    """

    def __init__(self, path: Path | str | None, identity: dict):
        self.path = None if path is None else Path(path)
        self.identity = identity
        self.done: dict[int, dict] = {}
        if self.path is None:
            return
        head, rows = _read_checkpoint(self.path)
        if head is not None:  # without a readable identity no point is reused
            if head.get("identity") != identity:
                changed = sorted(k for k in identity if (head.get("identity") or {}).get(k) != identity[k])
                raise InputError(f"{self.path}: a Morris checkpoint of another screening (differs in "
                                 f"{', '.join(changed) or 'its identity'}); delete it or choose another --out")
            self.done = rows
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._rewrite()  # also drops a line cut off by a kill before appending

    def _rewrite(self) -> None:
        lines = [json.dumps({"identity": self.identity})] + [json.dumps(self.done[i]) for i in sorted(self.done)]
        atomic_write_text(self.path, "\n".join(lines) + "\n")

    def add(self, point: int, verdicts: dict[str, str], effects: dict[str, float]) -> None:
        row = {"point": int(point), "verdicts": verdicts, "effects": effects}
        self.done[int(point)] = row
        if self.path is None:
            return
        with open(self.path, "a") as fh:
            fh.write(json.dumps(row) + "\n")
            fh.flush()
            os.fsync(fh.fileno())


def _read_checkpoint(path: Path) -> tuple[dict | None, dict[int, dict]]:
    """The identity line and the finished points of a checkpoint file (``None`` and no
    points when there is no file or its first line is unreadable); a line cut off by a
    kill is skipped."""
    if not path.exists():
        return None, {}
    lines = path.read_text().splitlines()
    try:
        head = json.loads(lines[0]) if lines else None
    except json.JSONDecodeError:
        return None, {}
    rows = {}
    for line in lines[1:]:
        try:
            row = json.loads(line)
        except json.JSONDecodeError:  # the point being written when the run was killed
            continue
        rows[int(row["point"])] = row
    return head, rows


def morris_screening(claims, opts, parameters: list[str] | None = None, trajectories: int = 4, levels: int = 4,
                     seed: int = 0, baseline=None, checkpoint: Path | str | None = None,
                     on_point=None) -> Robustness:
    """Rerun ``claims`` at every point of a Morris design over ``parameters`` (default
    :func:`unpinned` of the claims' scenarios) and judge each verdict's robustness.

    ``opts`` are the :class:`~innocluster.paper.run.Options` of the main run (replications,
    firms, workers); ``baseline`` its :class:`~innocluster.paper.run.PaperRun` (rerun when
    not given). ``checkpoint``: a file that keeps every finished point
    (:class:`MorrisCheckpoint`), so a rerun of the same screening skips them.
    ``on_point(i, n, reused)`` is called after each point (progress).
    """
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    from innocluster.paper.run import run_claims

    if trajectories < 2:
        raise InputError(f"--robustness-trajectories = {trajectories}: need at least 2")
    scen = sorted({a.scenario for c in claims for s in c.settings for a in s.arms})
    params = list(parameters) if parameters else unpinned(scen)
    if not params:
        raise InputError("robustness: no parameter left to screen")
    bnds = [bounds(p) for p in params]
    problem = {"num_vars": len(params), "names": params, "bounds": [[lo, hi] for lo, hi, _ in bnds]}
    X = morris_sample.sample(problem, trajectories, num_levels=levels, seed=seed)
    store = MorrisCheckpoint(checkpoint, screening_identity(claims, opts, params, bnds, trajectories, levels, seed))
    base = baseline or run_claims(list(claims), replace(opts, progress=False))
    base_verdict = {cr.claim.id: cr.verdict for cr in base.results}
    rows = []
    codes = {c.id: [] for c in claims}
    effects = {c.id: [] for c in claims}
    for i, x in enumerate(X):
        reused = i in store.done
        if not reused:
            sets = [f"{p}={v:.6g}" for p, v in zip(params, x)]
            run = run_claims(list(claims), replace(opts, overrides=list(opts.overrides) + sets, progress=False))
            verdicts, ratios = {}, {}
            for cr in run.results:
                verdicts[cr.claim.id] = cr.verdict
                first = next((t for t in cr.tests if t.primary), cr.tests[0] if cr.tests else None)
                eff = first.effect / first.negligible if first is not None and first.negligible > 0 else math.nan
                ratios[cr.claim.id] = float(eff) if np.isfinite(eff) else 0.0
            store.add(i, verdicts, ratios)
        done = store.done[i]
        row = {"point": i, **dict(zip(params, x))}
        for c in claims:
            row[c.id] = done["verdicts"][c.id]
            codes[c.id].append(VERDICT_CODE.get(done["verdicts"][c.id], 0.0))
            effects[c.id].append(float(done["effects"][c.id]))
        rows.append(row)
        if on_point is not None:
            on_point(i + 1, len(X), reused)
    points = pd.DataFrame(rows)
    summary, index_rows = [], []
    for c in claims:
        y = np.array(codes[c.id])
        ye = np.array(effects[c.id])
        flips = _flips(X, y, params)
        mu_v = morris_analyze.analyze(problem, X, y, num_levels=levels, print_to_console=False)["mu_star"]
        mu_e = morris_analyze.analyze(problem, X, ye, num_levels=levels, print_to_console=False)["mu_star"]
        seen = sorted(set(points[c.id]))
        robust = seen == [base_verdict[c.id]]
        flipped = [p for p in params if flips[p] > 0]
        summary.append({"claim": c.id, "baseline_verdict": base_verdict[c.id], "verdicts_seen": ", ".join(seen),
                        "robust": "robust" if robust else "fragile", "flipped_by": ", ".join(flipped) or "-",
                        "points": len(X)})
        for p, a, b in zip(params, mu_v, mu_e):
            index_rows.append({"claim": c.id, "parameter": p, "mu_star_verdict": float(a),
                               "mu_star_effect_over_band": float(b), "flips": int(flips[p])})
    return Robustness(pd.DataFrame(summary), pd.DataFrame(index_rows), points, params)


def _flips(X: np.ndarray, y: np.ndarray, params: list[str]) -> dict[str, int]:
    """Per parameter: Morris steps (consecutive points of a trajectory differing in that
    parameter alone) across which ``y`` changes."""
    k = len(params)
    out = dict.fromkeys(params, 0)
    for t in range(0, X.shape[0], k + 1):
        for j in range(t, min(t + k, X.shape[0] - 1)):
            diff = np.flatnonzero(~np.isclose(X[j + 1], X[j]))
            if diff.size == 1 and y[j + 1] != y[j]:
                out[params[int(diff[0])]] += 1
    return out


def scale_table(small, large, small_label: str, large_label: str) -> pd.DataFrame:
    """Claim verdicts of two runs of the same claims at two sizes, and whether they agree."""
    a = {cr.claim.id: cr.verdict for cr in small.results}
    b = {cr.claim.id: cr.verdict for cr in large.results}
    rows = [{"claim": k, f"verdict at {small_label}": a[k], f"verdict at {large_label}": b.get(k, "–"),
             "same": a[k] == b.get(k)} for k in a]
    return pd.DataFrame(rows)


def scale_tests(small, large, small_label: str, large_label: str) -> pd.DataFrame:
    """Per test: effect, interval and verdict at both sizes side by side."""
    from innocluster.paper.run import verdict_table

    keys = ["claim", "setting", "arm", "outcome"]
    cols = ["effect", "ci_low", "ci_high", "mde", "verdict"]
    a = verdict_table(small)[keys + cols]
    b = verdict_table(large)[keys + cols]
    return a.merge(b, on=keys, how="outer", suffixes=(f" at {small_label}", f" at {large_label}"))
