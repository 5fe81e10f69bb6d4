"""Benchmark of the sweep machinery: speed-up of 2 local workers over 1, and parent memory.

Runs the same LHS sweep (default: 200 runs of 10,000 firms x 30 years of ``hsinchu``)
with ``--workers 1`` and ``--workers 2`` into fresh stores, checks that both stores hold
bit-identical outcomes, and reports wall time, speed-up and the parent process's
memory: peak Python allocations (``tracemalloc``) and resident set size sampled after
every run. Memory is "flat in the number of runs" when the RSS after the last run is
no larger than after the first few.

Usage::

    python benchmarks/bench_sweep.py                     # 200 runs, 10,000 firms, 30 years
    python benchmarks/bench_sweep.py --runs 40 --firms 2000 --years 20   # reduced
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from innocluster.experiments import Execution, ResultsStore, run_sweep
from innocluster.experiments.progress import NullProgress


def rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class MemoryProbe(NullProgress):
    """Samples the parent's RSS after every finished run."""

    def __init__(self):
        self.rss: list[float] = []

    def advance(self, ok: bool, retried: bool = False) -> None:
        if not retried:
            self.rss.append(rss_mb())


def one(workers: int, args, root: Path) -> dict:
    out = root / f"w{workers}"
    shutil.rmtree(out, ignore_errors=True)
    probe = MemoryProbe()
    tracemalloc.start()
    t0 = time.perf_counter()
    res = run_sweep(args.scenario, ["innovation.zeta1=0.02:0.2", "regions.hsinchu.budget=1:40"], store=out,
                    method="lhs", samples=args.runs, replications=1, years=args.years, firms=args.firms,
                    seed=1, outcomes=["patents_per_firm@last", "firms@last"],
                    execution=Execution(workers=workers, progress=probe))
    wall = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert res.report.done == args.runs and res.report.failed == 0
    k = max(1, len(probe.rss) // 10)
    return {"workers": workers, "seconds": round(wall, 2), "runs": res.report.done,
            "tracemalloc_peak_mb": round(peak / 2**20, 1),
            "rss_after_first_10pct_mb": round(float(np.mean(probe.rss[:k])), 1),
            "rss_after_last_10pct_mb": round(float(np.mean(probe.rss[-k:])), 1),
            "rss_max_mb": round(max(probe.rss), 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--firms", type=int, default=10_000)
    ap.add_argument("--years", type=int, default=30)
    ap.add_argument("--scenario", default="hsinchu")
    ap.add_argument("--keep", help="folder for the stores (default: a temporary folder, removed)")
    args = ap.parse_args()
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench_sweep_"))
    try:
        rows = [one(1, args, root), one(2, args, root)]
        with ResultsStore(root / "w1", read_only=True) as a, ResultsStore(root / "w2", read_only=True) as b:
            pd.testing.assert_frame_equal(a.outcomes("sweep"), b.outcomes("sweep"), check_exact=True)
        print(pd.DataFrame(rows).to_string(index=False))
        speedup = rows[0]["seconds"] / rows[1]["seconds"]
        print(json.dumps({"runs": args.runs, "firms": args.firms, "years": args.years,
                          "speedup_2_vs_1": round(speedup, 2), "identical_results": True,
                          "cpus": os.cpu_count(),
                          "parent_maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
