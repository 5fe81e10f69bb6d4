"""The simulated world: firms, trust network, regions, GVC stages, yearly counters.

Region-level state is held as NumPy arrays indexed by region (``R`` entries); stage
parameters as arrays indexed by stage (``S`` entries). The scenario's extensive
quantities (demand, budgets, pools, labour, capacities, half-saturation counts) are
multiplied by :attr:`World.scale` when ``--firms`` resizes the economy, so per-firm
outcomes do not depend on the number of simulated firms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from innocluster.model import kernels
from innocluster.model.network import TrustNetwork
from innocluster.model.state import FirmTable
from innocluster.scenario.schema import INSTRUMENTS, Scenario


@dataclass
class RegionState:
    """Region-level state, arrays of length R."""

    names: list[str]
    is_cluster: np.ndarray
    x: np.ndarray
    y: np.ndarray
    radius: np.ndarray
    localisation: np.ndarray
    wage0: np.ndarray
    wage: np.ndarray
    labour_supply: np.ndarray
    labour_growth: np.ndarray
    rent0: np.ndarray
    rent: np.ndarray
    capacity: np.ndarray
    infrastructure: np.ndarray
    intermediaries: np.ndarray
    vc_pool: np.ndarray
    vc_inflow: np.ndarray
    institute: np.ndarray
    institute_growth: np.ndarray
    budget0: np.ndarray
    budget_growth: np.ndarray
    export_share: np.ndarray
    culture: np.ndarray
    ip_base: np.ndarray
    ip_strength: np.ndarray
    incentives0: np.ndarray
    incentives: np.ndarray
    external_links: np.ndarray
    initial_firms: np.ndarray
    training: np.ndarray  # training spend per firm this year, USD million
    information: np.ndarray  # information-service coverage in [0, 1)
    spillover: np.ndarray  # spillover pool S_r
    stage_label: list[str]
    patents_cum: np.ndarray
    # the scenario's per-region constants that entry reads every year (built once)
    tech_sd: np.ndarray  # dispersion of entrants' technology
    rd_unit_share: np.ndarray  # share of entrants with an R&D unit
    alpha_mean: np.ndarray  # entrants' mean absorptive capacity
    stage_cumulative: np.ndarray  # regions x stages: cumulative stage mix of entrants

    @property
    def R(self) -> int:
        return len(self.names)


_COUNTER_NAMES = ("startups", "spinoffs", "mne_arrivals", "exits", "relocations_in", "relocations_out",
                  "vc_invested", "absorption_attempts", "absorption_successes", "upgrades")


@dataclass
class YearCounters:
    """Flows counted during one step, per region (arrays of length R)."""

    R: int
    startups: np.ndarray = None
    spinoffs: np.ndarray = None
    mne_arrivals: np.ndarray = None
    exits: np.ndarray = None
    relocations_in: np.ndarray = None
    relocations_out: np.ndarray = None
    vc_invested: np.ndarray = None
    absorption_attempts: np.ndarray = None
    absorption_successes: np.ndarray = None
    upgrades: np.ndarray = None
    gov_spend: dict = None
    exited_flows: dict = field(default_factory=dict)  # flows of firms that exit this year, per region
    # money flows (economy-wide, USD million) for the accounting identity
    ledger: dict = field(default_factory=dict)

    def __post_init__(self):
        # every counter is a row of one zeroed block (one allocation a year, not eighteen)
        rows = np.zeros((len(_COUNTER_NAMES) + len(INSTRUMENTS), self.R))
        for name, row in zip(_COUNTER_NAMES, rows):
            setattr(self, name, row)
        self.gov_spend = dict(zip(INSTRUMENTS, rows[len(_COUNTER_NAMES):]))

    def book(self, name: str, amount: float) -> None:
        """Add a money flow into or out of the firm sector (positive = into firms)."""
        self.ledger[name] = self.ledger.get(name, 0.0) + float(amount)


class RegionHistory(Sequence):
    """The per-year region rows of a run, in year order (a read-only sequence of dicts).

    The step adds each year as a record whose rows are made on first read
    (:class:`innocluster.model.record.RegionYear`); reading the history, or any row of
    it, makes the rows of every year so far. Like the model, it is not for concurrent
    use from several threads.
    """

    __slots__ = ("_made", "_rows", "_years")

    def __init__(self):
        self._years: list = []  # records with a rows() method, in year order
        self._rows: list[dict] = []
        self._made = 0  # records whose rows are in _rows

    def add_year(self, record) -> None:
        """Append one year's record (an object whose ``rows()`` gives its region rows)."""
        self._years.append(record)

    def _all(self) -> list[dict]:
        while self._made < len(self._years):
            self._rows.extend(self._years[self._made].rows())
            self._made += 1
        return self._rows

    def __len__(self) -> int:
        return len(self._all())

    def __getitem__(self, i):
        return self._all()[i]

    def __iter__(self):
        return iter(self._all())

    def __bool__(self) -> bool:
        return bool(self._years)

    @property
    def years(self) -> int:
        """Years recorded."""
        return len(self._years)


