"""Engine versus Mesa reference on the ``core`` scenario: time, firm-steps/s, memory.

Usage::

    python benchmarks/run.py --firms 10000 --years 20 [--repeats 3] [--engine-samples 5] [--warmup-years 5] [--json]

Both models run the built-in ``core`` scenario (the engine's core rules; the Mesa
model in ``benchmarks/mesa_reference``) on the same machine in one invocation:

* timing: ``--repeats`` timed runs of each model (seeds ``seed``, ``seed + 1``, ...),
  each in a fresh interpreter that
  first does an untimed warm-up run (``--warmup-years`` years at the same size:
  imports, caches and allocator warm; five years by default, long enough for the
  first exits, so that the compiled twins only exits call are loaded from the disk cache
  too — with two years they were loaded inside the timed run, some 60 ms); engine and Mesa runs alternate, so background
  load on a shared machine hits both alike; the figure is the median. A timed run is
  model construction (initial population) plus ``--years`` steps, no results
  post-processing. Neither model collects data in the timed loop: the Mesa model
  records nothing, the engine runs with ``record="final"`` (its steps keep the state,
  cumulative patents included, and the region rows are made for the final year when
  the results are built). The engine with its yearly record (``record="yearly"``, the
  default of ``simulate``: region totals, Gini, entropy and the ledger every step) is
  timed too, in the same alternation, and reported as ``engine_yearly_s`` and
  ``ratio_yearly_record``. Fresh processes also sidestep Mesa 3.3's
  retention of finished models (mesa issue #3179), which slows later runs in the
  same process;
* the engine's run is about a hundredth of the Mesa model's (some 70 ms against 7 s at
  10,000 firms), so a burst of load on a shared machine that a Mesa run averages out
  can double one engine run: each engine repeat times the same run (same seed) in
  ``--engine-samples`` fresh interpreters (5 by default) and takes their median, the
  same estimator over more samples (``engine_runs_s`` lists every sample). Measured on
  this project's VM: single engine runs of one commit took 0.064-0.095 s within one
  invocation, and the median of three moved the ratio by 20% between invocations;
* firm-steps per second = firms x years / median seconds (``firms`` = the initial
  count; both populations evolve alike, the mean simulated population is printed too);
* peak memory per firm: one more run of each model in its own fresh subprocess,
  ``ru_maxrss`` minus that of an interpreter with the same imports (for the engine
  also its compiled twins, loaded by a 100-firm, 1-year run: they are code, not
  memory per firm), divided by the largest population reached.

Both children run single-threaded by default (``OPENBLAS_NUM_THREADS=1`` etc.,
``--threads``): the Mesa model is pure Python, and OpenBLAS worker threads in the
engine's process only spin (they doubled its CPU time without shortening its wall
time when measured). Process CPU time is reported too (``ratio_cpu``): on a shared,
loaded machine it is the steadier figure; the load average before and after the run
is printed.

With ``--json`` the last line is one JSON object with keys ``engine_s``, ``mesa_s``,
``ratio`` (= mesa_s / engine_s), ``firms``, ``years`` and extra detail.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import gc, json, resource, sys, time
sys.path.insert(0, sys.argv[1])
from innocluster import load_scenario
from innocluster.model.engine import ClusterModel
from benchmarks.mesa_reference import CoreClusterModel, release
what, firms, years, warmup, seed = sys.argv[2], *map(int, sys.argv[3:7])
rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
kind, mode = what.split(":")
sc = load_scenario("core")
if mode == "baseline":
    if kind.startswith("engine"):  # the engine's compiled twins are code, not per-firm memory: load them
        w = ClusterModel(sc, seed=2, firms=100)
        w.step()
        del w
    print(json.dumps({"rss_kb": rss()})); sys.exit()

def run(n_years, seed):
    c0 = time.process_time()
    t0 = time.perf_counter()
    if kind.startswith("engine"):  # engine: no data collected in the loop, as the Mesa model
        m = ClusterModel(sc, seed=seed, firms=firms, record="yearly" if kind == "engine_yearly" else "final")
        size = lambda: m.world.firms.n
    else:
        m = CoreClusterModel(sc, seed=seed, firms=firms)
        size = lambda: len(m.agents)
    t1 = time.perf_counter()
    peak, total = size(), 0
    for _ in range(n_years):
        m.step()
        n = size()
        peak, total = max(peak, n), total + n
    t2 = time.perf_counter()
    c2 = time.process_time()
    end = size()
    if kind == "mesa":
        release(m)  # mesa#3179: let the finished model be collected
    return {"init_s": t1 - t0, "steps_s": t2 - t1, "total_s": t2 - t0, "cpu_s": c2 - c0, "peak_firms": peak,
            "mean_firms": total / max(n_years, 1), "end_firms": end}

if mode == "time" and warmup > 0:
    run(warmup, seed + 1000)
    gc.collect()
r = run(years, seed)
r["rss_kb"] = rss()
print(json.dumps(r))
"""


