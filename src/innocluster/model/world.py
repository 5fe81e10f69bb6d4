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

from innocluster.model.compiled import fast, twin
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
    tech_mean: np.ndarray  # the scenario's initial mean technology
    tech_sd: np.ndarray  # dispersion of initial and entrant technology
    rd_unit_share: np.ndarray  # share of entrants with an R&D unit
    alpha_mean: np.ndarray  # entrants' mean absorptive capacity
    stage_cumulative: np.ndarray  # regions x stages: cumulative stage mix of entrants
    # labour demand over labour supply at t = 0: the wage's labour-market term is 1 then
    # (0 until the initial population is built)
    labour_pressure0: np.ndarray = None

    @property
    def R(self) -> int:
        return len(self.names)


_COUNTER_NAMES = ("startups", "spinoffs", "mne_arrivals", "exits", "relocations_in", "relocations_out",
                  "vc_invested", "absorption_attempts", "absorption_successes", "upgrades", "unserved_demand")


@dataclass
class YearCounters:
    """Flows counted during one step, per region (arrays of length R), and the year's
    money flows into (+) and out of (-) the firm sector (:meth:`book`)."""

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
    unserved_demand: np.ndarray = None  # USD million of demand firms declined (supply.py)
    gov_spend: dict = None
    exited_flows: dict = field(default_factory=dict)  # flows of firms that exit this year, per region
    ledger: dict = field(default_factory=dict)

    def __post_init__(self):
        for name in _COUNTER_NAMES:
            setattr(self, name, np.zeros(self.R))
        self.gov_spend = {k: np.zeros(self.R) for k in INSTRUMENTS}

    def book(self, name: str, amount: float) -> None:
        """Add a money flow into or out of the firm sector (positive = into firms)."""
        self.ledger[name] = self.ledger.get(name, 0.0) + float(amount)


class RegionHistory(Sequence):
    """The per-year region rows of a run, in year order (a read-only sequence of dicts).

    The step adds each year as a record whose rows are made on first read
    (:class:`innocluster.model.record.RegionYear`).
    """

    __slots__ = ("_made", "_rows", "_years")

    def __init__(self):
        self._years: list = []
        self._rows: list[dict] = []
        self._made = 0

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
    stage_A0: np.ndarray = None  # the stages' technology when prices were 1 (NaN: not yet occupied)
    counters: YearCounters = None
    A0: float = 0.0  # domestic firms' mean technology at t = 0 (wage indexation base)
    history: RegionHistory = field(default_factory=RegionHistory)  # per-year region rows (dicts)

    @property
    def year(self) -> int:
        return self.scenario.start_year + self.t

    @property
    def S(self) -> int:
        return int(self.value_added_share.size)

    def demand(self) -> np.ndarray:
        """``D_s(t) = D_s(0) (1 + g_s)^t``, scaled to the simulated economy."""
        return self.demand0 * (1.0 + self.demand_growth) ** self.t

    def mean_technology(self) -> float:
        """Economy-wide mean technology, weighted by employment (``A0`` when nobody works)."""
        return self._technology_weighted_by(self.firms.employees)

    def _technology_weighted_by(self, weight: np.ndarray, *, at_prices: bool = False) -> float:
        total = weight.sum()
        if total <= 0:
            return self.A0
        A = self.firms.A
        if at_prices and np.any(self.price != 1.0):
            A = A + np.log(self.price[self.firms.stage])
        # an elementwise product and a sum: a BLAS dot would wake BLAS's threads
        return float((A * weight).sum() / total)

    def domestic_revenue_productivity(self) -> float:
        """Mean revenue productivity ``A_i + log p_s`` of the domestic firms
        (multinational affiliates left out), weighted by employment (``A0`` when no
        domestic firm employs anyone): the wage index of :mod:`.costs`.

        Wages follow output per worker *in value* (the labour share is roughly constant
        in the long run, Kaldor 1961), so where a stage passes its productivity gains on
        as lower prices (:func:`.market.stage_prices`) the gains go to buyers, not twice
        to workers and buyers; with fixed prices it is the mean technology. Revenue
        productivity is what plant data measure (TFPR: Foster, Haltiwanger & Syverson
        2008, *American Economic Review* 98). Foreign ownership raises wages inside the
        affiliates without raising domestic firms' wages (no wage spillovers in Mexico
        and Venezuela: Aitken, Harrison & Lipsey 1996, *Journal of International
        Economics* 40), so an inflow of high-technology affiliates moves the host's wages
        through the labour it hires (the wage's labour-market term), not through the
        index. The model gives affiliates no wage premium of their own: they pay the
        regional wage."""
        f = self.firms
        return self._technology_weighted_by(np.where(f.is_mne, 0.0, f.employees), at_prices=True)

    def at_firms(self, regional: np.ndarray, region: np.ndarray | None = None):
        """A regional value at each firm: ``regional[region]`` (``region`` defaults to
        every firm's region). With one region it is that region's scalar value, which
        NumPy broadcasts, instead of a gather per firm."""
        if self.regions.R == 1:
            return regional[0]
        return regional[self.firms.region if region is None else region]

    def region_counts(self) -> np.ndarray:
        """Firms per region (float)."""
        if self.regions.R == 1:
            return np.array([float(self.firms.n)])
        return fast(group_count)(group=self.firms.region, G=self.regions.R).astype(float)

    def region_sum(self, values: np.ndarray) -> np.ndarray:
        """Total of one value per firm over each region's firms."""
        if self.regions.R == 1:  # NumPy's sum: a tenth of bincount's cost
            return np.array([np.sum(values, dtype=float)])
        return fast(group_sum)(group=self.firms.region, values=values, G=self.regions.R)

    def region_mean_technology(self, counts: np.ndarray | None = None) -> np.ndarray:
        """Mean technology ``Abar_r`` of each region's firms (0 where it has none);
        ``counts``: the regions' firm counts when the caller has them."""
        counts = self.region_counts() if counts is None else counts
        return self.region_sum(self.firms.A) / np.maximum(counts, 1.0)