@dataclass
class World:
    """Everything the mechanisms read and write."""

    scenario: Scenario
    firms: FirmTable
    network: TrustNetwork
    regions: RegionState
    scale: float
    t: int = 0  # years since start
    stage_names: list = None
    value_added_share: np.ndarray = None  # v_s
    demand0: np.ndarray = None
    demand_growth: np.ndarray = None
    threshold: np.ndarray = None
    upgrade_cost: np.ndarray = None
    skill_premium: np.ndarray = None
    price_pass_through: np.ndarray = None
    price: np.ndarray = None  # output price of each stage relative to t = 0
    stage_A0: np.ndarray = None  # share-weighted mean technology of each stage at t = 0
    counters: YearCounters = None
    A0: float = 0.0  # economy-wide mean technology at t = 0 (wage indexation base)
    history: RegionHistory = field(default_factory=RegionHistory)  # per-year region rows (dicts)

    @property
    def year(self) -> int:
        return self.scenario.start_year + self.t

    @property
    def S(self) -> int:
        return int(self.value_added_share.size)

    def demand(self) -> np.ndarray:
        """D_s(t) = D_s(0) (1 + g_s)^t, scaled to the simulated economy."""
        return self.demand0 * (1.0 + self.demand_growth) ** self.t

    def mean_technology(self) -> float:
        """Economy-wide mean technology (employment-weighted)."""
        f = self.firms
        num, den = kernels.weighted_total(f.A, f.employees)  # sums in row order
        if den <= 0:  # no firms, or no employment
            return self.A0
        return float(num / den)

    def random_member(self, region: np.ndarray, rng: np.random.Generator,
                      members: np.ndarray | None = None) -> np.ndarray:
        """A uniformly random firm (row index) of each given region, -1 where it has none.

        ``region`` may have any shape; ``members`` restricts the draw to those rows.
        Firms are grouped by region with a stable counting sort, then one uniform draw
        per element picks a position inside its region's block.
        """
        f = self.firms
        rows = np.arange(f.n) if members is None else np.asarray(members, dtype=np.int64)
        region = np.asarray(region, dtype=np.int64)
        u = rng.random(region.shape)
        return kernels.random_member(f.region, self.regions.R, rows, region.ravel(), u.ravel()).reshape(region.shape)

    def region_counts(self) -> np.ndarray:
        return kernels.group_count(self.firms.region, self.regions.R).astype(float)

    def region_mean_technology(self, counts: np.ndarray | None = None) -> np.ndarray:
        """Mean technology ``Abar_r`` of each region's firms (0 where it has none);
        ``counts``: the regions' firm counts when the caller has them."""
        counts = self.region_counts() if counts is None else counts
        return kernels.group_sum(self.firms.region, self.firms.A, self.regions.R) / np.maximum(counts, 1.0)


def build_regions(sc: Scenario, scale: float, initial_counts: np.ndarray) -> RegionState:
    """Region arrays from the scenario, with extensive quantities scaled."""
    rs = sc.regions

    def arr(attr, mult=1.0):
        return np.array([getattr(r, attr) for r in rs], dtype=float) * mult

    R = len(rs)
    return RegionState(
        names=[r.name for r in rs],
        is_cluster=np.array([r.kind == "cluster" for r in rs]),
        x=arr("x"), y=arr("y"), radius=arr("radius"),
        localisation=arr("localisation"),
        wage0=arr("wage"), wage=arr("wage"),
        labour_supply=arr("labour_supply", scale), labour_growth=arr("labour_growth"),
        rent0=arr("land_rent"), rent=np.zeros(R),
        capacity=arr("capacity", scale),
        infrastructure=arr("infrastructure", scale),
        intermediaries=arr("intermediaries", scale),
        vc_pool=arr("vc_pool", scale), vc_inflow=arr("vc_inflow", scale),
        institute=arr("institute_level"), institute_growth=arr("institute_growth"),
        budget0=arr("budget", scale), budget_growth=arr("budget_growth"),
        export_share=arr("export_share"), culture=arr("culture"),
        ip_base=arr("ip_strength"), ip_strength=arr("ip_strength"),
        incentives0=arr("incentives"), incentives=arr("incentives"),
        external_links=arr("external_links"),
        initial_firms=initial_counts.astype(float),
        training=np.zeros(R), information=np.zeros(R), spillover=np.zeros(R),
        stage_label=["budding"] * R,
        patents_cum=np.zeros(R),
        tech_sd=arr("tech_sd"), rd_unit_share=arr("rd_unit_share"), alpha_mean=arr("alpha_mean"),
        stage_cumulative=np.cumsum(np.array([r.stage_mix for r in rs]), axis=1),
    )
