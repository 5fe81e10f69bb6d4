"""The dashboard's session folder: work that survives a page reload.

Everything a page produces is written here as plain data files (TOML, JSON, Parquet,
NumPy ``.npz``; never pickles) and read back when a new browser session starts:

* ``scenario.toml`` + ``scenario.json`` — the last valid scenario and where it came from;
* ``draft.json`` — an invalid edit on the Scenario page with its error message;
* ``run/`` — the last simulation (time series, final firms, ties, Figure 1, the yearly
  frames of the firm map);
* ``comparison/`` — the last policy comparison;
* ``monitor/`` — the file the Monitor page analysed (its bytes and the focus);
* ``store/`` — the results store of the Sweep page (and of comparisons saved there);
* ``sweep.json`` — the last sweep's experiment name and outcome.

The folder is ``$INNOCLUSTER_DASHBOARD_DIR`` (``innocluster dashboard --workdir``), by
default ``runs/dashboard`` under the working directory. It holds one workspace: browser
tabs on the same dashboard share it. Every write is atomic (a temporary folder or file
moved into place), so a reload in the middle of a write sees the previous version.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

ENV = "INNOCLUSTER_DASHBOARD_DIR"
DEFAULT_DIR = "runs/dashboard"


def workdir() -> Path:
    return Path(os.environ.get(ENV) or DEFAULT_DIR).expanduser()


def store_dir() -> Path:
    return workdir() / "store"


def _write_text(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.replace(tmp, path)


def _write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def _json_default(v):
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return float(v)
    if isinstance(v, np.ndarray):
        return v.tolist()
    if isinstance(v, Path):
        return str(v)
    return str(v)


def _dump(obj) -> str:
    return json.dumps(obj, default=_json_default, indent=1)


def _replace_dir(final: Path, fill) -> None:
    """Write a folder's files into a temporary sibling, then swap it into place."""
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    try:
        fill(tmp)
        old = None
        if final.exists():
            old = final.with_name(f".{final.name}.old")
            if old.exists():
                shutil.rmtree(old)
            os.replace(final, old)
        os.replace(tmp, final)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        path.unlink()


