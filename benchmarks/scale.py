"""Scaling of the full model: wall time and peak memory against the number of firms.

Usage::

    python benchmarks/scale.py [--max-firms 10000000] [--min-firms 10000] [--years 10]
                               [--scenario hsinchu] [--per-decade 1] [--timeout 7200] [--plot-only]

Runs the engine with every mechanism of the scenario (default ``hsinchu``, the full
model) at 10^4, 10^5, ... up to ``--max-firms`` initial firms (``--per-decade 2`` adds
3x10^k sizes), each size in a fresh subprocess (the child of
``benchmarks/run_engine.py``: a small warm-up run that loads the compiled twins and
the modules results collection imports, then the timed construction, ``--years`` steps and results collection), reading
``ru_maxrss`` and subtracting that of an interpreter with the package imported and the
twins loaded. Writes ``benchmarks/results/scale.json`` (after every size, so an
interrupted sweep keeps what it measured) and ``benchmarks/results/scale.png`` (time
and memory against firms, log-log, with a slope-1 reference).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from run_engine import CHILD  # noqa: E402  (the same child as `make bench`)


def sizes(lo: int, hi: int, per_decade: int) -> list[int]:
    mult = {1: [1], 2: [1, 3], 3: [1, 2, 5]}[per_decade]
    out, dec = [], 1
    while dec <= hi:
        out += [dec * m for m in mult if lo <= dec * m <= hi]
        dec *= 10
    return out


def measure(firms: int, years: int, scenario: str, timeout: float | None) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(firms), str(years), scenario],
                         capture_output=True, text=True, timeout=timeout)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"exit {out.returncode}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def plot(rows: list[dict], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    n = np.array([r["firms"] for r in rows], dtype=float)
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
    ax1.loglog(n, [r["model_s"] for r in rows], "o-", label="model (init + steps + results)")
    ax1.loglog(n, [r["steps_s"] for r in rows], "s--", label="steps only")
    ax2.loglog(n, [r["peak_mb"] for r in rows], "o-", color="C2", label="peak RSS above interpreter")
    ax2.loglog(n, [r["table_bytes_per_firm"] * r["peak_firms"] / 2**20 for r in rows], "s--", color="C3",
               label="firm table (bytes at the end x peak firms)")
    for ax, key in ((ax1, "model_s"), (ax2, "peak_mb")):
        y1 = rows[-1][key]  # anchored at the largest size, where fixed overheads matter least
        if y1 > 0:
            ax.loglog(n, y1 * n / n[-1], ":", color="grey", label="slope 1 (linear)")
        ax.set_xlabel("initial firms")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    ax1.set_ylabel("wall time, s")
    ax2.set_ylabel("memory, MB")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> list[dict]:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--max-firms", type=int, default=10_000_000, help="largest size (default 10^7)")
    ap.add_argument("--min-firms", type=int, default=10_000, help="smallest size (default 10^4)")
    ap.add_argument("--years", type=int, default=10, help="years per run (default 10)")
    ap.add_argument("--scenario", default="hsinchu", help="scenario with the full model (default hsinchu)")
    ap.add_argument("--per-decade", type=int, choices=(1, 2, 3), default=1, help="sizes per decade (1, 2 or 3)")
    ap.add_argument("--timeout", type=float, default=None, help="seconds per size; larger sizes are skipped after one times out")
    ap.add_argument("--out", type=Path, default=HERE / "results", help="output directory (default benchmarks/results)")
    ap.add_argument("--plot-only", action="store_true", help="redraw scale.png from an existing scale.json")
    a = ap.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    if a.plot_only:
        data = json.loads((a.out / "scale.json").read_text())
        m = data["meta"]
        plot(data["rows"], a.out / "scale.png", f"innocluster engine, scenario {m['scenario']}, {m['years']} years "
                                                f"({m['machine']}, Python {m['python']})")
        return data["rows"]
    base_kb = measure(0, 0, a.scenario, None)["rss_kb"]
    meta = {"scenario": a.scenario, "years": a.years, "baseline_rss_mb": round(base_kb / 1024, 1),
            "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
            "python": platform.python_version(), "date": time.strftime("%Y-%m-%d %H:%M"),
            "load_average_at_start": round(os.getloadavg()[0], 2)}
    rows: list[dict] = []
    for n in sizes(a.min_firms, a.max_firms, a.per_decade):
        t = time.perf_counter()
        try:
            r = measure(n, a.years, a.scenario, a.timeout)
        except subprocess.TimeoutExpired:
            print(f"{n:>12,} firms: timed out after {a.timeout:.0f} s; stopping", flush=True)
            meta["stopped_at"] = {"firms": n, "reason": f"timeout {a.timeout:.0f} s"}
            break
        except (RuntimeError, MemoryError) as exc:
            print(f"{n:>12,} firms: failed ({exc}); stopping", flush=True)
            meta["stopped_at"] = {"firms": n, "reason": str(exc)}
            break
        wall = time.perf_counter() - t
        peak_mb = (r["rss_kb"] - base_kb) / 1024
        row = {"firms": n, "years": a.years, "model_s": round(r["init_s"] + r["steps_s"] + r["results_s"], 3),
               "init_s": round(r["init_s"], 3), "steps_s": round(r["steps_s"], 3), "results_s": round(r["results_s"], 3),
               "firm_steps_per_s": round(n * a.years / r["steps_s"]), "peak_firms": r["peak_firms"],
               "firms_end": r["firms_end"], "peak_mb": round(peak_mb, 1),
               "bytes_per_firm": round(peak_mb * 2**20 / max(r["peak_firms"], 1)),
               "table_bytes_per_firm": round(r["table_bytes_per_firm"]), "process_wall_s": round(wall, 1)}
        rows.append(row)
        print(f"{n:>12,} firms x {a.years} years: model {row['model_s']:9.2f} s (steps {row['steps_s']:.2f} s, "
              f"{row['firm_steps_per_s']:,} firm-steps/s), peak {row['peak_mb']:,.0f} MB "
              f"({row['bytes_per_firm']:,} B per firm at peak {row['peak_firms']:,} firms)", flush=True)
        (a.out / "scale.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))
    (a.out / "scale.json").write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))
    if rows:
        plot(rows, a.out / "scale.png", f"innocluster engine, scenario {a.scenario}, {a.years} years "
                                        f"({meta['machine']}, Python {meta['python']})")
        print(f"wrote {a.out / 'scale.json'} and {a.out / 'scale.png'}")
    return rows


if __name__ == "__main__":
    main()
