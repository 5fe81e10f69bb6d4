"""The simulation engine: initial population, the yearly step order, results.

One step is one year, in the order of DESIGN.md: 1 market, 2 costs and
agglomeration, 3 finance, 4 innovation, 5 diffusion, 6 entry, 7 relocation, 8 GVC
upgrading, 9 exit, 10 government, 11 record. Every random draw comes from one
:class:`numpy.random.Generator` built from the seed, consumed in this fixed order, so
a run is bit-for-bit reproducible from ``(scenario, seed)``.

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
    allocator,
    costs,
    diffusion,
    entry,
    finance,
    gvc,
    innovation,
    kernels,
    market,
    policy,
    record,
    relocation,
)
from innocluster.model import exit as exit_
from innocluster.model.network import TrustNetwork
from innocluster.model.state import FirmTable
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
        One row per region and year (DESIGN.md, "Outputs per region and year").
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
        # SFC64 (NumPy's "small fast chaotic" bit generator, seeded by SeedSequence): a
        # year draws some 150,000 numbers, and SFC64 made a 20-year core run about 5%
        # faster than PCG64 (NumPy's default) in alternating pairs
        self.rng = np.random.Generator(np.random.SFC64(np.random.SeedSequence(self.seed)))
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
        w = self.world
        sc = self.scenario
        rng = self.rng
        region = np.repeat(np.arange(len(counts)), counts)
        n = region.size
        rs = sc.regions
        tech_mean = np.array([r.tech_mean for r in rs])[region]
        tech_sd = w.regions.tech_sd[region]
        A = tech_mean + kernels.normal(rng, 0, 1, n) * tech_sd
        stage = entry.stage_from_mix(kernels.uniform(rng, n), region, w)
        reg = w.regions
        x = reg.x[region] + kernels.normal(rng, 0, 1, n) * reg.radius[region]
        y = reg.y[region] + kernels.normal(rng, 0, 1, n) * reg.radius[region]
        size = np.exp(kernels.normal(rng, 0, 1.0, n))  # heavy-tailed initial sizes
        idx = entry.add_firms(w, region, stage, A, x, y, 10.0, 0.0, rng)
        f = w.firms
        f.age[idx] = rng.integers(0, 20, n).astype(np.int16)
        f.founded_year[idx] = (sc.start_year - f.age[idx]).astype(np.int16)
        f.share = size * np.exp(A)
        tot = market.stage_sums(f.share, f.stage, w.S)
        f.share = f.share / np.maximum(tot[f.stage], 1e-300)
        market.revenues(w)
        w.stage_A0 = market.stage_technology(w)
        f.net_worth = 0.5 * f.revenue + sc.finance.founder_capital
        f.capital = f.net_worth.copy()
        diffusion.initial_ties(w, rng)
        degree = w.network.degree(f.n)
        factors = costs.region_factors(w, employment=np.zeros(reg.R))
        comp = costs.cost_components(f.revenue, f.A, f.stage, f.region, degree, factors, w)
        f.employees = comp["labour"].astype(np.float32)
        # wage indexation starts from the employment-weighted mean technology at t = 0
        w.A0 = w.mean_technology()
        factors = costs.region_factors(w, employment=np.zeros(reg.R))
        comp = costs.cost_components(f.revenue, f.A, f.stage, f.region, degree, factors, w)
        f.unit_cost = comp["total"] / np.maximum(f.revenue, 1e-12)

    # ------------------------------------------------------------------ step
    def step(self) -> None:
        """Advance one year (steps 1-11)."""
        w = self.world
        f = w.firms
        rng = self.rng
        sc = self.scenario
        w.counters = ctr = YearCounters(w.regions.R)
        nw_before = f.net_worth.sum() if self.record_yearly else 0.0
        f.patents_new[:] = 0

        # 1 market
        market.replicator_shares(w, rng)
        market.stage_prices(w)
        market.revenues(w)
        # 2 costs and agglomeration (wages react to last year's labour demand)
        factors = costs.region_factors(w)
        degree = w.network.degree(f.n)
        comp = costs.cost_components(f.revenue, f.A, f.stage, f.region,
                                     degree, factors, w)
        w.regions.wage, w.regions.rent = factors.wage, factors.rent
        # the accounts and the ledger's totals of them in one compiled pass (kernels.operating_accounts)
        operating, flows = kernels.operating_accounts(
            f.revenue, comp["labour"], comp["wages"], comp["inputs"], comp["fixed"], comp["transaction"], comp["rent"],
            comp["total"], f.debt, sc.costs.interest_rate, f.employees, f.unit_cost, f.value_added)
        for name, amount in zip(kernels.OPERATING_FLOWS, flows.tolist()):
            ctr.book(name, amount)
        # 3 finance
        finance.fund_rd(w, operating, rng)
        ctr.book("rd_spending", 0.0)  # its place in the ledger; the total comes with the profits below
        # 4 innovation
        innovation.institutes(w)
        innovation.spillover_pool(w)
        innovation.own_research(w, rng)
        innovation.absorption(w, degree, rng)
        innovation.absorptive_capacity(w, rng)
        f.patents_cum += f.patents_new
        ctr.book("rd_spending", -kernels.year_profit(operating, f.rd, f.profit))  # R&D total from the same pass
        vc_pay = finance.vc_recycling(w, f.profit)
        # owners' payout, net worth, amortisation from cash (lowers assets and debt alike),
        # capital; this year's subsidies are spent
        owners, vc_out = kernels.close_books(f.profit, sc.finance.payout_ratio, vc_pay, f.net_worth, f.debt,
                                             f.capital, f.subsidy)
        ctr.book("owner_payout", -owners)
        ctr.book("vc_payout", -vc_out)
        # 5 diffusion
        diffusion.network_spillovers(w)
        diffusion.tie_dynamics(w, rng)
        # 6 entry
        entry.startups(w, rng)
        entry.spinoffs(w, rng)
        # 7 relocation / polarisation (the cost factors only when someone moves)
        if sc.mechanisms.relocation or sc.mechanisms.mne_inflow:
            factors = costs.region_factors(w)
            relocation.relocate(w, factors, w.network.degree(f.n), rng)
            relocation.mne_inflow(w, factors, rng)
        # 8 GVC upgrading
        gvc.upgrade(w, rng)
        # 9 exit
        leaving = exit_.exiting(w)
        if self.keep_panel:
            self.panel.append(record.firm_panel_snapshot(w, leaving))
        exit_.remove(w, leaving)
        # 10 government and institutions
        if sc.mechanisms.stage_programme and w.history:
            w.regions.stage_label = policy.detect_stages(w)
        policy.govern(w, rng)
        # 11 record
        np.add(f.age, 1, out=f.age)  # int16, in place
        if self.record_yearly:
            # the year's totals now, its rows when the history is read (record.RegionYear)
            w.history.add_year(record.region_year(w, costs.region_factors(w)))
            ledger = dict(ctr.ledger)
            ledger["year"] = w.year
            ledger["net_worth_change"] = f.net_worth.sum() - nw_before
            ledger["residual"] = ledger["net_worth_change"] - sum(v for k, v in ctr.ledger.items())
            self.ledger_rows.append(ledger)
        else:
            record.count_patents(w)  # state the final record reads
        w.t += 1

    # ------------------------------------------------------------------ run
    def run(self, years: int | None = None, progress: Callable[[int], None] | None = None) -> SimulationResults:
        """Run ``years`` steps (default: the scenario's) and collect the results.

        With a million firms or more in the table when the run starts, freed memory is
        kept for reuse during the run (:mod:`innocluster.model.allocator`);
        :func:`simulate` also covers building the initial population.
        """
        years = self.scenario.years if years is None else int(years)
        if years < 1:
            raise InputError(f"--years = {years}: must be at least 1")
        # millions of firms: freed temporaries stay in the process for reuse (innocluster.model.allocator)
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
            rows = record.region_year(w, costs.region_factors(w), count_patents=False, year=w.year - 1).rows()
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
    # building millions of firms makes large temporaries too (innocluster.model.allocator)
    with allocator.keep_freed_memory(n >= allocator.LARGE_POPULATION):
        return ClusterModel(scenario, seed=seed, firms=firms, firm_panel=firm_panel).run(years, progress)
