"""What each compiled twin is worth: the share of a run its NumPy rule takes, and the twin's time.

Usage::

    python benchmarks/twins.py [--scenario china-sme-baseline] [--firms 1000000] [--years 3] [--json]

Two runs of the same scenario and seed in this process, after a warm-up: one on the
NumPy rules alone (``innocluster.model.compiled.ENABLED = False``), one with the
compiled twins. In each, every call of a rule that has a twin is timed. The report
gives, per twin, the NumPy rule's share of the NumPy-only run,
the twin's time, what the twin saves as a share of the run with the twins
(``(NumPy rule - twin) / run with twins``: the figure the project's rule reads), and
both runs' totals.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import Counter

from innocluster import load_scenario
from innocluster.model import compiled
from innocluster.model.engine import ClusterModel


def timed_run(scenario, firms: int, years: int, use_twins: bool) -> tuple[float, Counter]:
    spent: Counter = Counter()
    originals = dict(compiled.TWINS)

    def timer(rule, implementation):
        def call(**kwargs):
            t = time.perf_counter()
            out = implementation(**kwargs)
            spent[rule.__qualname__] += time.perf_counter() - t
            return out
        return call

    compiled.ENABLED = True  # the timers stand in the twins' place
    for rule, twin in originals.items():
        compiled.TWINS[rule] = timer(rule, twin if use_twins else rule)
    try:
        model = ClusterModel(scenario, seed=1, firms=firms)
        t = time.perf_counter()
        for _ in range(years):
            model.step()
        return time.perf_counter() - t, spent
    finally:
        compiled.TWINS.update(originals)


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default="china-sme-baseline")
    ap.add_argument("--firms", type=int, default=1_000_000)
    ap.add_argument("--years", type=int, default=3)
    ap.add_argument("--json", action="store_true", help="print one JSON object as the last line")
    a = ap.parse_args(argv)
    sc = load_scenario(a.scenario)
    warm = ClusterModel(sc, seed=2, firms=1200)
    for _ in range(6):
        warm.step()
    numpy_total, numpy_spent = timed_run(sc, a.firms, a.years, use_twins=False)
    twin_total, twin_spent = timed_run(sc, a.firms, a.years, use_twins=True)
    rows = []
    for rule in sorted(numpy_spent, key=numpy_spent.get, reverse=True):
        rows.append({"rule": rule, "numpy_s": numpy_spent[rule], "numpy_share": numpy_spent[rule] / numpy_total,
                     "twin_s": twin_spent.get(rule, 0.0),
                     "saved_share": (numpy_spent[rule] - twin_spent.get(rule, 0.0)) / twin_total})
    print(f"{a.scenario}, {a.firms} firms x {a.years} years: NumPy rules alone {numpy_total:.2f} s, "
          f"with the twins {twin_total:.2f} s")
    print(f"{'rule':<20}{'NumPy rule':>12}{'share of run':>14}{'twin':>10}{'twin saves':>12}")
    for r in rows:
        print(f"{r['rule']:<20}{r['numpy_s']:>11.3f}s{100 * r['numpy_share']:>13.1f}%{r['twin_s']:>9.3f}s"
              f"{100 * r['saved_share']:>11.1f}%")
    result = {"scenario": a.scenario, "firms": a.firms, "years": a.years, "numpy_only_s": numpy_total,
              "with_twins_s": twin_total, "rules": rows}
    if a.json:
        print(json.dumps(result))
    return result


if __name__ == "__main__":
    main()
