"""Benchmark of the full model: wall time and peak memory per firm.

Usage::

    python benchmarks/run_engine.py [--firms 100000] [--years 50] [--scenario hsinchu] [--json]

Each configuration runs in a fresh subprocess so that peak memory (ru_maxrss) belongs
to that run alone; the memory of an interpreter with the package imported and its
compiled twins loaded is measured the same way and subtracted. Before the timing, a
1,200-firm, 6-year warm-up run loads the engine's compiled twins from their on-disk
cache (compiling them on a machine's very first run, about 20 s, which is not what
this benchmark measures) and collects its results once, so that the modules results
collection imports (the life-cycle classifier, about 0.5 s) are loaded too. From
``innocluster.model.allocator.LARGE_POPULATION`` firms on, the timed run keeps freed
memory for reuse, as ``simulate`` and ``ClusterModel.run`` do
(``innocluster.model.allocator``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

CHILD = r"""
import json, resource, sys, time
from innocluster import load_scenario
from innocluster.model import allocator
from innocluster.model.engine import ClusterModel
firms, years, name = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
sc = load_scenario(name)
# warm-up: load (on a machine's first run: compile) the engine's compiled twins and import what
# results collection uses (the life-cycle classifier), outside the timing
w = ClusterModel(sc, seed=2, firms=1200)  # >= 1000 draws: the compiled samplers load too
for _ in range(6):  # past the first exits: twins that only exits call are loaded too
    w.step()
w.results()
del w
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if firms == 0:
    print(json.dumps({"rss_kb": base})); sys.exit()
# as simulate() does: at millions of firms freed temporaries stay in the process for reuse
with allocator.keep_freed_memory(firms >= allocator.LARGE_POPULATION):
    t0 = time.perf_counter()
    m = ClusterModel(sc, seed=1, firms=firms)
    t1 = time.perf_counter()
    peak_n = m.world.firms.n
    for _ in range(years):
        m.step()
        peak_n = max(peak_n, m.world.firms.n)
    t2 = time.perf_counter()
    res = m.results()
    t3 = time.perf_counter()
print(json.dumps({"init_s": t1 - t0, "steps_s": t2 - t1, "results_s": t3 - t2, "firms_end": m.world.firms.n,
                  "peak_firms": peak_n, "rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "table_bytes_per_firm": m.world.firms.nbytes() / max(m.world.firms.n, 1)}))
"""


def measure(firms: int, years: int, scenario: str) -> dict:
    # one BLAS thread: the engine makes no BLAS calls worth a thread, idle BLAS threads only spin
    env = dict(os.environ)
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    out = subprocess.run([sys.executable, "-c", CHILD, str(firms), str(years), scenario],
                         capture_output=True, text=True, check=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--firms", type=int, default=100_000)
    ap.add_argument("--years", type=int, default=50)
    ap.add_argument("--scenario", default="hsinchu")
    ap.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    a = ap.parse_args()
    base = measure(0, 0, a.scenario)["rss_kb"]
    t = time.perf_counter()
    r = measure(a.firms, a.years, a.scenario)
    wall = time.perf_counter() - t
    per_firm = (r["rss_kb"] - base) * 1024 / max(r["peak_firms"], 1)
    total = r["init_s"] + r["steps_s"] + r["results_s"]
    summary = {
        "firms": a.firms, "years": a.years, "scenario": a.scenario, "model_s": round(total, 3),
        "steps_s": round(r["steps_s"], 3), "firm_steps_per_s": round(a.firms * a.years / r["steps_s"]),
        "firms_end": r["firms_end"], "peak_firms": r["peak_firms"],
        "peak_bytes_per_firm": round(per_firm), "table_bytes_per_firm": round(r["table_bytes_per_firm"]),
        "process_wall_s": round(wall, 2), "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "python": platform.python_version(),
    }
    if not a.json:
        print(f"{a.firms:,} firms x {a.years} years ({a.scenario}): model {total:.2f} s "
              f"(steps {r['steps_s']:.2f} s, {summary['firm_steps_per_s']:,} firm-steps/s); "
              f"peak memory {per_firm:,.0f} bytes per firm above the interpreter "
              f"(firm table {summary['table_bytes_per_firm']} B/firm); firms at the end {r['firms_end']:,}")
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