THREADS = 1


def child(what: str, firms: int, years: int, warmup: int = 0, seed: int = 1) -> dict:
    """Run one model once in a fresh interpreter (after a warm-up run for ``kind:time``)."""
    env = dict(os.environ)
    if THREADS > 0:
        for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
            env[var] = str(THREADS)
    out = subprocess.run([sys.executable, "-c", CHILD, str(ROOT), what, str(firms), str(years),
                          str(warmup), str(seed)], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"benchmark child {what!r} failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(firms: int, years: int, repeats: int, warmup: int, seed: int, memory: bool, base_kb: dict,
            engine_samples: int = 5) -> dict:
    """Time both models; repeats alternate engine and Mesa so that background load hits both
    alike. An engine repeat is the median of ``engine_samples`` fresh processes timing the
    same run (per figure: total, steps, CPU time)."""
    runs: dict[str, list[dict]] = {"engine": [], "mesa": [], "engine_yearly": []}
    samples: dict[str, list[float]] = {kind: [] for kind in runs}
    for i in range(repeats):
        for kind in runs:
            k = engine_samples if kind.startswith("engine") else 1
            rs = [child(f"{kind}:time", firms, years, warmup, seed + i) for _ in range(k)]
            samples[kind] += [r["total_s"] for r in rs]
            runs[kind].append({**rs[0], **{key: statistics.median(r[key] for r in rs)
                                            for key in ("total_s", "steps_s", "cpu_s")}})
    res = {}
    for kind, rs in runs.items():
        total = statistics.median(r["total_s"] for r in rs)
        res[kind] = {"median_s": total, "median_steps_s": statistics.median(r["steps_s"] for r in rs),
                     "runs_s": [r["total_s"] for r in rs], "samples_s": samples[kind],
                     "firm_steps_per_s": firms * years / total,
                     "median_cpu_s": statistics.median(r["cpu_s"] for r in rs),
                     "mean_firms": statistics.mean(r["mean_firms"] for r in rs),
                     "end_firms": rs[0]["end_firms"], "peak_firms": max(r["peak_firms"] for r in rs)}
        if memory and kind != "engine_yearly":
            m = child(f"{kind}:memory", firms, years, 0, seed)
            res[kind]["peak_rss_mb"] = m["rss_kb"] / 1024
            res[kind]["bytes_per_firm"] = (m["rss_kb"] - base_kb[kind]) * 1024 / max(m["peak_firms"], 1)
    return res


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--firms", type=int, default=10_000, help="initial firms (default 10000)")
    ap.add_argument("--years", type=int, default=20, help="years simulated (default 20)")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs per model; the median is reported (default 3)")
    ap.add_argument("--engine-samples", type=int, default=5,
                    help="fresh processes timing each engine repeat; their median is the repeat's time "
                         "(default 5: an engine run is about a hundredth of a Mesa run)")
    ap.add_argument("--warmup-years", type=int, default=5,
                    help="years of the untimed warm-up run (default 5: past the first exits; 0: none)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1,
                    help="BLAS/OpenMP/Numba threads in the children (default 1: both models on one core; "
                         "0: leave the environment alone)")
    ap.add_argument("--no-memory", action="store_true", help="skip the peak-memory runs")
    ap.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    a = ap.parse_args(argv)
    if a.firms < 1 or a.years < 1 or a.repeats < 1 or a.engine_samples < 1:
        ap.error("--firms, --years, --repeats and --engine-samples must be at least 1")
    global THREADS
    THREADS = a.threads
    load_before = round(os.getloadavg()[0], 2)
    base = {kind: child(f"{kind}:baseline", 0, 0)["rss_kb"] for kind in ("engine", "mesa")}
    base["engine_yearly"] = base["engine"]
    res = measure(a.firms, a.years, a.repeats, a.warmup_years, a.seed, not a.no_memory, base, a.engine_samples)
    e, m, ey = res["engine"], res["mesa"], res["engine_yearly"]
    import mesa

    summary = {
        "engine_s": round(e["median_s"], 6), "mesa_s": round(m["median_s"], 6),
        "ratio": round(m["median_s"] / e["median_s"], 2), "firms": a.firms, "years": a.years,
        "ratio_steps_only": round(m["median_steps_s"] / e["median_steps_s"], 2),
        "engine_yearly_s": round(ey["median_s"], 6), "ratio_yearly_record": round(m["median_s"] / ey["median_s"], 2),
        "engine_cpu_s": round(e["median_cpu_s"], 6), "mesa_cpu_s": round(m["median_cpu_s"], 6),
        "ratio_cpu": round(m["median_cpu_s"] / e["median_cpu_s"], 2),
        "engine_firm_steps_per_s": round(e["firm_steps_per_s"]), "mesa_firm_steps_per_s": round(m["firm_steps_per_s"]),
        "engine_runs_s": [round(x, 6) for x in e["runs_s"]], "mesa_runs_s": [round(x, 6) for x in m["runs_s"]],
        "engine_yearly_runs_s": [round(x, 6) for x in ey["runs_s"]],
        "engine_samples": a.engine_samples, "engine_samples_s": [round(x, 6) for x in e["samples_s"]],
        "engine_yearly_samples_s": [round(x, 6) for x in ey["samples_s"]],
        "engine_mean_firms": round(e["mean_firms"]), "mesa_mean_firms": round(m["mean_firms"]),
        "engine_bytes_per_firm": round(e["bytes_per_firm"]) if "bytes_per_firm" in e else None,
        "mesa_bytes_per_firm": round(m["bytes_per_firm"]) if "bytes_per_firm" in m else None,
        "threads": a.threads, "load_before": load_before, "load_after": round(os.getloadavg()[0], 2),
        "repeats": a.repeats, "warmup_years": a.warmup_years, "scenario": "core",
        # what engine_s times: no data collected in the loop, as the Mesa model (see the docstring)
        "engine_record": "final",
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "python": platform.python_version(), "mesa": mesa.__version__,
    }
    print(f"core scenario, {a.firms:,} initial firms x {a.years} years; median of {a.repeats} timed runs per model "
          f"(an engine run: the median of {a.engine_samples} fresh processes), "
          f"each in a fresh process after a {a.warmup_years}-year warm-up")
    print(f"{'model':21s} {'median s':>10s} {'runs (s)':>26s} {'firm-steps/s':>14s} {'mean firms':>11s} "
          f"{'peak MB':>9s} {'bytes/firm':>11s}")
    labels = {"engine": "engine", "mesa": "mesa", "engine_yearly": "engine, yearly record"}
    for k, r in res.items():
        runs = " ".join(f"{x:.3f}" for x in r["runs_s"])
        mem = (f"{r['peak_rss_mb']:9.0f} {r['bytes_per_firm']:11,.0f}" if "bytes_per_firm" in r
               else f"{'-':>9s} {'-':>11s}")
        print(f"{labels[k]:21s} {r['median_s']:10.3f} {runs:>26s} {r['firm_steps_per_s']:14,.0f} {r['mean_firms']:11,.0f} {mem}")
    print(f"ratio mesa/engine: {summary['ratio']:.1f} wall time (steps only: {summary['ratio_steps_only']:.1f}; "
          f"process CPU time: {summary['ratio_cpu']:.1f}); load average {summary['load_before']} before, "
          f"{summary['load_after']} after")
    print(f"with the engine's yearly record (record='yearly'): {summary['ratio_yearly_record']:.1f}")
    if a.json:
        print(json.dumps(summary))
    return summary


if __name__ == "__main__":
    main()
