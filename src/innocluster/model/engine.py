"""The simulation engine: the initial population, the yearly step order, the results.

One step is one year (``docs/model.md``, "Process overview and scheduling"):

1. market (:mod:`.market`)
2. costs and agglomeration, operating accounts (:mod:`.costs`, :mod:`.accounts`)
3. finance (:mod:`.finance`)
4. innovation: knowledge pool (:mod:`.knowledge`), own research (:mod:`.research`),
   absorption (:mod:`.absorption`), capabilities (:mod:`.capabilities`); profit and
   balance sheets (:mod:`.accounts`)
5. diffusion and new trust ties (:mod:`.diffusion`, :mod:`.ties`)
6. entry: start-ups and spin-offs (:mod:`.startups`, :mod:`.spinoffs`)
7. relocation and MNE inflow (:mod:`.relocation`, :mod:`.mne_inflow`)
8. GVC upgrading (:mod:`.upgrading`)
9. exit (:mod:`.exit`), then ties dissolve (:mod:`.ties`)
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

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from innocluster.errors import InputError
from innocluster.model import (
    absorption,
    accounts,
    allocator,
    capabilities,
    costs,
    diffusion,
    finance,
    government,
    initial,
    knowledge,
    market,
    mne_inflow,
    record,
    relocation,
    research,
    spinoffs,
    startups,
    ties,
    upgrading,
)
from innocluster.model import exit as exit_
from innocluster.model.network import TrustNetwork
from innocluster.model.state import FirmTable
from innocluster.model.streams import RandomStreams
from innocluster.model.world import World, YearCounters, build_regions
from innocluster.scenario.schema import Scenario


@dataclass
class SimulationResults:
    """What a run produced (statsmodels-style results object).

    Attributes
    ----------
    scenario : Scenario
        The resolved scenario that was run.
    seed : int
    timeseries : pandas.DataFrame
        One row per region and year (docs/model.md, "Design concepts", observation).
    firms : pandas.DataFrame
        The final firm table, one row per firm in id order (:meth:`tie_rows` gives the
        final trust ties as pairs of its rows).
    ledger : pandas.DataFrame
        Money flows into (+) and out of (-) the firm sector per year and the change
        in total net worth; ``residual`` is zero when every USD is accounted for.
    firm_panel : pandas.DataFrame or None
        Yearly firm snapshots in the monitor's schema (``firm_panel=True``).
    """

    scenario: Scenario
    seed: int
    timeseries: pd.DataFrame
    firms: pd.DataFrame
    ledger: pd.DataFrame
    firm_panel: pd.DataFrame | None = None
    world: World | None = field(default=None, repr=False)

    def region(self, name: str) -> pd.DataFrame:
        """Time series of one region."""
        return self.timeseries[self.timeseries["region"] == name].reset_index(drop=True)

    def tie_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """The trust ties at the end of the run as pairs of row positions in :attr:`firms`.

        The network stores ties between rows of the live firm table, whose rows exits
        reorder (swap-remove); :attr:`firms` is sorted by firm id, so the ends are
        translated to its rows here.
        """
        if self.world is None:
            raise ValueError("tie_rows: these results carry no world (the final network)")
        f, net = self.world.firms, self.world.network
        position = np.empty(f.n, dtype=np.int64)
        position[f.id_order()] = np.arange(f.n)  # table row -> row of `firms`
        return position[net.u], position[net.v]

    def summary(self) -> pd.DataFrame:
        """Last-year key figures per region."""
        last = self.timeseries[self.timeseries["year"] == self.timeseries["year"].max()]
        cols = ["region", "firms", "employment", "revenue", "exports", "patents_new", "patents_per_firm",
                "share_rd_active", "share_credit_constrained", "tech_mean", "lifecycle_stage"]
        return last[[c for c in cols if c in last.columns]].reset_index(drop=True)


class ClusterModel:
    """A cluster economy: firms, trust network, regions and government.

    Parameters
    ----------
    scenario : Scenario
    seed : int, optional
        Root seed; defaults to ``scenario.seed``.
    firms : int, optional
        Total initial firms; rescales the whole economy (see :mod:`innocluster.model.world`).
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
            raise InputError(f"seed = {self.seed}: must be a non-negative integer")
        self.streams = RandomStreams(self.seed)
        base = sum(r.initial_firms for r in scenario.regions)
        if firms is not None and firms < 1:
            raise InputError(f"--firms = {firms}: must be at least 1")
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
            raise InputError(f"record = {record!r}: must be one of {', '.join(self.RECORD_MODES)}")
        if record == "final" and scenario.mechanisms.stage_programme:
            raise InputError("record = 'final': the stage programme (mechanisms.stage_programme) reads the yearly "
                             "history; use record = 'yearly'")
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
        market.replicator_shares(w, rng("market"))
        market.stage_prices(w)
        market.revenues(w)
        # 2 costs and agglomeration (wages react to last year's labour demand)
        factors = costs.region_factors(w)
        degree = w.network.degree(f.n)
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
        # 5 diffusion and new trust ties
        diffusion.network_spillovers(w)
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
        # 9 exit
        leaving = exit_.exiting(w)
        if self.keep_panel:
            self.panel.append(record.firm_panel_snapshot(w, leaving))
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
            raise InputError(f"--years = {years}: must be at least 1")
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
        return SimulationResults(self.scenario, self.seed, ts, firms, pd.DataFrame(self.ledger_rows).fillna(0.0),
                                 panel, w)


def add_lifecycle_columns(ts: pd.DataFrame) -> pd.DataFrame:
    """Life-cycle stage, lock-in and race-to-the-bottom flags per region and year,
    from the monitor's classifier and detectors (:mod:`innocluster.lifecycle`)."""
    from innocluster.model.lifecycle_bridge import lifecycle_columns

    if ts.empty:
        return ts
    return lifecycle_columns(ts)


def simulate(scenario: Scenario, seed: int | None = None, years: int | None = None, firms: int | None = None,
             firm_panel: bool = False, progress: Callable[[int], None] | None = None) -> SimulationResults:
    """Run a scenario and return its :class:`SimulationResults`.

    Parameters
    ----------
    scenario : Scenario
        From :func:`innocluster.load_scenario`.
    seed : int, optional
        Root seed (default: the scenario's). Same seed, same results, bit for bit.
    years : int, optional
        Years to simulate (default: the scenario's).
    firms : int, optional
        Total initial firms; rescales the economy.
    firm_panel : bool
        Also return yearly firm snapshots in the monitor's firm-panel schema.
    progress : callable, optional
        Called with 1 after each year (for progress bars).
    """
    if not isinstance(scenario, Scenario):
        raise InputError(f"simulate: expected a Scenario (use load_scenario), got {type(scenario).__name__}")
    n = sum(r.initial_firms for r in scenario.regions) if firms is None else firms
    # building a large population makes large temporaries too (innocluster.model.allocator)
    with allocator.keep_freed_memory(n >= allocator.LARGE_POPULATION):
        return ClusterModel(scenario, seed=seed, firms=firms, firm_panel=firm_panel).run(years, progress)
