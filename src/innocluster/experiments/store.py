"""Results store: an embedded DuckDB catalogue plus one Parquet file per run.

Layout of a store folder::

    STORE/
      catalogue.duckdb                 experiments, design, runs, outcomes
      runs/<experiment>/s000012_r0003.parquet   time series of one run

Crash safety rests on one ordering rule: a run's Parquet file is written atomically
(temporary file, ``fsync``, :func:`os.replace`) *before* the run is recorded in the
catalogue, and the catalogue row plus its outcomes are inserted in one transaction.
The catalogue is the only source of truth: a run is done if and only if it has an
``ok`` row. A sweep killed at any instant therefore leaves either a complete run or
no run; a stray file from the interrupted run is overwritten when the run is redone
(its content would be identical: runs are deterministic in their seed).

Only one process writes a store at a time (DuckDB's file lock); readers open it
read-only. Any file that is not what it should be (a foreign DuckDB database, a
corrupt catalogue, a damaged run file) raises :class:`~innocluster.errors.InputError`
with the file named.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
import pandas as pd

from innocluster.atomic import atomic_to_parquet, atomic_write
from innocluster.errors import InputError

FORMAT = "innocluster-results"
VERSION = "1"
CATALOGUE = "catalogue.duckdb"
_EXP_NAME = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")

_SCHEMA = """
CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE experiments (
    name VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, created TIMESTAMP NOT NULL,
    spec VARCHAR NOT NULL, scenario VARCHAR NOT NULL, n_samples INTEGER NOT NULL,
    replications INTEGER NOT NULL);
CREATE TABLE samples (
    experiment VARCHAR NOT NULL, sample INTEGER NOT NULL, label VARCHAR NOT NULL,
    overrides VARCHAR NOT NULL, PRIMARY KEY (experiment, sample));
CREATE TABLE design (
    experiment VARCHAR NOT NULL, sample INTEGER NOT NULL, param VARCHAR NOT NULL,
    value DOUBLE NOT NULL, PRIMARY KEY (experiment, sample, param));
CREATE TABLE runs (
    experiment VARCHAR NOT NULL, sample INTEGER NOT NULL, rep INTEGER NOT NULL,
    seed BIGINT NOT NULL, status VARCHAR NOT NULL, attempts INTEGER NOT NULL,
    error VARCHAR, seconds DOUBLE, path VARCHAR, finished TIMESTAMP NOT NULL,
    PRIMARY KEY (experiment, sample, rep));
CREATE TABLE outcomes (
    experiment VARCHAR NOT NULL, sample INTEGER NOT NULL, rep INTEGER NOT NULL,
    outcome VARCHAR NOT NULL, value DOUBLE, PRIMARY KEY (experiment, sample, rep, outcome));
"""


def check_experiment_name(name: str) -> str:
    if not _EXP_NAME.match(name or ""):
        raise InputError(f"experiment {name!r}: use 1-64 letters, digits, '_', '-' or '.'", param="experiment")
    return name


def _json(obj) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"))


def spec_difference(old: dict, new: dict, prefix: str = "") -> str | None:
    """First differing key between two specs, as ``key: old -> new`` (None if equal)."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            if key not in old or key not in new:
                return f"{prefix}{key}: {'absent' if key not in old else 'set'} in the stored spec"
            d = spec_difference(old[key], new[key], f"{prefix}{key}.")
            if d:
                return d
        return None
    if old != new:
        o, n = str(old), str(new)
        if len(o) > 60 or len(n) > 60:
            return f"{prefix.rstrip('.')} differs"
        return f"{prefix.rstrip('.')}: {o} -> {n}"
    return None


