"""Regenerate ``src/innocluster/data/synthetic_region_industry.csv``.

SYNTHETIC data (no real observations): six regions x eight industries x 1985-2010,
built so that the monitor has region-level series with a recognisable life cycle:

* hsinchu / semiconductors follows a logistic rise (inflection ~1996, ceiling ~400
  establishments) and then saturates (maturity);
* bangalore / software starts in 1991 and is still in fast growth at the end;
* wuxi / textiles is mature until ~2000 and then declines;
* everything else fluctuates around a flat level.

Run: ``python examples/make_synthetic_region_data.py`` (deterministic, seed 20240601).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from innocluster.atomic import atomic_write

REGIONS = ["hsinchu", "bangalore", "suzhou", "wuxi", "nanjing", "periphery"]
INDUSTRIES = ["semiconductors", "software", "electronics_assembly", "textiles", "machinery", "chemicals", "autos", "food"]
YEARS = np.arange(1985, 2011)
OUT = Path(__file__).resolve().parents[1] / "src" / "innocluster" / "data" / "synthetic_region_industry.csv"


def make(seed: int = 20240601) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    base = rng.uniform(5, 60, size=(len(REGIONS), len(INDUSTRIES)))
    base[REGIONS.index("periphery")] *= 6  # the rest of the economy is large
    rows = []
    for ri, r in enumerate(REGIONS):
        for ii, k in enumerate(INDUSTRIES):
            size_per_est = rng.uniform(40, 250)
            hightech = k in ("semiconductors", "software")
            for y in YEARS:
                est = base[ri, ii] * np.exp(rng.normal(0, 0.03))
                if (r, k) == ("hsinchu", "semiconductors"):
                    est = 400 / (1 + np.exp(-0.35 * (y - 1996))) + 3
                    size_per_est = 320
                elif (r, k) == ("bangalore", "software"):
                    est = 2 if y < 1991 else 2 + 1200 / (1 + np.exp(-0.3 * (y - 2012)))
                    size_per_est = 150
                elif (r, k) == ("wuxi", "textiles"):
                    est = 220 * (1.0 if y < 2000 else 0.93 ** (y - 1999))
                    size_per_est = 180
                est = max(1, round(est * np.exp(rng.normal(0, 0.02))))
                emp = round(est * size_per_est * np.exp(rng.normal(0, 0.03)))
                pat_rate = (0.8 if hightech else 0.05) * (1 + 0.04 * (y - 1985))
                patents = int(rng.poisson(est * pat_rate))
                rd = round(emp * (0.004 if hightech else 0.0005) * np.exp(rng.normal(0, 0.05)), 3)
                rows.append((r, k, int(y), emp, est, patents, rd))
    return pd.DataFrame(rows, columns=["region", "industry", "year", "employment", "establishments", "patents", "rd"])


if __name__ == "__main__":
    df = make()
    atomic_write(OUT, lambda p: df.to_csv(p, index=False))
    print(f"wrote {len(df)} rows to {OUT}")
