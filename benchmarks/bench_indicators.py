"""Benchmark of the monitor's indicators.

1. All region-industry indicators for a 3,000-region x 500-industry table over 10
   years (15 million rows): validation, dense cube, every per-year indicator
   (LQ, strong clusters, stars, relatedness density, Krugman, Hachman, HHI, entropy,
   diversity / ubiquity / ECI / PCI, locational Gini, Hoover, growth). Target < 30 s.
2. Ellison-Glaeser for 500 industries over 5 million firm rows. Target < 10 s.

Peak memory (max RSS) is reported; target < 4 GiB.

Run: ``python benchmarks/bench_indicators.py [--skip-long]``
"""

from __future__ import annotations

import resource
import sys
import time

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


def main() -> None:
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