def _frame(df: pd.DataFrame) -> pd.DataFrame:
    """Object columns with mixed content are written as strings (Parquet needs one type)."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object:
            kinds = {type(v) for v in out[c].dropna()}
            if len(kinds) > 1 or (kinds and not kinds <= {str}):
                out[c] = out[c].map(lambda v: v if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
    return out


# ------------------------------------------------------------------ scenario
def save_scenario(sc, origin: str) -> None:
    from innocluster.scenario import scenario_to_toml

    d = workdir()
    _write_text(d / "scenario.toml", scenario_to_toml(sc))
    _write_text(d / "scenario.json", _dump({"origin": origin}))


def _scenario_from_toml(text: str, source: str):
    from innocluster.scenario import scenario_from_dict

    return scenario_from_dict(tomllib.loads(text), source)


def load_scenario_state():
    """``(scenario, origin)`` of the last session, or None."""
    d = workdir()
    p = d / "scenario.toml"
    if not p.exists():
        return None
    sc = _scenario_from_toml(p.read_text(encoding="utf-8"), str(p))
    meta = json.loads((d / "scenario.json").read_text(encoding="utf-8")) if (d / "scenario.json").exists() else {}
    return sc, meta.get("origin", "restored")


def save_draft(data: dict | None, error: str | None = None) -> None:
    p = workdir() / "draft.json"
    if data is None:
        _remove(p)
    else:
        _write_text(p, _dump({"data": data, "error": error}))


def load_draft() -> dict | None:
    p = workdir() / "draft.json"
    if not p.exists():
        return None
    return json.loads(p.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ run
def save_run(r: dict) -> None:
    from innocluster.scenario import scenario_to_toml

    def fill(t: Path) -> None:
        (t / "scenario.toml").write_text(scenario_to_toml(r["scenario"]), encoding="utf-8")
        _frame(r["timeseries"]).to_parquet(t / "timeseries.parquet", index=False)
        _frame(r["final_firms"]).to_parquet(t / "final_firms.parquet", index=False)
        u, v = r["ties"]
        np.savez(t / "ties.npz", u=np.asarray(u), v=np.asarray(v))
        if r.get("curves") is not None:
            _frame(r["curves"]).to_parquet(t / "curves.parquet", index=False)
        for key in ("frames", "frame_ties"):
            if r.get(key) is not None:
                _frame(r[key]).to_parquet(t / f"{key}.parquet", index=False)
        meta = {k: r.get(k) for k in ("seed", "years", "firms", "seconds", "stage_names", "curves_meta",
                                       "curves_error", "sample_note")}
        (t / "meta.json").write_text(_dump(meta), encoding="utf-8")

    _replace_dir(workdir() / "run", fill)


def load_run() -> dict | None:
    t = workdir() / "run"
    if not (t / "meta.json").exists():
        return None
    meta = json.loads((t / "meta.json").read_text(encoding="utf-8"))
    ties = np.load(t / "ties.npz")
    r = dict(meta)
    r["scenario"] = _scenario_from_toml((t / "scenario.toml").read_text(encoding="utf-8"), "restored run")
    r["timeseries"] = pd.read_parquet(t / "timeseries.parquet")
    r["final_firms"] = pd.read_parquet(t / "final_firms.parquet")
    r["ties"] = (ties["u"], ties["v"])
    r["curves"] = pd.read_parquet(t / "curves.parquet") if (t / "curves.parquet").exists() else None
    for key in ("frames", "frame_ties"):
        r[key] = pd.read_parquet(t / f"{key}.parquet") if (t / f"{key}.parquet").exists() else None
    r["restored"] = True
    return r


# ------------------------------------------------------------------ comparison
def save_comparison(c: dict) -> None:
    def fill(t: Path) -> None:
        for key in ("summary", "differences", "runs"):
            _frame(c[key]).to_parquet(t / f"{key}.parquet", index=False)
        meta = {k: c.get(k) for k in ("arms", "settings", "failed", "region", "metrics")}
        (t / "meta.json").write_text(_dump(meta), encoding="utf-8")

    _replace_dir(workdir() / "comparison", fill)


def load_comparison() -> dict | None:
    t = workdir() / "comparison"
    if not (t / "meta.json").exists():
        return None
    c = json.loads((t / "meta.json").read_text(encoding="utf-8"))
    for key in ("summary", "differences", "runs"):
        c[key] = pd.read_parquet(t / f"{key}.parquet")
    c["restored"] = True
    return c


# ------------------------------------------------------------------ monitor
def save_monitor(name: str, data: bytes | None, uploaded: bool, example: str | None = None,
                 region: str | None = None, industry: str | None = None) -> None:
    """The file the Monitor page shows (uploaded bytes; examples by name only)."""
    d = workdir() / "monitor"
    meta = {"name": name, "uploaded": bool(uploaded), "example": example, "region": region, "industry": industry}
    if uploaded and data is not None:
        _write_bytes(d / "upload.bin", data)
    elif (d / "upload.bin").exists():
        (d / "upload.bin").unlink()
    _write_text(d / "meta.json", _dump(meta))


def load_monitor() -> dict | None:
    d = workdir() / "monitor"
    if not (d / "meta.json").exists():
        return None
    meta = json.loads((d / "meta.json").read_text(encoding="utf-8"))
    if meta.get("uploaded"):
        if not (d / "upload.bin").exists():
            return None
        meta["data"] = (d / "upload.bin").read_bytes()
    return meta


def clear_monitor() -> None:
    _remove(workdir() / "monitor")


# ------------------------------------------------------------------ sweep
def save_sweep(meta: dict) -> None:
    _write_text(workdir() / "sweep.json", _dump(meta))


def load_sweep() -> dict | None:
    p = workdir() / "sweep.json"
    if not p.exists():
        return None
    return json.loads(p.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ restore
def restore_into(state) -> list[str]:
    """Fill a fresh session state from the folder; return what was restored (for a note).

    A file that cannot be read is skipped with a note; the page never fails on it.
    """
    restored = []
    loaders = (
        ("scenario", load_scenario_state, "the edited scenario"),
        ("scenario_draft", load_draft, "an invalid scenario edit"),
        ("run", load_run, "the last run"),
        ("comparison", load_comparison, "the last comparison"),
        ("monitor_saved", load_monitor, "the monitor's file"),
        ("sweep", load_sweep, "the last sweep"),
    )
    for key, loader, label in loaders:
        try:
            value = loader()
        except Exception as exc:  # noqa: BLE001 - a damaged file is skipped, never a traceback
            restored.append(f"could not restore {label} ({type(exc).__name__})")
            continue
        if value is None:
            continue
        if key == "scenario":
            state["scenario"], state["scenario_origin"] = value
        else:
            state[key] = value
        restored.append(label)
    return restored