class ResultsStore:
    """A results store folder (see the module docstring for its layout).

    Parameters
    ----------
    path : path-like
        Store folder.
    create : bool
        Create the store if the folder does not exist or is empty; otherwise it must be
        an existing store.
    read_only : bool
        Open the catalogue read-only (several readers may share it).

    Examples
    --------
    >>> with ResultsStore("runs/store") as st:            # doctest: +SKIP
    ...     st.experiments()
    """

    def __init__(self, path: str | Path, create: bool = False, read_only: bool = False):
        self.path = Path(path)
        self.catalogue_path = self.path / CATALOGUE
        self.read_only = read_only
        if self.path.exists() and not self.path.is_dir():
            # a store being created is the caller's output (``store=``, the CLI's --out);
            # one being read is just a path
            where = f"store {self.path}" if create else str(self.path)
            raise InputError(f"{where}: is a file, not a results store folder", param="store" if create else None)
        fresh = not self.catalogue_path.exists()
        if fresh:
            if not create:
                raise InputError(f"{self.path}: not an innocluster results store (no {CATALOGUE}); a sweep or "
                                 f"a comparison of policy arms with a store creates one")
            if self.path.exists() and any(p.name != "runs" for p in self.path.iterdir()):
                raise InputError(f"{self.path}: folder is not empty and holds no {CATALOGUE}; "
                                 f"choose a new or empty folder for the results store")
            try:
                self.path.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise InputError(f"store {self.path}: cannot write there ({exc.strerror or exc})",
                                 param="store") from None
        self.con = self._connect(read_only=read_only and not fresh)
        if fresh:
            self.con.execute("BEGIN")
            self.con.execute(_SCHEMA)
            self.con.execute("INSERT INTO meta VALUES ('format', ?), ('version', ?)", [FORMAT, VERSION])
            self.con.execute("COMMIT")
        self._check_format()

    # ------------------------------------------------------------------ opening
    def _connect(self, read_only: bool) -> duckdb.DuckDBPyConnection:
        try:
            return duckdb.connect(str(self.catalogue_path), read_only=read_only)
        except duckdb.Error as exc:
            text = str(exc)
            if "lock" in text.lower():
                pid = re.search(r"PID (\d+)", text)
                raise InputError(f"{self.catalogue_path}: the store is in use by another process"
                                 f"{' (PID ' + pid.group(1) + ')' if pid else ''}, e.g. a running sweep; "
                                 f"wait for it or stop it") from None
            raise InputError(f"{self.catalogue_path}: corrupt or not a DuckDB catalogue ({text.splitlines()[0]}); "
                             f"move it away and re-run the sweep to rebuild the store") from None

    def _check_format(self) -> None:
        try:
            meta = dict(self.con.execute("SELECT key, value FROM meta").fetchall())
        except duckdb.Error:
            self.close()
            raise InputError(f"{self.catalogue_path}: a DuckDB database but not an innocluster results "
                             f"catalogue (no 'meta' table)") from None
        if meta.get("format") != FORMAT:
            self.close()
            raise InputError(f"{self.catalogue_path}: foreign DuckDB database (format {meta.get('format')!r}, "
                             f"expected {FORMAT!r})")
        if meta.get("version") != VERSION:
            self.close()
            raise InputError(f"{self.catalogue_path}: results store version {meta.get('version')!r}; "
                             f"this innocluster reads version {VERSION}")

    def close(self) -> None:
        if getattr(self, "con", None) is not None:
            self.con.close()
            self.con = None

    def __enter__(self) -> ResultsStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _q(self, sql: str, params=None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()

    # ------------------------------------------------------------------ experiments
    def experiments(self) -> pd.DataFrame:
        """One row per experiment with run counts (ok, failed, total planned)."""
        return self._q("""
            SELECT e.name, e.kind, e.created, e.n_samples, e.replications,
                   e.n_samples * e.replications AS planned,
                   count(r.status) FILTER (WHERE r.status = 'ok') AS ok,
                   count(r.status) FILTER (WHERE r.status = 'failed') AS failed
            FROM experiments e LEFT JOIN runs r ON r.experiment = e.name
            GROUP BY ALL ORDER BY e.created, e.name""")

    def experiment(self, name: str | None = None) -> dict:
        """Spec and counts of one experiment (the only one when ``name`` is None)."""
        exps = self.experiments()
        if exps.empty:
            raise InputError(f"{self.path}: the store holds no experiment yet")
        if name is None:
            if len(exps) > 1:
                raise InputError(f"experiment: the store {self.path} holds {len(exps)} experiments "
                                 f"({', '.join(exps['name'])}); choose one", param="experiment")
            name = exps["name"].iloc[0]
        row = exps[exps["name"] == name]
        if row.empty:
            raise InputError(f"{self.path}: no experiment named {name!r}; have {', '.join(exps['name'])}")
        info = row.iloc[0].to_dict()
        spec, scen = self.con.execute("SELECT spec, scenario FROM experiments WHERE name = ?", [name]).fetchone()
        info["spec"] = json.loads(spec)
        info["scenario_toml"] = scen
        return info

    def ensure_experiment(self, name: str, kind: str, spec: dict, scenario_toml: str,
                          samples: list[tuple[str, list[str]]], design: pd.DataFrame | None = None) -> bool:
        """Create the experiment, or check that the stored one has exactly this spec.

        Parameters
        ----------
        samples : list of (label, overrides)
            One entry per sample (design row or policy arm).
        design : DataFrame, optional
            Sweep design, one column per parameter, one row per sample.

        Returns
        -------
        bool
            True when the experiment already existed (the caller resumes it).

        Raises
        ------
        InputError
            The store holds an experiment of this name with a different spec.
        """
        check_experiment_name(name)
        spec = json.loads(_json(spec))  # normalise (tuples -> lists) before comparing
        row = self.con.execute("SELECT spec, scenario FROM experiments WHERE name = ?", [name]).fetchone()
        if row is not None:
            old = json.loads(row[0])
            diff = spec_difference(old, spec)
            if diff is None and row[1] != scenario_toml:
                diff = "scenario: the resolved scenario differs (file edited?)"
            if diff:
                raise InputError(f"experiment {name!r}: was started in {self.path} with a different spec ({diff}); "
                                 f"run the original settings again to resume it, or choose another experiment "
                                 f"name or store", param="experiment")
            return True
        reps = int(spec["replications"])
        self.con.execute("BEGIN")
        try:
            self.con.execute("INSERT INTO experiments VALUES (?, ?, now(), ?, ?, ?, ?)",
                             [name, kind, _json(spec), scenario_toml, len(samples), reps])
            self.con.executemany("INSERT INTO samples VALUES (?, ?, ?, ?)",
                                 [[name, i, lab, _json(list(ov))] for i, (lab, ov) in enumerate(samples)])
            if design is not None and len(design.columns):
                long = design.reset_index(drop=True).rename_axis("sample").reset_index().melt(
                    id_vars="sample", var_name="param", value_name="value")
                long.insert(0, "experiment", name)
                self.con.register("_design", long)
                self.con.execute("INSERT INTO design SELECT experiment, sample, param, value FROM _design")
                self.con.unregister("_design")
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        return False

    def samples(self, name: str) -> pd.DataFrame:
        """Label and overrides of each sample."""
        df = self._q("SELECT sample, label, overrides FROM samples WHERE experiment = ? ORDER BY sample", [name])
        df["overrides"] = df["overrides"].map(json.loads)
        return df

    def design(self, name: str) -> pd.DataFrame:
        """Sweep design, one row per sample, one column per parameter (in spec order)."""
        df = self._q("SELECT sample, param, value FROM design WHERE experiment = ?", [name])
        names = self.experiment(name)["spec"].get("problem", {}).get("names", [])
        if df.empty:
            return pd.DataFrame(columns=names)
        wide = df.pivot(index="sample", columns="param", values="value").sort_index()
        return wide[names] if names else wide

    # ------------------------------------------------------------------ runs
    def run_path(self, name: str, sample: int, rep: int) -> Path:
        return self.path / "runs" / name / f"s{sample:06d}_r{rep:04d}.parquet"

    def done(self, name: str) -> set[tuple[int, int]]:
        """(sample, rep) keys of the runs recorded ``ok``."""
        rows = self.con.execute("SELECT sample, rep FROM runs WHERE experiment = ? AND status = 'ok'",
                                [name]).fetchall()
        return {(int(s), int(r)) for s, r in rows}

    def repair(self, name: str) -> list[str]:
        """Prepare an experiment for resuming: remove temporary files left by a killed
        writer, and forget ``ok`` runs whose Parquet file is missing or unreadable (they
        are run again). Returns one note per forgotten run."""
        import pyarrow.parquet as pq

        folder = self.path / "runs" / name
        if folder.exists():
            for tmp in folder.glob(".*.tmp"):
                tmp.unlink(missing_ok=True)
        notes = []
        rows = self.con.execute("SELECT sample, rep, path FROM runs WHERE experiment = ? AND status = 'ok'",
                                [name]).fetchall()
        bad = []
        for s, r, rel in rows:
            if rel is None:  # recorded without a series (keep_series=False): nothing to check
                continue
            p = self.path / rel
            try:
                pq.read_metadata(p)
            except Exception as exc:  # noqa: BLE001 - any unreadable file is redone
                bad.append((s, r))
                notes.append(f"{p}: {'missing' if not p.exists() else 'unreadable'} ({type(exc).__name__}); run again")
        if bad:
            self.con.execute("BEGIN")
            for s, r in bad:
                self.con.execute("DELETE FROM runs WHERE experiment = ? AND sample = ? AND rep = ?", [name, s, r])
                self.con.execute("DELETE FROM outcomes WHERE experiment = ? AND sample = ? AND rep = ?", [name, s, r])
            self.con.execute("COMMIT")
        return notes

    def record(self, name: str, sample: int, rep: int, seed: int, *, ok: bool, attempts: int,
               error: str | None = None, seconds: float | None = None, series: pd.DataFrame | None = None,
               outcomes: dict[str, float] | None = None) -> None:
        """Record one finished (or finally failed) run.

        The Parquet file is put in place first, then the catalogue row and outcomes are
        committed together (see the module docstring).
        """
        rel = None
        if ok and series is not None:
            p = self.run_path(name, sample, rep)
            atomic_to_parquet(series, p)
            rel = str(p.relative_to(self.path))
        key = [name, int(sample), int(rep)]
        self.con.execute("BEGIN")
        try:
            self.con.execute("DELETE FROM runs WHERE experiment = ? AND sample = ? AND rep = ?", key)
            self.con.execute("DELETE FROM outcomes WHERE experiment = ? AND sample = ? AND rep = ?", key)
            self.con.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, now())",
                             key + [int(seed), "ok" if ok else "failed", int(attempts), error, seconds, rel])
            if ok and outcomes:
                self.con.executemany("INSERT INTO outcomes VALUES (?, ?, ?, ?, ?)",
                                     [key + [k, float(v)] for k, v in outcomes.items()])
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise

    def runs(self, name: str) -> pd.DataFrame:
        """The catalogue rows of an experiment's runs."""
        return self._q("""SELECT r.sample, s.label, r.rep, r.seed, r.status, r.attempts, r.error, r.seconds,
                                 r.path, r.finished
                          FROM runs r JOIN samples s ON s.experiment = r.experiment AND s.sample = r.sample
                          WHERE r.experiment = ? ORDER BY r.sample, r.rep""", [name])

    def outcome_names(self, name: str) -> list[str]:
        rows = self.con.execute("SELECT DISTINCT outcome FROM outcomes WHERE experiment = ? ORDER BY outcome",
                                [name]).fetchall()
        return [r[0] for r in rows]

    def outcomes(self, name: str, outcomes: Iterable[str] | None = None) -> pd.DataFrame:
        """Wide table of outcomes: one row per ``ok`` run (sample, rep, seed), one column per outcome.

        Outcomes recorded at run time come from the catalogue; any other
        ``METRIC@YEAR@REGION`` is computed from the runs' Parquet files with DuckDB.
        """
        runs = self._q("""SELECT r.sample, s.label, r.rep, r.seed FROM runs r
                          JOIN samples s ON s.experiment = r.experiment AND s.sample = r.sample
                          WHERE r.experiment = ? AND r.status = 'ok' ORDER BY r.sample, r.rep""", [name])
        wanted = list(outcomes) if outcomes is not None else self.outcome_names(name)
        recorded = set(self.outcome_names(name))
        for oc in wanted:
            if oc in recorded:
                vals = self._q("SELECT sample, rep, value FROM outcomes WHERE experiment = ? AND outcome = ?",
                               [name, oc])
            else:
                vals = self._outcome_from_series(name, oc)
            runs = runs.merge(vals.rename(columns={"value": oc}), on=["sample", "rep"], how="left")
        return runs

    def _outcome_from_series(self, name: str, outcome: str) -> pd.DataFrame:
        parts = outcome.split("@")
        if len(parts) != 3:
            raise InputError(f"outcome {outcome!r}: not recorded in this experiment; give it in full as "
                             f"METRIC@YEAR@REGION to compute it from the stored series", param="outcome")
        metric, year, region = parts
        paths = self.run_files(name)
        if not paths:
            return pd.DataFrame({"sample": [], "rep": [], "value": []})
        cols = self._series_columns(paths[0])
        if metric not in cols:
            raise InputError(f"outcome {outcome!r}: unknown metric {metric!r}; the stored series have "
                             f"{', '.join(c for c in cols if c not in ('sample', 'rep', 'seed'))[:300]}", param="outcome")
        if year == "last":
            cond = "year = max(year) OVER (PARTITION BY sample, rep)"
        elif year == "first":
            cond = "year = min(year) OVER (PARTITION BY sample, rep)"
        else:
            try:
                cond = f"year = {int(year)}"
            except ValueError:
                raise InputError(f"outcome {outcome!r}: year must be a calendar year, 'last' or 'first'", param="outcome") from None
        sql = f"""SELECT sample, rep, CAST("{metric}" AS DOUBLE) AS value FROM (
                    SELECT *, {cond} AS _hit FROM read_parquet(?, union_by_name = true)
                  ) WHERE _hit AND region = ?"""
        try:
            return self._q(sql, [[str(p) for p in paths], region])
        except duckdb.Error as exc:
            raise InputError(f"{self.path}: cannot read the run files ({str(exc).splitlines()[0]}); "
                             f"re-run the sweep command to redo damaged runs") from None

    def _series_columns(self, path: Path) -> list[str]:
        import pyarrow.parquet as pq

        try:
            return pq.read_schema(path).names
        except Exception as exc:  # noqa: BLE001
            raise InputError(f"{path}: corrupt run file ({type(exc).__name__}); re-run the sweep command "
                             f"to redo it") from None

    def run_files(self, name: str) -> list[Path]:
        rows = self.con.execute("""SELECT path FROM runs WHERE experiment = ? AND status = 'ok'
                                   AND path IS NOT NULL ORDER BY sample, rep""", [name]).fetchall()
        return [self.path / r[0] for r in rows]

    def read_series(self, name: str, sample: int, rep: int) -> pd.DataFrame:
        """Time series of one run."""
        p = self.run_path(name, sample, rep)
        try:
            return pd.read_parquet(p)
        except Exception as exc:  # noqa: BLE001
            raise InputError(f"{p}: corrupt or missing run file ({type(exc).__name__}); re-run the sweep "
                             f"command to redo it") from None

    def iter_series(self, name: str) -> Iterator[pd.DataFrame]:
        """Time series of every ``ok`` run, one at a time (memory stays flat)."""
        for s, r in sorted(self.done(name)):
            yield self.read_series(name, s, r)

    def export(self, name: str, what: str, out: str | Path) -> Path:
        """Write ``runs``, ``outcomes`` or ``series`` of an experiment to CSV or Parquet, atomically.

        ``series`` is streamed by DuckDB from the run files, never loaded whole.
        """
        out = Path(out)
        fmt = out.suffix.lower()
        if fmt not in (".csv", ".parquet"):
            raise InputError(f"out {out}: use a .csv or .parquet file name", param="out")
        if what == "runs":
            df = self.runs(name)
        elif what == "outcomes":
            df = self.outcomes(name)
            design = self.design(name)
            if len(design.columns):
                df = df.merge(design.reset_index(), on="sample", how="left")
        elif what == "series":
            paths = [str(p) for p in self.run_files(name)]
            if not paths:
                raise InputError(f"{self.path}: experiment {name!r} has no completed runs to export")
            opts = "FORMAT parquet" if fmt == ".parquet" else "FORMAT csv, HEADER true"

            def write(tmp: Path) -> None:
                try:
                    self.con.execute(f"COPY (SELECT * FROM read_parquet(?, union_by_name = true) "
                                     f"ORDER BY sample, rep, year, region) TO '{tmp}' ({opts})", [paths])
                except duckdb.Error as exc:
                    raise InputError(f"{self.path}: cannot read the run files ({str(exc).splitlines()[0]}); "
                                     f"re-run the sweep command to redo damaged runs") from None

            return atomic_write(out, write)
        else:
            raise InputError(f"what {what!r}: use runs, outcomes or series", param="what")
        if fmt == ".csv":
            return atomic_write(out, lambda p: df.to_csv(p, index=False))
        return atomic_to_parquet(df, out)


def wait_for_unlock(path: str | Path, timeout: float = 10.0) -> ResultsStore:
    """Open a store read-only, retrying while a writer holds the lock (for scripts and tests)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return ResultsStore(path, read_only=True)
        except InputError as exc:
            if "in use" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.1)

