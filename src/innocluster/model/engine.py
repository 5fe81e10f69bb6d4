"""The simulation engine: the initial population, the yearly step order, the results.

One step is one year (``docs/model.md``, "Process overview and scheduling"):

1. market (:mod:`.market`)
2. supply (:mod:`.supply`: sales cut to what a firm sells at a profit), costs and
   agglomeration, operating accounts (:mod:`.costs`, :mod:`.accounts`)
3. finance (:mod:`.finance`)
4. innovation: knowledge pool (:mod:`.knowledge`), own research (:mod:`.research`),
   absorption (:mod:`.absorption`), capabilities (:mod:`.capabilities`); profit and
   balance sheets (:mod:`.accounts`)
5. diffusion, catch-up to the frontier, productivity shocks and new trust ties
   (:mod:`.diffusion`, :mod:`.catchup`, :mod:`.shocks`, :mod:`.ties`)
6. entry: start-ups and spin-offs (:mod:`.startups`, :mod:`.spinoffs`)
7. relocation and MNE inflow (:mod:`.relocation`, :mod:`.mne_inflow`)
8. GVC upgrading (:mod:`.upgrading`)
9. learning about viability, exit (:mod:`.learning`, :mod:`.exit`), then ties
   dissolve (:mod:`.ties`)
10. government and institutions (:mod:`.government`)
11. record (:mod:`.record`)

Each mechanism draws from its own random stream (:mod:`.streams`), so a run is
reproducible from ``(innocluster version, scenario, seed)`` and switching one
mechanism off leaves the others' draws as they were.

Example
-------
>>> from innocluster import load_scenario, simulate
>>> res = simulate(load_scenario("hsinchu"), seed=1, years=5, firms=500)
>>> res.timeseries.query("region == 'hsinchu'")["firms"].iloc[-1] > 0
True
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from innocluster.errors import InputError
from innocluster.model import (
    absorption,
    accounts,
    allocator,
    capabilities,
    catchup,
    costs,
    diffusion,
    finance,
    government,
    initial,
    knowledge,
    learning,
    market,
    mne_inflow,
    record,
    relocation,
    research,
    shocks,
    spinoffs,
    startups,
    supply,
    ties,
    upgrading,
)
from innocluster.model import exit as exit_
from innocluster.model.network import TrustNetwork
from innocluster.model.state import FirmTable
from innocluster.model.streams import RandomStreams
from innocluster.model.world import World, YearCounters, build_regions
from innocluster.scenario.schema import Scenario


#: the files a run folder holds (:meth:`SimulationResults.save`, ``innocluster run``)
RUN_FILES = ("timeseries.parquet", "ledger.parquet", "firms.parquet", "ties.parquet", "scenario.toml",
             "overview.png", "run.json", "firm_panel.parquet")


@dataclass(repr=False)
class SimulationResults:
    """What a run produced (statsmodels-style results object: data, no live model).

    Attributes
    ----------
    scenario : Scenario
        The resolved scenario that was run, its run settings (``seed``, ``years`` and,
        when the economy was rescaled, ``firms``) written in: saved and run again, it
        gives the same results.
    seed : int
    timeseries : pandas.DataFrame
        One row per region and year (docs/model.md, "Design concepts", observation).
    firms : pandas.DataFrame
        The final firm table, one row per firm in id order.
    ties : pandas.DataFrame
        The final trust ties, one row per tie: ``firm_a < firm_b``, firm ids of
        :attr:`firms` (:meth:`tie_rows` gives them as row positions).
    ledger : pandas.DataFrame
        Money flows into (+) and out of (-) the firm sector per year and the change
        in total net worth; ``residual`` is zero when every USD is accounted for.
    firm_panel : pandas.DataFrame or None
        Yearly firm snapshots in the monitor's schema (``firm_panel=True``).
    record : {"yearly", "final"}
        How the run recorded (:class:`ClusterModel`).
    """

    scenario: Scenario
    seed: int
    timeseries: pd.DataFrame
    firms: pd.DataFrame
    ties: pd.DataFrame
    ledger: pd.DataFrame
    firm_panel: pd.DataFrame | None = None
    record: str = "yearly"

    def __repr__(self) -> str:
        ts = self.timeseries
        years = f"{int(ts['year'].min())}-{int(ts['year'].max())}" if len(ts) else "none recorded"
        panel = f"{len(self.firm_panel):,} rows" if self.firm_panel is not None else "no"
        regions = ", ".join(r.name for r in self.scenario.regions)
        return (f"<SimulationResults {self.scenario.name!r}: seed {self.seed}, years {years}, regions {regions}; "
                f"{len(self.firms):,} firms and {len(self.ties):,} ties at the end; firm panel: {panel}>")

    def region(self, name: str) -> pd.DataFrame:
        """Time series of one region."""
        names = list(dict.fromkeys(self.timeseries["region"]))
        if name not in names:
            raise InputError(f"name = {name!r}: no such region; have {', '.join(map(str, names))}", param="name")
        return self.timeseries[self.timeseries["region"] == name].reset_index(drop=True)

    def tie_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """The final trust ties as pairs of row positions in :attr:`firms` (sorted by id)."""
        ids = self.firms["id"].to_numpy()
        return (np.searchsorted(ids, self.ties["firm_a"].to_numpy()),
                np.searchsorted(ids, self.ties["firm_b"].to_numpy()))

    def summary(self) -> pd.DataFrame:
        """Last-year key figures per region."""
        last = self.timeseries[self.timeseries["year"] == self.timeseries["year"].max()]
        cols = ["region", "firms", "employment", "revenue", "exports", "patents_new", "patents_per_firm",
                "share_rd_active", "share_credit_constrained", "tech_mean", "lifecycle_stage"]
        return last[[c for c in cols if c in last.columns]].reset_index(drop=True)

    def save(self, path, *, command: str | None = None) -> Path:
        """Write the run folder ``innocluster run`` writes, whole or not at all.

        ``timeseries.parquet``, ``ledger.parquet``, ``firms.parquet``,
        ``ties.parquet``, ``firm_panel.parquet`` (when there is a panel),
        ``overview.png``, ``scenario.toml`` (the resolved scenario: ``innocluster run
        PATH/scenario.toml`` reproduces the run) and ``run.json`` (innocluster version,
        engine fingerprint, run settings, the scenario's source file with its SHA-256,
        the overrides, and the SHA-256 of every file written). The files are written
        into a temporary sibling folder that then replaces ``path`` in one step
        (:mod:`innocluster.outputs`): an earlier run there is replaced whole, and a
        folder holding anything else is refused.

        Parameters
        ----------
        path : path-like
            The run folder.
        command : str, optional
            The command line that made the run, recorded in ``run.json``.

        Returns
        -------
        pathlib.Path
        """
        from innocluster.outputs import replace_folder

        path = Path(path)
        with replace_folder(path, known=RUN_FILES, param="path", what="run") as tmp:
            self._write(tmp, path, command)
        return path

    def _write(self, folder: Path, final: Path, command: str | None) -> None:
        import json
        import platform

        import innocluster
        from innocluster.model.fingerprint import engine_fingerprint
        from innocluster.report.simplots import save_overview
        from innocluster.scenario import scenario_origin, scenario_to_toml

        sc = self.scenario
        self.timeseries.to_parquet(folder / "timeseries.parquet", index=False)
        self.ledger.to_parquet(folder / "ledger.parquet", index=False)
        self.firms.to_parquet(folder / "firms.parquet", index=False)
        self.ties.to_parquet(folder / "ties.parquet", index=False)
        if self.firm_panel is not None:
            self.firm_panel.to_parquet(folder / "firm_panel.parquet", index=False)
        rerun = "innocluster run scenario.toml --out OTHER" + (" --firm-panel" if self.firm_panel is not None else "")
        header = (f"# The resolved scenario of an innocluster {innocluster.__version__} run: every parameter and the "
                  f"run settings (seed, years, firms).\n# Run it again: {rerun}\n\n")
        (folder / "scenario.toml").write_text(header + scenario_to_toml(sc), encoding="utf-8")
        if len(self.timeseries):
            save_overview(self.timeseries, folder / "overview.png", title=f"{sc.name}, seed {self.seed}")
        files = {p.name: _sha256(p) for p in sorted(folder.iterdir()) if p.is_file()}
        manifest = {
            "kind": "innocluster run",
            "innocluster": innocluster.__version__, "engine": engine_fingerprint(),
            "python": platform.python_version(), "numpy": np.__version__,
            "scenario": sc.name, "seed": self.seed, "years": sc.years,
            "firms": sc.firms if sc.firms is not None else sum(r.initial_firms for r in sc.regions),
            "firms_rescaled": sc.firms is not None, "firm_panel": self.firm_panel is not None,
            "record": self.record,
            "inputs": scenario_origin(sc),
            "command": command,
            "rerun": rerun.replace("scenario.toml", str(final / "scenario.toml")),
            "files": files,
        }
        (folder / "run.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")


def _sha256(path: Path) -> str:
    import hashlib

    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class ClusterModel:
    """A cluster economy: firms, trust network, regions and government.

    Parameters
    ----------
    scenario : Scenario
    seed : int, optional
        Root seed; defaults to ``scenario.seed``.
    firms : int, optional
        Total initial firms; rescales the whole economy (see :mod:`innocluster.model.world`).
        Defaults to ``scenario.firms`` (unset: the regions' ``initial_firms``).
    firm_panel : bool
        Keep yearly firm snapshots.
    record : {"yearly", "final"}
        ``"yearly"`` (default): every step records its region rows and ledger row (the
        time series). ``"final"``: the steps keep only the model's state (the regions'
        cumulative patents included) and :meth:`results` records the last year alone:
        for runs where only end states matter (large sweeps, speed comparisons with
        models that collect nothing in their loop). The final year's rows are the
        same either way, but for the life-cycle columns, which need the years
        (``undetermined``); the history and the ledger are empty. The stage
        programme reads the regions' yearly history, so it needs ``"yearly"``.
    """

    #: values of the ``record`` argument
    RECORD_MODES = ("yearly", "final")

    def __init__(self, scenario: Scenario, seed: int | None = None, firms: int | None = None,
                 firm_panel: bool = False, record: str = "yearly"):
        self.scenario = scenario
        self.seed = int(scenario.seed if seed is None else seed)
        if self.seed < 0:
            raise InputError(f"seed = {self.seed}: must be a non-negative integer", param="seed")
        self.streams = RandomStreams(self.seed)
        base = sum(r.initial_firms for r in scenario.regions)
        firms = scenario.firms if firms is None else firms  # a saved run's scenario records its rescaling
        if firms is not None and firms < 1:
            raise InputError(f"firms = {firms}: must be at least 1", param="firms")
        scale = 1.0 if firms is None else firms / base
        counts = np.array([int(round(r.initial_firms * scale)) if r.initial_firms else 0 for r in scenario.regions])
        counts = np.where((counts == 0) & (np.array([r.initial_firms for r in scenario.regions]) > 0), 1, counts)
        st = scenario.stages
        self.world = World(
            scenario=scenario, firms=FirmTable(), network=TrustNetwork(),
            regions=build_regions(scenario, scale, counts), scale=scale,
            stage_names=[s.name for s in st],
            value_added_share=np.array([s.value_added for s in st]),
            demand0=np.array([s.demand for s in st]) * scale * scenario.market.demand_scale,
            demand_growth=np.array([s.demand_growth for s in st]),
            threshold=np.array([s.threshold for s in st]),
            upgrade_cost=np.array([s.upgrade_cost for s in st]),
            skill_premium=np.array([s.skill_premium for s in st]),
            price_pass_through=np.array([s.price_pass_through for s in st]),
            price=np.ones(len(st)),
        )
        if record not in self.RECORD_MODES:
            raise InputError(f"record = {record!r}: must be one of {', '.join(self.RECORD_MODES)}", param="record")
        if record == "final" and scenario.mechanisms.stage_programme:
            raise InputError("record = 'final': the stage programme (mechanisms.stage_programme) reads the yearly "
                             "history; use record = 'yearly'", param="record")
        self.record_yearly = record == "yearly"
        self.keep_panel = firm_panel
        self.panel: list[dict] = []
        self.ledger_rows: list[dict] = []
        self._initial_population(counts)

    # ------------------------------------------------------------------ setup
    def _initial_population(self, counts: np.ndarray) -> None:
        initial.populate(self.world, counts, self.streams.rng("initial_population"))

    # ------------------------------------------------------------------ step
    def step(self) -> None:
        """Advance one year (steps 1-11 of the module docstring)."""
        w = self.world
        f = w.firms
        sc = self.scenario
        mech = sc.mechanisms
        rng = self.streams.rng
        w.counters = YearCounters(w.regions.R)
        nw_before = f.net_worth.sum() if self.record_yearly else 0.0
        f.patents_new[:] = 0
        # 1 market
        previous_revenue = f.revenue.copy()
        market.replicator_shares(w, rng("market"))
        market.stage_prices(w)
        market.revenues(w)
        # 2 supply, costs and agglomeration (wages react to last year's labour demand)
        factors = costs.region_factors(w)
        degree = w.network.degree(f.n)
        supply.supply(w, previous=previous_revenue, factors=factors, degree=degree)
        year_costs = costs.cost_components(w, output=f.revenue, technology=f.A, stage=f.stage, region=f.region,
                                           degree=degree, factors=factors)
        w.regions.wage, w.regions.rent = factors.wage, factors.rent
        operating = accounts.operating_accounts(w, year_costs)
        # 3 finance
        finance.fund_rd(w, operating, rng("finance"))
        # 4 innovation, then the year's profit and balance sheets
        knowledge.institutes(w)
        knowledge.spillover_pool(w)
        research.own_research(w, rng("own_research"))
        absorption.absorption(w, degree, rng("absorption"))
        capabilities.update(w, rng("capabilities"))
        f.patents_cum += f.patents_new
        accounts.year_profit(w, operating)
        accounts.close_books(w, finance.vc_recycling(w))
        # 5 diffusion, catch-up to the frontier, productivity shocks and new trust ties
        diffusion.network_spillovers(w)
        catchup.frontier_catchup(w)
        shocks.productivity_shocks(w, rng("productivity_shocks"))
        ties.form_ties(w, rng("ties"))
        # 6 entry
        startups.startups(w, rng("startups"))
        spinoffs.spinoffs(w, rng("spinoffs"))
        # 7 relocation and MNE inflow (the cost factors only when someone can move)
        if mech.relocation or mech.mne_inflow:
            factors = costs.region_factors(w)
            relocation.relocate(w, factors, w.network.degree(f.n), rng("relocation"))
            mne_inflow.mne_inflow(w, factors, rng("mne_inflow"))
        # 8 GVC upgrading
        upgrading.upgrade(w, rng("upgrading"))
        # 9 learning, then exit
        learning.update_beliefs(w)
        reasons = exit_.exit_reasons(w)
        leaving = reasons > 0
        if self.keep_panel:
            self.panel.append(record.firm_panel_snapshot(w, reasons))
        exit_.remove(w, leaving)
        ties.dissolve_ties(w, rng("ties"))
        # 10 government and institutions
        if mech.stage_programme and w.history:
            w.regions.stage_label = government.detect_stages(w)
        government.govern(w, rng("government"))
        # 11 record
        f.age += 1
        if self.record_yearly:
            w.history.add_year(record.region_year(w))
            ledger = dict(w.counters.ledger)
            ledger["year"] = w.year
            ledger["net_worth_change"] = f.net_worth.sum() - nw_before
            ledger["residual"] = ledger["net_worth_change"] - sum(w.counters.ledger.values())
            self.ledger_rows.append(ledger)
        else:
            record.count_patents(w)
        w.t += 1

    # ------------------------------------------------------------------ run
    def run(self, years: int | None = None, progress: Callable[[int], None] | None = None) -> SimulationResults:
        """Run ``years`` steps (default: the scenario's) and collect the results.

        From :data:`innocluster.model.allocator.LARGE_POPULATION` firms in the table when
        the run starts, freed memory is kept for reuse during the run (:mod:`innocluster.model.allocator`);
        :func:`simulate` also covers building the initial population.
        """
        years = self.scenario.years if years is None else int(years)
        if years < 1:
            raise InputError(f"years = {years}: must be at least 1", param="years")
        # large tables: freed temporaries stay in the process for reuse (innocluster.model.allocator)
        with allocator.keep_freed_memory(self.world.firms.n >= allocator.LARGE_POPULATION):
            for _ in range(years):
                self.step()
                if progress is not None:
                    progress(1)
            return self.results()

    def results(self) -> SimulationResults:
        w = self.world
        if self.record_yearly or w.counters is None:  # (no step yet: nothing to record)
            rows = list(w.history)
        else:  # the last year (the step has moved the clock on), recorded now; its patents are counted
            rows = record.region_year(w, count_patents=False, year=w.year - 1).rows()
        ts = pd.DataFrame(rows)
        ts = add_lifecycle_columns(ts)
        panel = None
        if self.keep_panel and self.panel:
            panel = pd.DataFrame({k: np.concatenate([p[k] for p in self.panel]) for k in self.panel[0]})
        firms = w.firms.to_frame(w.regions.names, w.stage_names)
        return SimulationResults(self.scenario, self.seed, ts, firms, final_ties(w),
                                 pd.DataFrame(self.ledger_rows).fillna(0.0), panel,
                                 "yearly" if self.record_yearly else "final")


def final_ties(w: World) -> pd.DataFrame:
    """The trust ties of the world as firm-id pairs ``firm_a < firm_b``, sorted.

    The network stores ties between rows of the live firm table, whose rows exits
    reorder (swap-remove); firm ids are what stays meaningful after the run.
    """
    ids = w.firms.id
    a, b = ids[w.network.u], ids[w.network.v]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    order = np.lexsort((hi, lo))
    return pd.DataFrame({"firm_a": lo[order], "firm_b": hi[order]})


def add_lifecycle_columns(ts: pd.DataFrame) -> pd.DataFrame:
    """Life-cycle stage, lock-in and race-to-the-bottom flags per region and year,
    from the monitor's classifier and detectors (:mod:`innocluster.lifecycle`)."""
    from innocluster.model.lifecycle_bridge import lifecycle_columns

    if ts.empty:
        return ts
    return lifecycle_columns(ts)


#: a run's peak memory per initial firm over ten years, with the results (487 to 837
#: bytes in benchmarks/results/scale.json, 10^4 to 10^7 firms of hsinchu) ...
BYTES_PER_FIRM = 500
#: ... and per firm and year of the firm panel (16 columns of 4 to 8 bytes)
PANEL_BYTES_PER_FIRM_YEAR = 100


def memory_needed(firms: int, years: int, firm_panel: bool) -> int:
    """A lower bound of a run's memory in bytes (the firm table, its temporaries, the
    results); populations usually grow, so real runs need more."""
    return int(firms * BYTES_PER_FIRM + (firms * years * PANEL_BYTES_PER_FIRM_YEAR if firm_panel else 0))


def _physical_memory() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # systems without sysconf (Windows): no check
        return None


def check_memory(firms: int, years: int, firm_panel: bool) -> None:
    """Refuse a run that cannot fit in this machine's memory before anything is allocated."""
    need, have = memory_needed(firms, years, firm_panel), _physical_memory()
    if have is not None and need > have:
        panel = f" and {PANEL_BYTES_PER_FIRM_YEAR} per firm-year of the firm panel" if firm_panel else ""
        raise InputError(f"firms = {firms:,}: a run this size needs at least {need / 2**30:,.1f} GiB of memory "
                         f"(about {BYTES_PER_FIRM} bytes per firm{panel}); this machine has "
                         f"{have / 2**30:,.1f} GiB", param="firms")


def simulate(scenario: Scenario | str | Path, *, seed: int | None = None, years: int | None = None,
             firms: int | None = None, firm_panel: bool = False,
             progress: bool | Callable[[int], object] = False, record: str = "yearly") -> SimulationResults:
    """Run a scenario and return its :class:`SimulationResults`.

    Parameters
    ----------
    scenario : Scenario, str or path
        A scenario (:func:`innocluster.load_scenario`), a built-in name such as
        ``"hsinchu"`` or a ``.toml`` path (a run folder's ``scenario.toml`` reproduces
        that run).
    seed : int, optional
        Root seed (default: the scenario's). Same seed, same results, bit for bit.
    years : int, optional
        Years to simulate (default: the scenario's; at most 500).
    firms : int, optional
        Total initial firms; rescales the economy (default: the scenario's ``firms``,
        unset: the regions' ``initial_firms``; at most 50 million, and no more than
        this machine's memory holds).
    firm_panel : bool
        Also return yearly firm snapshots in the monitor's firm-panel schema.
    progress : bool or callable
        True shows a progress bar on stderr; a callable is called with 1 after each
        simulated year.
    record : {"yearly", "final"}
        ``"final"`` keeps only the last year's rows (:class:`ClusterModel`).

    Returns
    -------
    SimulationResults
        Its ``scenario`` has the run settings written in.

    Examples
    --------
    >>> from innocluster import simulate
    >>> res = simulate("hsinchu", seed=1, years=3, firms=300)
    >>> res.scenario.seed, res.scenario.years, res.scenario.firms
    (1, 3, 300)
    """
    from innocluster.scenario.io import resolve_scenario

    for name, value in (("firm_panel", firm_panel),):
        if not isinstance(value, bool):
            raise InputError(f"{name} = {value!r}: give True or False", param=name)
    if progress is None:  # "no progress", as the earlier API spelled it
        progress = False
    if not (isinstance(progress, bool) or callable(progress)):
        raise InputError(f"progress = {progress!r}: give True, False or a callable", param="progress")
    if record not in ClusterModel.RECORD_MODES:
        raise InputError(f"record = {record!r}: must be one of {', '.join(ClusterModel.RECORD_MODES)}",
                         param="record")
    sc = resolve_scenario(scenario, seed=seed, years=years, firms=firms)
    n = sc.firms if sc.firms is not None else sum(r.initial_firms for r in sc.regions)
    check_memory(n, sc.years, firm_panel)
    with _progress_callback(progress, f"simulating {sc.name}", sc.years) as advance:
        # building a large population makes large temporaries too (innocluster.model.allocator)
        with allocator.keep_freed_memory(n >= allocator.LARGE_POPULATION):
            model = ClusterModel(sc, seed=sc.seed, firms=sc.firms, firm_panel=firm_panel, record=record)
            return model.run(sc.years, advance)


class _progress_callback:
    """``progress`` of :func:`simulate` as a per-year callback: a Rich bar on stderr for
    True, the caller's callable, or nothing."""

    def __init__(self, progress, description: str, total: int):
        self.progress, self.description, self.total = progress, description, total
        self.bar = None

    def __enter__(self):
        if callable(self.progress):
            return self.progress
        if not self.progress:
            return None
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("years"),
                            TimeElapsedColumn(), console=Console(stderr=True), transient=True)
        self.bar.start()
        task = self.bar.add_task(self.description, total=self.total)
        return lambda k: self.bar.advance(task, k)

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