def group_count(*, group, G):
    """Members of each of ``G`` groups (``np.bincount``); a label outside ``0..G-1`` raises."""
    counts = np.bincount(group, minlength=G)
    if counts.size != G:
        raise ValueError("group_count: a group label outside 0..G-1")
    return counts


@twin(group_count)
def _group_count_compiled(*, group, G):
    out = np.zeros(G, dtype=np.int64)
    if G > 8:
        for i in range(group.size):
            if group[i] < 0 or group[i] >= G:
                raise ValueError("group_count: a group label outside 0..G-1")
            out[group[i]] += 1
        return out
    # a few groups (regions, GVC stages): one vectorised comparison pass each, instead
    # of increments that wait on one another through memory
    for g in range(G):
        count = 0
        for i in range(group.size):
            count += group[i] == g
        out[g] = count
    if out.sum() != group.size:
        raise ValueError("group_count: a group label outside 0..G-1")
    return out


def group_sum(*, group, values, G):
    """Total of ``values`` over each of ``G`` groups (``np.bincount`` with weights); a
    label outside ``0..G-1`` raises."""
    totals = np.bincount(group, weights=values, minlength=G).astype(float)
    if totals.size != G:
        raise ValueError("group_sum: a group label outside 0..G-1")
    return totals


@twin(group_sum, reassociate=True)
def _group_sum_compiled(*, group, values, G):
    out = np.zeros(G)
    if G > 2:
        for i in range(group.size):
            if group[i] < 0 or group[i] >= G:
                raise ValueError("group_sum: a group label outside 0..G-1")
            out[group[i]] += values[i]
        return out
    # a cluster and its periphery: one pass each, instead of additions that wait on one
    # another through memory where rows of one region follow each other
    members = 0
    for g in range(G):
        total = 0.0
        for i in range(group.size):
            if group[i] == g:
                total += values[i]
                members += 1
        out[g] = total
    if members != group.size:
        raise ValueError("group_sum: a group label outside 0..G-1")
    return out


@dataclass
class GroupMembers:
    """Rows grouped by a small-integer label (a region): the rows of group ``g`` are
    ``order[start[g]:start[g] + count[g]]``, in row order (``order`` None: every row, in
    one group)."""

    order: np.ndarray | None
    start: np.ndarray
    count: np.ndarray

    @classmethod
    def of(cls, group: np.ndarray, G: int, rows: np.ndarray | None = None) -> GroupMembers:
        """Group ``rows`` (default: every row) by ``group[rows]``."""
        if G == 1:  # every row in one group: no gather, no copy
            order = None if rows is None else np.asarray(rows, dtype=np.int64)
            return cls(order, np.zeros(1, dtype=np.int64), np.array([group.size if rows is None else order.size]))
        rows = np.arange(group.size) if rows is None else np.asarray(rows, dtype=np.int64)
        g = group[rows]
        members = [rows[g == k] for k in range(G)]  # a few groups: one pass each beats a sort
        count = np.array([m.size for m in members])
        return cls(np.concatenate(members), np.cumsum(count) - count, count)

    def sample(self, want: np.ndarray, u: np.ndarray) -> np.ndarray:
        """A uniformly random member of each wanted group, -1 where the group has none:
        element ``k`` takes position ``floor(u[k] n_g)`` of group ``g = want[k]``."""
        if self.count.size == 1:  # one group: no per-draw gathers of its size and start
            n = int(self.count[0])
            if n == 0:
                return np.full(np.shape(want), -1, dtype=np.int64)
            position = np.minimum((u * n).astype(np.int64), n - 1)
            return position if self.order is None else self.order[position]
        want = np.asarray(want, dtype=np.int64)
        c = self.count[want]
        has = c > 0
        # floor(u c) stays below c even where the product rounds up to c
        pos = self.start[want[has]] + np.minimum((u[has] * c[has]).astype(np.int64), c[has] - 1)
        out = np.full(want.shape, -1, dtype=np.int64)
        out[has] = self.order[pos]
        return out


def random_members(group: np.ndarray, G: int, want: np.ndarray, u: np.ndarray,
                   rows: np.ndarray | None = None) -> np.ndarray:
    """A uniformly random row of each wanted group (:meth:`GroupMembers.sample`) among
    ``rows`` (default: every firm), -1 where the group has none."""
    return GroupMembers.of(group, G, rows).sample(want, u)


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
        tech_mean=arr("tech_mean"), tech_sd=arr("tech_sd"), rd_unit_share=arr("rd_unit_share"),
        alpha_mean=arr("alpha_mean"),
        stage_cumulative=np.cumsum(np.array([r.stage_mix for r in rs]), axis=1),
        labour_pressure0=np.zeros(R),
    )
