"""Two engines side by side: the same run timed in alternating fresh processes.

Usage::

    python benchmarks/side_by_side.py --baseline-python OTHER/.venv/bin/python \\
        [--scenario core --firms 10000 --years 20] [--pairs 10] [--runs-per-process 1] [--json]

``OTHER`` is a checkout of another innocluster version with its own virtualenv (for
example ``git worktree add ../baseline <commit>`` and ``make install`` there). Each
timed run is a fresh interpreter of one engine that imports the package, warms up
(a small run loads or compiles the compiled code), then times
``ClusterModel(scenario, seed, firms).run(years)`` (the years and the results) with a
monotonic clock. The engines alternate (A B A B ...), so that a change in the
machine's speed during the call hits both alike, and the ratio is taken pair by
pair; the median ratio is the figure to quote (``docs/performance.md``).

With ``--runs-per-process K`` each process times K runs (seeds 1..K) after the warm-up
and reports their median: the steady state of a process that runs many simulations
(a sweep's or a calibration's worker), where the first run's costs (the memory the
run touches for the first time, cold caches) are paid once.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

CHILD = r"""
import json, sys, time
from innocluster import load_scenario
from innocluster.model.engine import ClusterModel
name, firms, years = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
sc = load_scenario(name)
warm = ClusterModel(sc, seed=2, firms=1200)
for _ in range(6):
    warm.step()
warm.results()
seconds = []
for seed in range(1, int(sys.argv[4]) + 1):
    t0 = time.perf_counter()
    m = ClusterModel(sc, seed=seed, firms=firms)
    m.run(years)
    seconds.append(time.perf_counter() - t0)
print(json.dumps({"seconds": sorted(seconds)[len(seconds) // 2], "firms_end": m.world.firms.n}))
"""


def timed(python: str, scenario: str, firms: int, years: int, runs: int = 1) -> dict:
    out = subprocess.run([python, "-c", CHILD, scenario, str(firms), str(years), str(runs)], capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--baseline-python", required=True, help="interpreter of the other engine's virtualenv")
    ap.add_argument("--python", default=sys.executable, help="interpreter of this engine (default: this one)")
    ap.add_argument("--scenario", default="core")
    ap.add_argument("--firms", type=int, default=10_000)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--pairs", type=int, default=10)
    ap.add_argument("--runs-per-process", type=int, default=1,
                    help="timed runs in each process, their median reported (default 1)")
    ap.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    a = ap.parse_args(argv)
    this, base = [], []
    for k in range(a.pairs):
        this.append(timed(a.python, a.scenario, a.firms, a.years, a.runs_per_process)["seconds"])
        base.append(timed(a.baseline_python, a.scenario, a.firms, a.years, a.runs_per_process)["seconds"])
        print(f"pair {k + 1}/{a.pairs}: this {this[-1]:.3f} s, baseline {base[-1]:.3f} s, "
              f"ratio {this[-1] / base[-1]:.3f}", file=sys.stderr)
    ratios = [t / b for t, b in zip(this, base)]
    result = {"scenario": a.scenario, "firms": a.firms, "years": a.years, "pairs": a.pairs,
              "runs_per_process": a.runs_per_process,
              "this_median_s": statistics.median(this), "baseline_median_s": statistics.median(base),
              "ratio_median": statistics.median(ratios), "ratio_min": min(ratios), "ratio_max": max(ratios),
              "this_s": this, "baseline_s": base}
    print(f"{a.scenario} {a.firms} firms x {a.years} years: this {result['this_median_s']:.3f} s, baseline "
          f"{result['baseline_median_s']:.3f} s (medians); ratio this/baseline: median {result['ratio_median']:.3f} "
          f"[{result['ratio_min']:.3f}, {result['ratio_max']:.3f}] over {a.pairs} pairs")
    if a.json:
        print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
