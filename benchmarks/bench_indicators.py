"""Benchmark of the monitor's indicators.

1. All region-industry indicators for a 3,000-region x 500-industry table over 10
   years (15 million rows): validation, dense cube, every per-year indicator
   (LQ, strong clusters, stars, relatedness density, Krugman, Hachman, HHI, entropy,
   diversity / ubiquity / ECI / PCI, locational Gini, Hoover, growth). Target < 30 s.
2. Ellison-Glaeser for 500 industries over 5 million firm rows. Target < 10 s.

Peak memory (max RSS) is reported; target < 4 GiB.

3. ``--e2e [--runs N]``: what a user runs, on a generated 15M-row Parquet file, each
   run in a fresh subprocess with its peak RSS (``ru_maxrss``):
   (a) load + validate, (b) compute, (c) write the tidy table (streamed Parquet), and
   the CLI ``innocluster indicators FILE --out OUT.parquet`` end to end. Prints every
   run and the median. Target: end to end < 30 s, peak < 4 GiB.

Run: ``python benchmarks/bench_indicators.py [--skip-long] [--e2e [--runs N]]``
"""

from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from innocluster.indicators import ellison_glaeser, maurel_sedillot
from innocluster.monitor.compute import compute_indicators
from innocluster.monitor.io import validate


def rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def region_table(n_r=3000, n_i=500, n_y=10, seed=0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = n_r * n_i * n_y
    y, r, i = np.divmod(np.arange(n), n_r * n_i)[0], *np.divmod(np.arange(n) % (n_r * n_i), n_i)
    emp = rng.negative_binomial(1, 0.01, n).astype(float)
    return pd.DataFrame(
        {
            "region": pd.Categorical.from_codes(r, [f"r{k}" for k in range(n_r)]),
            "industry": pd.Categorical.from_codes(i, [f"i{k}" for k in range(n_i)]),
            "year": 2000 + y,
            "employment": emp,
            "establishments": np.ceil(emp / 20),
        }
    )


_STAGES = r"""
import json, resource, sys, time
from innocluster.monitor.compute import compute_indicators
from innocluster.monitor.io import load_data
t0 = time.perf_counter()
ds = load_data(sys.argv[1])
t1 = time.perf_counter()
s = compute_indicators(ds)
t2 = time.perf_counter()
del ds
n = s.write_long(sys.argv[2])
t3 = time.perf_counter()
print(json.dumps({"load_validate": t1 - t0, "compute": t2 - t1, "write_tidy": t3 - t2, "total": t3 - t0,
                  "rows": n, "peak_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2}))
"""


def _child_peak_gib(cmd: list[str]) -> tuple[float, float, subprocess.CompletedProcess]:
    """Run ``cmd``; wall time and its peak RSS (wait4 of that one child)."""
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t
    out, err = proc.stdout.read(), proc.stderr.read()
    rc = os.waitstatus_to_exitcode(status)
    return wall, ru.ru_maxrss / 1024**2, subprocess.CompletedProcess(cmd, rc, out, err)


def end_to_end(runs: int = 3) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "t15.parquet"
        region_table().to_parquet(data, index=False)
        print(f"e2e: {data.stat().st_size / 1e6:.0f} MB Parquet, 15,000,000 rows; load average {os.getloadavg()[0]:.1f}")
        stages, cli = [], []
        for k in range(runs):
            _, peak, r = _child_peak_gib([sys.executable, "-c", _STAGES, str(data), str(Path(tmp) / "s.parquet")])
            if r.returncode:
                raise SystemExit(r.stderr)
            st = json.loads(r.stdout)
            stages.append(st)
            print(f"  stages run {k + 1}: load+validate {st['load_validate']:.1f} s, compute {st['compute']:.1f} s, "
                  f"write tidy ({st['rows']:,} rows) {st['write_tidy']:.1f} s, total {st['total']:.1f} s, peak {st['peak_gib']:.2f} GiB")
            out = Path(tmp) / "cli.parquet"
            load = os.getloadavg()[0]
            wall, peak, r = _child_peak_gib([sys.executable, "-m", "innocluster.cli", "indicators", str(data), "--out", str(out)])
            if r.returncode:
                raise SystemExit(r.stderr)
            cli.append((wall, peak))
            print(f"  CLI run {k + 1}: {wall:.1f} s wall (process start to exit), peak {peak:.2f} GiB, load average before {load:.1f}; {r.stdout.strip()}")
        med = {k: statistics.median(s[k] for s in stages) for k in ("load_validate", "compute", "write_tidy", "total", "peak_gib")}
        print(f"median of {runs}: load+validate {med['load_validate']:.1f} s, compute {med['compute']:.1f} s, write tidy "
              f"{med['write_tidy']:.1f} s, total {med['total']:.1f} s, peak {med['peak_gib']:.2f} GiB")
        print(f"median CLI end to end {statistics.median(c[0] for c in cli):.1f} s (target < 30 s), "
              f"max peak {max(c[1] for c in cli):.2f} GiB (target < 4 GiB)")


def main() -> None:
    if "--e2e" in sys.argv:
        runs = int(sys.argv[sys.argv.index("--runs") + 1]) if "--runs" in sys.argv else 3
        end_to_end(runs)
        return
    skip_long = "--skip-long" in sys.argv
    df = region_table()
    print(f"table: {len(df):,} rows; RSS {rss_gib():.2f} GiB")
    t0 = time.perf_counter()
    ds = validate(df, source="bench")
    t1 = time.perf_counter()
    s = compute_indicators(ds)
    t2 = time.perf_counter()
    print(f"validate {t1 - t0:.1f} s, all indicators (10 years) {t2 - t1:.1f} s, total {t2 - t0:.1f} s (target < 30 s)")
    print(f"  cell table {s.cell.shape}, region table {s.region.shape}, industry table {s.industry.shape}")
    del ds, df
    if not skip_long:
        t3 = time.perf_counter()
        long = s.to_long()
        print(f"tidy long table: {len(long):,} rows in {time.perf_counter() - t3:.1f} s")
        del long
    del s
    print(f"peak RSS so far {rss_gib():.2f} GiB")

    rng = np.random.default_rng(1)
    n, n_ind, n_reg = 5_000_000, 500, 3000
    emp = rng.lognormal(2.5, 1.2, n)
    reg = rng.integers(0, n_reg, n)
    indus = rng.integers(0, n_ind, n)
    region_emp = np.bincount(reg, weights=emp, minlength=n_reg)
    t4 = time.perf_counter()
    eg = ellison_glaeser(emp, reg, region_emp, firm_industry=indus)
    t5 = time.perf_counter()
    ms = maurel_sedillot(emp, reg, region_emp, firm_industry=indus)
    t6 = time.perf_counter()
    print(f"Ellison-Glaeser, {n_ind} industries x {n:,} firms: {t5 - t4:.2f} s (target < 10 s); "
          f"Maurel-Sedillot {t6 - t5:.2f} s; mean gamma {np.nanmean(eg.gamma):.4f}, mean |z| {np.nanmean(np.abs(eg.z_G)):.2f}, "
          f"MS mean gamma {np.nanmean(ms.gamma):.4f}")
    print(f"peak RSS {rss_gib():.2f} GiB (target < 4 GiB)")


if __name__ == "__main__":
    main()
