"""The engine's core rules as an idiomatic Mesa 3 model: one ``Agent`` per firm.

This is the opponent of the speed comparison and the second implementation of the
equivalence test (``tests/test_mesa_equivalence.py``). It implements exactly the
code paths that :class:`innocluster.model.engine.ClusterModel` runs for the
built-in ``core`` scenario (one region; market replicator, own research and
absorption/imitation, start-ups and spin-offs, exit; finance off, so R&D equals
wanted R&D; no agglomeration, congestion, government, diffusion, relocation or
upgrading). Trust ties still form and decay as in the engine (``ties.form_ties`` and
``ties.dissolve_ties`` run regardless of the diffusion switch) because ties give access and candidate
sources in absorption. Every parameter, economic constants included, is read from
the same :class:`~innocluster.scenario.schema.Scenario` object (under the schema's
names); the only numbers written here are numerical guards against division by zero.

Written to be a fair opponent: scalar draws come from the model's stdlib
``random.Random`` (faster per call than NumPy scalars), parameters are cached on the
model once, uniform sampling of firms uses a list rebuilt only when the population
changes, stage sums use ``AgentSet.groupby(..., result_type="list")``, and nothing
is recorded in the step loop (only two running counters). Each mechanism is one
staged ``AgentSet.do`` pass in the engine's order; passes whose engine counterpart is
simultaneous (vectorised) are split into a "decide" and an "apply" pass so that no
firm sees another firm's half-updated state (absorption). See ``README.md`` for the
rule-by-rule mapping.

Example
-------
>>> from innocluster import load_scenario
>>> m = CoreClusterModel(load_scenario("core"), seed=1, firms=200)
>>> for _ in range(3):
...     m.step()
>>> m.summary()["firms"] > 0
True
"""

from __future__ import annotations

import math

import mesa
import numpy as np
from scipy.optimize import brentq

from innocluster.scenario.schema import Scenario

#: switches that must be off: the reference implements the core rules only
_MUST_BE_OFF = ("agglomeration", "congestion", "finance", "venture_capital", "research_institutes", "diffusion",
                "relocation", "mne_inflow", "upgrading", "government", "intermediaries", "stage_programme")


class Firm(mesa.Agent):
    """One firm. Attributes mirror the engine's firm-table columns that the core rules use."""

    def __init__(self, model: CoreClusterModel, stage: int, A: float, x: float, y: float, employees: float,
                 net_worth: float, share: float, age: int = 0, parent: int = -1,
                 has_rd_unit: bool | None = None, shock: float | None = None, luck_in_technology: bool = False):
        super().__init__(model)
        m = model
        rnd = m.random
        # traits of every entrant (entrants.traits); a spin-off's R&D unit is imposed, and its
        # intensity follows the imposed unit by the same rule
        unit = rnd.random() < m.rd_unit_share if has_rd_unit is None else has_rd_unit
        informal = (not unit) and rnd.random() < m.informal_rd_share
        rho = m.wanted_intensity()
        rho = rho if unit else (m.informal_rd_intensity * rho if informal else 0.0)
        self.has_rd_unit = unit
        self.rd_intensity = rho
        self.alpha = min(1.0, max(0.0, m.alpha_mean + m.alpha_sd * rnd.gauss(0.0, 1.0)))
        self.xi = min(1.0, max(0.0, m.rd_share_own + m.rd_share_own_sd * rnd.gauss(0.0, 1.0)))  # own R&D split
        # first passing shock from its stationary distribution (shocks.entry_luck), in A already
        # for the initial population, the parent's for a spin-off; log-normal size of mean one
        # (market.entry_size)
        luck = m.stationary_shock_sd * rnd.gauss(0.0, 1.0) if m.shocks_on else 0.0
        size = math.exp(m.entrant_size_sd * rnd.gauss(0.0, 1.0) - 0.5 * m.entrant_size_sd**2)
        if shock is None and not luck_in_technology:
            A += luck
        self.stage = stage
        self.A = A
        self.x = x
        self.y = y
        self.age = age
        self.parent = parent
        self.employees = employees
        self.net_worth = net_worth
        self.capital = net_worth
        self.debt = 0.0
        self.share = share * size
        self.revenue = 0.0
        self.previous_revenue = 0.0
        self.unit_cost = m.entrant_unit_cost  # no sales yet: what the first year's competitiveness reads
        self.operating = 0.0
        self.rd = 0.0
        self.profit = 0.0
        self.patents_new = 0
        self.patents_cum = 0
        self.E = 0.0
        self.share_E = 0.0
        # insertion-ordered (a dict, not a set: set order follows memory addresses,
        # which would make runs irreproducible from the seed)
        self.ties: dict[Firm, None] = {}
        self.source: Firm | None = None
        self.gain = 0.0
        # what the firm has learned about its margin (learning.update_beliefs): an incumbent
        # of the initial population has seen its age's worth of break-even years
        self.margin_belief = 0.0
        self.years_observed = age
        self.shock = luck if shock is None else shock  # passing component of technology (shocks.py)

    # ---------------------------------------------------------------- 1 market
    def compete(self) -> None:
        """Competitiveness E = A - log(unit cost of last year) (market.replicator_shares)."""
        self.patents_new = 0
        self.previous_revenue = self.revenue  # last year's sales: the customers it keeps (supply)
        self.E = self.A - math.log(max(self.unit_cost, 1e-9))
        self.share_E = self.share * self.E

    def replicate(self, Ebar: dict) -> None:
        """Replicator ``f <- f max(0, 1 + chi (E - Ebar_s))`` times a log-normal demand shock."""
        m = self.model
        s = self.share * max(0.0, 1.0 + m.chi * (self.E - Ebar[self.stage]))
        if m.replication_noise > 0:
            s *= math.exp(m.random.gauss(0.0, m.replication_noise))
        self.share = s

    def sell(self, stage_total: dict, demand: list) -> None:
        """Renormalise the share within the stage; revenue = share x stage demand (market.revenues)."""
        self.share /= max(stage_total[self.stage], 1e-300)
        self.revenue = self.share * demand[self.stage]

    # ---------------------------------------------------------------- 2 supply, costs and operating accounts
    def supply(self) -> None:
        """Take no new orders that lose money (supply.supply): the demand, cut to
        ``max(Q*, Q_min, last year's sales)`` with ``C'(Q*) = 1`` and ``L(Q_min) = L_min``."""
        m = self.model
        if not m.profitable_supply or self.revenue <= 0 or self.previous_revenue >= self.revenue:
            return
        s, kappa = self.stage, m.kappa
        p, a = m.price[s], m.q0 * math.exp(self.A)
        x_demand = self.revenue / m.q_half  # span of control on sales in value (costs)

        def solve(fn, target):  # the x in [0, x_demand] where the increasing fn reaches target
            if fn(x_demand) <= target:
                return x_demand
            if fn(0.0) >= target:
                return 0.0
            return brentq(lambda x: fn(x) - target, 0.0, x_demand)

        variable = m.input_share[s] + m.transaction_cost  # inputs and transaction costs per USD of output
        x_floor = solve(lambda x: x * (1.0 + x) ** kappa, m.min_employees * p * a / m.q_half) if variable < 1.0 else 0.0
        x_best = solve(lambda x: (1.0 + x) ** (kappa - 1.0) * (1.0 + (1.0 + kappa) * x),
                       (1.0 - variable) * p * a / (m.wage * m.skill[s]))
        supplied = min(self.revenue, max(max(x_best, x_floor) * m.q_half, self.previous_revenue))
        self.share *= supplied / self.revenue
        self.revenue = supplied

    def costs(self) -> tuple[float, float]:
        """Labour and total cost of this year's output (costs.cost_components without
        agglomeration, congestion or intermediaries: no cuts, no rent)."""
        return self.cost_at(self.revenue)

    def cost_at(self, Q: float) -> tuple[float, float]:
        """Labour and total cost of selling ``Q``."""
        m = self.model
        s = self.stage
        q = Q / m.price[s]  # physical output at the stage's price (market.stage_prices)
        L = max(m.min_employees, q / (m.q0 * math.exp(self.A)) * (1.0 + Q / m.q_half) ** m.kappa)
        return L, m.wage * m.skill[s] * L + m.input_share[s] * Q + m.fixed_cost + m.transaction_cost * Q

    def produce(self) -> None:
        """Employees, unit cost (kept from last year without sales) and operating profit
        net of interest (accounts.operating_accounts)."""
        m = self.model
        L, total = self.costs()
        self.employees = L
        if self.revenue > 0:
            self.unit_cost = total / self.revenue
        self.operating = self.revenue - total - m.interest_rate * self.debt

    # ---------------------------------------------------------------- 3 finance (off: R&D = wanted R&D)
    def fund_rd(self) -> None:
        """Wanted R&D (finance.wanted_rd), funded in full, by loans for what operating profit does
        not cover (finance.fund_rd with finance off: perfect capital markets)."""
        m = self.model
        intensity, floor = self.rd_intensity, m.rd_min_project
        if m.rd_margin_sensitivity > 0:  # thin margins (last year's profit on this year's revenue) cut R&D
            margin = self.profit / self.revenue if self.revenue > 0 else m.rd_margin_ref
            squeeze = min(1.0, max(0.0, margin / m.rd_margin_ref))
            intensity *= 1.0 - m.rd_margin_sensitivity + m.rd_margin_sensitivity * squeeze
            floor = m.rd_min_project * squeeze
        wanted = max(intensity * self.revenue, floor) if intensity > 0 else 0.0
        self.debt += max(0.0, wanted - max(self.operating, 0.0))
        self.rd = wanted

    # ---------------------------------------------------------------- 4 innovation
    def research(self) -> None:
        """Own research: Poisson inventions, one Beta jump kept if positive, each invention
        patented with the region's probability, independently (research.own_research)."""
        if self.rd <= 0:
            return
        m = self.model
        rate = (m.zeta1 * self.xi * self.rd / m.researcher_wage * (1.0 + m.spillover_effect * m.spillover)
                * math.exp(-m.fishing_out * (self.A - m.A0)))
        k = m.poisson(rate)
        if k == 0:
            return
        self.A += max(m.jump(), 0.0)
        rnd = m.random
        pats = sum(1 for _ in range(k) if rnd.random() < m.p_patent)
        self.patents_new += pats
        m.patents_year += pats

    def choose_source(self) -> None:
        """Absorption, decide (absorption.absorbing_firms, absorption.source_choice): success with
        ``1 - exp(-zeta2 N_im alpha access)``; then ``absorption_candidates`` candidates, each a
        random firm of the economy (``external_search``), a random tie (``tie_search``, when the
        firm has ties) or a random firm of its region; weight ``exp(-dist/lambda_geo) / (1 + |dA|)``,
        times ``tie_source_weight`` for a tie, among better firms only."""
        self.source = None
        if self.rd <= 0:
            return
        m = self.model
        rnd = m.random
        researchers = (1.0 - self.xi) * self.rd / m.researcher_wage
        access = 1.0 + m.tie_access * len(self.ties) / m.ties_ref
        if rnd.random() >= 1.0 - math.exp(-m.zeta2 * researchers * self.alpha * access):
            return
        firms = m.firm_list
        nf = len(firms)
        ties = tuple(self.ties)
        A, x, y = self.A, self.x, self.y
        external_search, tie_from = m.external_search, 1.0 - m.tie_search
        weights, cands = [], []
        for _ in range(m.absorption_candidates):
            u = rnd.random()
            if ties and u >= external_search and u >= tie_from:
                c = ties[int(rnd.random() * len(ties))]
                boost = m.tie_source_weight
            else:
                # u < external_search draws from the whole economy, otherwise from the own
                # region: the same set of firms here, where there is one region
                c = firms[int(rnd.random() * nf)]
                boost = 1.0
            Ac = c.A
            if Ac > A:
                weights.append(math.exp(-math.hypot(c.x - x, c.y - y) / m.geo_decay) / (1.0 + Ac - A) * boost)
                cands.append(c)
        total = sum(weights)
        if total <= 0:
            return
        r = rnd.random() * total
        acc = 0.0
        pick = cands[-1]
        for w, c in zip(weights, cands):
            acc += w
            if acc > r:
                pick = c
                break
        self.source = pick
        self.gain = m.catch_up * (pick.A - A)

    def absorb(self) -> None:
        """Absorption, apply: close ``eta`` of the gap; re-creation (a patentable jump) with ``p_re``;
        a tie to the source with ``tie_from_collaboration``."""
        src = self.source
        if src is None:
            return
        m = self.model
        rnd = m.random
        self.A += self.gain
        if rnd.random() < m.recreation * math.exp(-m.fishing_out * (self.A - m.A0)):
            x = m.jump()
            self.A += max(x, 0.0)
            if x > 0 and rnd.random() < m.p_patent:
                self.patents_new += 1
                m.patents_year += 1
        if rnd.random() < m.tie_from_collaboration:
            m.add_tie(self, src)
        self.source = None

    def learn_and_book(self) -> None:
        """Absorptive capacity and R&D-unit adoption (capabilities.update), then the year's
        books: patents, profit after R&D, owners' payout, net worth, debt amortisation,
        capital (accounts.year_profit, accounts.close_books)."""
        m = self.model
        rnd = m.random
        intensity = self.rd / self.revenue if self.revenue > 0 else 0.0
        self.alpha = min(1.0, max(0.0, self.alpha + m.alpha_rd * intensity - m.alpha_decay * self.alpha))
        if not self.has_rd_unit and rnd.random() < m.rd_unit_adoption:
            self.has_rd_unit = True
            self.rd_intensity = m.wanted_intensity()
        self.patents_cum += self.patents_new
        profit = self.operating - self.rd
        self.profit = profit
        self.net_worth += profit - m.payout_ratio * max(profit, 0.0)
        self.debt *= m.debt_kept
        self.capital = max(self.net_worth + self.debt, 0.0)

    # ---------------------------------------------------------------- trust ties (ties.form_ties, ties.dissolve_ties)
    def decay_ties(self) -> None:
        """Each tie, the year's new ties included, dissolves with probability ``tie_decay`` at
        the end of the year (handled once, by its lower-id end)."""
        m = self.model
        rnd = m.random
        uid = self.unique_id
        for other in [o for o in self.ties if o.unique_id > uid]:
            if rnd.random() < m.tie_decay:
                del self.ties[other]
                del other.ties[self]

    def form_ties(self) -> None:
        """``Poisson(tie_formation loc)`` new ties to the nearest of ``partner_candidates`` random
        firms of the region (``external_links`` of them to a random firm of the economy)."""
        m = self.model
        for _ in range(m.poisson(m.tie_formation * m.localisation)):
            m.new_tie(self)

    # ---------------------------------------------------------------- 6 spin-offs
    def spins_off(self, Abar: float) -> bool:
        """Spin-off decision: more than L_min employees and ``U < sigma (1 + b_sp (A - Abar))``."""
        m = self.model
        if self.employees <= m.spinoff_min_employees:
            return False
        p = min(1.0, max(0.0, m.spinoff_rate * (1.0 + m.spinoff_quality * (self.A - Abar))))
        return m.random.random() < p

    def spin_off(self, stage_counts: dict) -> None:
        """Create a child: ``A - s_sp |z|``, near the parent, same stage, an R&D unit if the parent
        has one or with ``spinoff_rd_unit_share``, tied to the parent."""
        m = self.model
        rnd = m.random
        child = Firm(m, self.stage, self.A - m.spinoff_tech_loss * abs(rnd.gauss(0.0, 1.0)),
                     self.x + rnd.gauss(0.0, 1.0) * m.spinoff_distance,
                     self.y + rnd.gauss(0.0, 1.0) * m.spinoff_distance,
                     m.initial_employees, m.founder_capital,
                     m.entrant_share / max(stage_counts.get(self.stage, 0), 1),
                     parent=self.unique_id,
                     has_rd_unit=self.has_rd_unit or rnd.random() < m.spinoff_rd_unit_share,
                     shock=self.shock)  # the parent's passing luck fades in the child too
        m.add_tie(child, self)
        if not child.plan_pays():  # the founder gives up before hiring anyone
            child.leave()

    # ---------------------------------------------------------------- 9 exit, 11 ageing
    def catch_up(self, frontier: dict) -> None:
        """Close ``frontier_rate`` of the gap between the lasting part of technology and the
        stage's frontier (catchup.frontier_catchup)."""
        self.A += self.model.frontier_rate * max(0.0, frontier[self.stage] - (self.A - self.shock))

    def take_shock(self) -> None:
        """This year's passing productivity shock, autoregressive (shocks.productivity_shocks)."""
        m = self.model
        new = m.shock_persistence * self.shock + m.productivity_shock_sd * self.random.gauss(0.0, 1.0)
        self.A += new - self.shock
        self.shock = new

    def learn_viability(self) -> None:
        """Update the belief about the operating margin with this year's, clipped to [-1, 1]
        (learning.update_beliefs); only a firm that sold learns."""
        if self.revenue <= 0:
            return
        margin = min(1.0, max(-1.0, self.operating / self.revenue))
        self.years_observed += 1
        self.margin_belief += (margin - self.margin_belief) / (self.years_observed + self.model.learning_prior_years)

    def exits(self, f_min: list) -> bool:
        """Exit rule: past the grace period and negative net worth, a learned unviability or
        a vanishing share."""
        m = self.model
        unviable = m.learning_on and self.years_observed > 0 and self.margin_belief < m.unviable_margin
        return self.age >= m.grace_years and (self.net_worth < 0 or unviable or self.share < f_min[self.stage])

    def plan_pays(self) -> bool:
        """A founder starts only if selling its expected share of this year's demand (its
        entry share times the founder's optimism) covers its costs down to the exit
        threshold (nascent.starts)."""
        m = self.model
        if not (m.entry_screening and m.exit_on and m.learning_on):
            return True
        Q = m.demand()[self.stage] * self.share * m.founder_optimism
        return (Q - self.cost_at(Q)[1]) / Q >= m.unviable_margin

    def leave(self) -> None:
        """Leave the market: drop ties (this year's patents still count, as in the engine)."""
        for other in self.ties:
            del other.ties[self]
        self.ties.clear()
        self.remove()

    def grow_older(self) -> None:
        self.age += 1


class CoreClusterModel(mesa.Model):
    """The ``core`` scenario as a Mesa model.

    Parameters
    ----------
    scenario : Scenario
        Must have one region and the core mechanism set (``load_scenario("core")``).
    seed : int
        Seeds Mesa's ``random.Random`` and ``numpy`` generator (``mesa.Model(seed=...)``).
    firms : int, optional
        Initial firms; rescales demand exactly as the engine's ``--firms`` does.
    """

    def __init__(self, scenario: Scenario, seed: int = 1, firms: int | None = None):
        super().__init__(seed=seed)
        sc = scenario
        mech = sc.mechanisms
        if len(sc.regions) != 1:
            raise ValueError("the Mesa reference implements the one-region core scenario only")
        on = [k for k in _MUST_BE_OFF if getattr(mech, k)]
        if on:
            raise ValueError(f"the Mesa reference implements the core rules only; switch off: {', '.join(on)}")
        reg = sc.regions[0]
        base = reg.initial_firms
        n0 = base if firms is None else int(firms)
        self.scale = n0 / base
        self.n0 = n0
        self.t = 0
        # ---- parameters, read once (same Scenario object as the engine, schema names)
        st = sc.stages
        mk, c, fin, inn, d, e, ini = sc.market, sc.costs, sc.finance, sc.innovation, sc.diffusion, sc.entry, sc.initial
        self.n_stages = len(st)
        self.demand0 = [s.demand * self.scale * mk.demand_scale for s in st]  # engine: World.demand0
        self.demand_growth = [s.demand_growth for s in st]
        self.input_share = [1.0 - s.value_added for s in st]
        self.skill = [s.skill_premium for s in st]
        self.pass_through = [s.price_pass_through for s in st]
        self.stage_cum = [sum(reg.stage_mix[: i + 1]) for i in range(len(reg.stage_mix))]
        self.chi, self.replication_noise = mk.chi, mk.replication_noise
        self.entrant_share, self.min_share = mk.entrant_share, mk.min_share
        self.entrant_size_sd = mk.entrant_size_sd
        self.profitable_supply = sc.mechanisms.profitable_supply
        self.entrant_unit_cost = mk.entrant_unit_cost
        self.q0, self.q_half, self.kappa = mk.productivity_scale, mk.size_scale, mk.span_of_control
        self.fixed_cost, self.transaction_cost, self.interest_rate = c.fixed_cost, c.transaction_cost, c.interest_rate
        self.min_employees = c.min_employees
        self.wage0, self.wage_indexation, self.ties_ref = reg.wage, c.wage_indexation, c.ties_ref
        self.rd_intensity_mean, self.rho_sd = fin.rd_intensity, fin.rd_intensity_sd
        self.rho_mu = -0.5 * fin.rd_intensity_sd ** 2
        self.informal_rd_share, self.informal_rd_intensity = fin.informal_rd_share, fin.informal_rd_intensity
        self.rd_min_project = fin.rd_min_project
        self.rd_margin_sensitivity, self.rd_margin_ref = fin.rd_margin_sensitivity, fin.rd_margin_ref
        self.payout_ratio, self.founder_capital = fin.payout_ratio, fin.founder_capital
        self.debt_kept = 1.0 - fin.debt_amortisation
        self.rd_share_own, self.rd_share_own_sd, self.alpha_sd = inn.rd_share_own, inn.rd_share_own_sd, inn.alpha_sd
        self.own_research_on, self.absorption_on = mech.own_research, mech.absorption
        self.zeta1, self.zeta2, self.fishing_out = inn.zeta1, inn.zeta2, inn.fishing_out
        self.spillover_effect, self.spill_density = inn.spillover_effect, inn.spill_density
        self.jump_low, self.jump_span = inn.jump_low, inn.jump_high - inn.jump_low
        self.beta_a, self.beta_b = inn.beta_a, inn.beta_b
        self.p_patent = inn.patent_propensity * (inn.ip_floor + (1.0 - inn.ip_floor) * reg.ip_strength)
        self.catch_up, self.recreation, self.geo_decay = inn.catch_up, inn.recreation, inn.geo_decay
        self.absorption_candidates, self.external_search = inn.absorption_candidates, inn.external_search
        self.tie_search, self.tie_source_weight = inn.tie_search, inn.tie_source_weight
        self.tie_access, self.tie_from_collaboration = inn.tie_access, inn.tie_from_collaboration
        self.alpha_rd, self.alpha_decay, self.rd_unit_adoption = inn.alpha_rd, inn.alpha_decay, inn.rd_unit_adoption
        self.researcher_wage_premium = inn.researcher_wage_premium
        self.tie_formation, self.tie_decay, self.initial_ties = d.tie_formation, d.tie_decay, d.initial_ties
        self.initial_localisation_floor, self.partner_candidates = d.initial_localisation_floor, d.partner_candidates
        self.startup_rate, self.neighbour_effect, self.neighbour_exponent = (
            e.startup_rate, e.neighbour_effect, e.neighbour_exponent)
        self.max_startup_ratio = e.max_startup_ratio
        self.startup_tech_gap, self.startup_tech_sd, self.startup_distance = (
            e.startup_tech_gap, e.startup_tech_sd, e.startup_distance)
        self.spinoff_rate, self.spinoff_quality = e.spinoff_rate, e.spinoff_quality
        self.spinoff_min_employees, self.spinoff_tech_loss = e.spinoff_min_employees, e.spinoff_tech_loss
        self.spinoff_distance, self.spinoff_rd_unit_share = e.spinoff_distance, e.spinoff_rd_unit_share
        self.initial_employees = e.initial_employees
        self.grace_years = sc.exit.grace_years
        self.learning_on = mech.learning_exit
        self.learning_prior_years, self.unviable_margin = sc.exit.learning_prior_years, sc.exit.unviable_margin
        self.frontier_on = mech.frontier_catchup
        self.shocks_on, self.productivity_shock_sd = mech.productivity_shocks, inn.productivity_shock_sd
        self.shock_persistence = inn.productivity_shock_persistence
        self.stationary_shock_sd = inn.productivity_shock_sd / math.sqrt(1.0 - inn.productivity_shock_persistence**2)
        self.frontier_rate, self.frontier_quantile = d.frontier_rate, d.frontier_quantile
        self.max_age, self.size_sd, self.net_worth_to_revenue = ini.max_age, ini.size_sd, ini.net_worth_to_revenue
        self.startups_on, self.spinoffs_on, self.exit_on = mech.startups, mech.spinoffs, mech.exit
        self.entry_screening = mech.entry_screening
        self.founder_optimism = sc.entry.founder_optimism
        self.market_on = mech.market
        self.rx, self.ry, self.radius = reg.x, reg.y, reg.radius
        self.localisation, self.external_links, self.culture = reg.localisation, reg.external_links, reg.culture
        self.tech_mean0, self.tech_sd0, self.alpha_mean = reg.tech_mean, reg.tech_sd, reg.alpha_mean
        self.rd_unit_share = reg.rd_unit_share
        # ---- state
        self.wage = self.wage0
        self.researcher_wage = self.wage * self.researcher_wage_premium
        self.price = [1.0] * self.n_stages  # output price of each stage relative to t = 0
        self.stage_A0: list[float | None] = [None] * self.n_stages  # technology at price 1 (None: not yet occupied)
        self.A0 = 0.0
        self.spillover = 0.0
        self.patents_year = 0  # patents filed this year by firms that survive it
        self.patents_total = 0  # the region's cumulative patents, as the engine records them
        self.firm_list: list[Firm] = []
        self._initial_population(n0)

    # ---------------------------------------------------------------- helpers
    def poisson(self, lam: float) -> int:
        """Poisson draw: Knuth's product method for small rates, NumPy beyond."""
        if lam <= 0:
            return 0
        if lam > 30.0:
            return int(self.rng.poisson(lam))
        limit = math.exp(-lam)
        k, p = 0, self.random.random()
        while p > limit:
            k += 1
            p *= self.random.random()
        return k

    def jump(self) -> float:
        """Productivity jump ``x_inf + (x_sup - x_inf) Beta(a1, b1)``."""
        return self.jump_low + self.jump_span * self.random.betavariate(self.beta_a, self.beta_b)

    def wanted_intensity(self) -> float:
        """Wanted R&D intensity with a unit, ``rho exp(s z - s^2/2)`` (capabilities.wanted_intensity)."""
        return self.rd_intensity_mean * math.exp(self.random.gauss(self.rho_mu, self.rho_sd))

    def draw_stage(self) -> int:
        u = self.random.random()
        s = sum(1 for c in self.stage_cum if u > c)
        return min(s, self.n_stages - 1)

    def demand(self) -> list[float]:
        return [d0 * (1.0 + g) ** self.t for d0, g in zip(self.demand0, self.demand_growth)]

    def stage_counts(self) -> dict:
        return self.agents.groupby("stage", result_type="list").count()

    def stage_technology(self) -> list[float | None]:
        """Share-weighted mean technology of each stage (market.stage_technology); None for a
        stage without firms (or shares)."""
        num, den = [0.0] * self.n_stages, [0.0] * self.n_stages
        for f in self.agents:
            num[f.stage] += f.share * f.A
            den[f.stage] += f.share
        return [num[s] / den[s] if den[s] > 0 else None for s in range(self.n_stages)]

    def mean_technology(self) -> float:
        """Employment-weighted mean revenue productivity ``A + log p_s`` of the domestic
        firms (World.domestic_revenue_productivity), the wage index; core mode has no
        multinationals."""
        num = den = 0.0
        for f in self.agents:
            num += (f.A + math.log(self.price[f.stage])) * f.employees
            den += f.employees
        return num / den if den > 0 else self.A0

    @staticmethod
    def add_tie(a: Firm, b: Firm) -> None:
        if a is not b:
            a.ties[b] = None
            b.ties[a] = None

    def new_tie(self, firm: Firm) -> None:
        """One new proximity tie of ``firm`` (ties.new_ties): the nearest of ``partner_candidates``
        random firms of the region (the firm itself excluded), or with ``external_links`` a random
        firm of the economy."""
        firms = self.firm_list
        n = len(firms)
        rnd = self.random
        best, best_d = firm, math.inf
        for _ in range(self.partner_candidates):
            c = firms[int(rnd.random() * n)]
            if c is not firm:
                d = (c.x - firm.x) ** 2 + (c.y - firm.y) ** 2
                if d < best_d:
                    best, best_d = c, d
        if rnd.random() < self.external_links:
            best = firms[int(rnd.random() * n)]
        self.add_tie(firm, best)

    # ---------------------------------------------------------------- setup (initial.populate)
    def _initial_population(self, n: int) -> None:
        rnd = self.random
        for _ in range(n):
            A = self.tech_mean0 + rnd.gauss(0.0, 1.0) * self.tech_sd0
            stage = self.draw_stage()
            x = self.rx + rnd.gauss(0.0, 1.0) * self.radius
            y = self.ry + rnd.gauss(0.0, 1.0) * self.radius
            size = math.exp(self.size_sd * rnd.gauss(0.0, 1.0))
            f = Firm(self, stage, A, x, y, 0.0, 0.0, 0.0, age=rnd.randrange(self.max_age), luck_in_technology=True)
            f.size = size
        self.firm_list = list(self.agents)
        # initial trust ties (ties.initial_ties)
        lam = 0.5 * self.initial_ties * max(self.localisation, self.initial_localisation_floor)
        if n >= 2 and self.initial_ties > 0:
            for f in self.firm_list:
                for _ in range(self.poisson(lam)):
                    self.new_tie(f)
        # shares, sales, employees and unit costs at the base wage; a firm the exit rule would
        # already have removed (margin below unviable_margin) is drawn again (initial.already_exited)
        self.wage = self.wage0
        self._initial_accounts()
        for _ in range(50):
            gone = [f for f in self.firm_list if self.exit_on and self.learning_on
                    and 1.0 - f.unit_cost < self.unviable_margin]
            if not gone:
                break
            for f in gone:
                f.A = self.tech_mean0 + rnd.gauss(0.0, 1.0) * self.tech_sd0
                f.size = math.exp(self.size_sd * rnd.gauss(0.0, 1.0))
            self._initial_accounts()
        self.stage_A0 = self.stage_technology()
        for f in self.agents:
            f.net_worth = f.capital = self.net_worth_to_revenue * f.revenue + self.founder_capital
        self.A0 = self.mean_technology()  # the wage index's base: technology at t = 0

    def _initial_accounts(self) -> None:
        """Shares from sizes and technology, sales, employees and unit costs (initial.initial_accounts)."""
        for f in self.agents:
            f.share = f.size * math.exp(f.A)
        totals = self.agents.groupby("stage", result_type="list").agg("share", sum)
        self.agents.do("sell", totals, self.demand())
        for f in self.agents:
            f.employees, total = f.costs()
            f.unit_cost = total / max(f.revenue, 1e-12)

    # ---------------------------------------------------------------- one year
    def step(self) -> None:
        agents = self.agents
        self.patents_year = 0
        # 1 market: replicator within GVC stages, then revenue and stage prices
        agents.do("compete")
        if self.market_on:
            groups = agents.groupby("stage", result_type="list")
            tot = groups.agg("share", sum)
            wsum = groups.agg("share_E", sum)
            Ebar = {s: wsum[s] / max(tot[s], 1e-300) for s in tot}
            agents.do("replicate", Ebar)
        tot = agents.groupby("stage", result_type="list").agg("share", sum)
        agents.do("sell", tot, self.demand())
        if any(self.pass_through):  # market.stage_prices: an empty stage keeps its price
            for s, a in enumerate(self.stage_technology()):
                if a is not None:
                    if self.stage_A0[s] is None:  # first occupied now: its base, price 1
                        self.stage_A0[s] = a
                    self.price[s] = math.exp(-self.pass_through[s] * (a - self.stage_A0[s]))
        # 2 costs and operating accounts (wages indexed to last year's employment-weighted technology)
        self.wage = self.wage0 * math.exp(self.wage_indexation * (self.mean_technology() - self.A0))
        self.researcher_wage = self.wage * self.researcher_wage_premium
        agents.do("supply")
        agents.do("produce")
        # 3 finance switched off: wanted R&D is spent
        agents.do("fund_rd")
        # 4 innovation: spillover pool, own research, absorption (decide, then apply), capabilities, books
        n = len(agents)
        self.spillover = self.spill_density * math.log1p(self.localisation * n / self.scale)
        if self.own_research_on:
            agents.do("research")
        if self.absorption_on:
            agents.do("choose_source")
            agents.do("absorb")
        agents.do("learn_and_book")
        # 5 catch-up to each stage's frontier, a quantile of its firms' technology
        if self.frontier_on and n:
            lasting = {}
            for firm in agents:
                lasting.setdefault(firm.stage, []).append(firm.A - firm.shock)
            frontier = {s: float(np.quantile(a, self.frontier_quantile)) for s, a in lasting.items()}
            agents.do("catch_up", frontier)
        if self.shocks_on:
            agents.do("take_shock")
        # then new trust ties (ties.form_ties runs even with diffusion off)
        if n >= 2:
            agents.do("form_ties")
        # 6 entry
        if self.startups_on:
            self.startups()
        if self.spinoffs_on and len(agents):
            Abar = agents.agg("A", math.fsum) / len(agents)
            counts = self.stage_counts()
            agents.select(lambda f: f.spins_off(Abar)).do("spin_off", counts)
        # 9 learning about viability, exit
        if self.learning_on:
            agents.do("learn_viability")
        if self.exit_on and len(agents):
            counts = self.stage_counts()
            f_min = [self.min_share / max(counts.get(s, 0), 1) for s in range(self.n_stages)]
            agents.select(lambda f: f.exits(f_min)).do("leave")
        # then every tie, the year's new ones included, dissolves with tie_decay (ties.dissolve_ties)
        agents.do("decay_ties")
        # 11 ageing; the region's patent count (all firms' patents of the year, as the engine records it)
        agents.do("grow_older")
        self.patents_total += self.patents_year
        self.firm_list = list(agents)
        self.t += 1

    def startups(self) -> None:
        """De-novo start-ups ``~ Poisson(l0 n0 (1 + b_n (loc n / scale)^phi) culture)``, at most
        ``max_startup_ratio`` times the larger of n and n0, next to a random firm (startups.startups)."""
        agents = self.agents
        n = len(agents)
        near = self.localisation * n / self.scale
        lam = self.startup_rate * self.n0 * (1.0 + self.neighbour_effect * near ** self.neighbour_exponent) * self.culture
        k = int(self.rng.poisson(lam))  # one model-level draw a year
        k = min(k, math.ceil(self.max_startup_ratio * max(n, self.n0)))
        if k == 0:
            return
        rnd = self.random
        Abar = agents.agg("A", math.fsum) / max(n, 1)
        counts = self.stage_counts()
        anchors = self.firm_list
        for _ in range(k):
            A = Abar - self.startup_tech_gap + rnd.gauss(0.0, 1.0) * self.startup_tech_sd * self.tech_sd0
            stage = self.draw_stage()
            if anchors:
                a = anchors[int(rnd.random() * len(anchors))]
                spread = self.startup_distance * self.radius
                x = a.x + rnd.gauss(0.0, 1.0) * spread
                y = a.y + rnd.gauss(0.0, 1.0) * spread
            else:
                x = self.rx + rnd.gauss(0.0, 1.0) * self.radius
                y = self.ry + rnd.gauss(0.0, 1.0) * self.radius
            founder = Firm(self, stage, A, x, y, self.initial_employees, self.founder_capital,
                           self.entrant_share / max(counts.get(stage, 0), 1))
            if not founder.plan_pays():  # gives up before hiring anyone
                founder.leave()

    # ---------------------------------------------------------------- results (outside the timed loop)
    def summary(self) -> dict:
        """Firm count, mean technology and cumulative patents now (the engine's region row)."""
        n = len(self.agents)
        return {"firms": n, "tech_mean": self.agents.agg("A", math.fsum) / max(n, 1),
                "patents_cum": self.patents_total}


def run_core(scenario: Scenario, seed: int, years: int, firms: int | None = None) -> dict:
    """Run the Mesa reference and return :meth:`CoreClusterModel.summary` after ``years``."""
    m = CoreClusterModel(scenario, seed=seed, firms=firms)
    for _ in range(years):
        m.step()
    out = m.summary()
    release(m)
    return out


def release(model: mesa.Model) -> None:
    """Let a finished model be garbage-collected.

    Mesa 3.3 keeps every model alive through the class-level id counter
    ``Agent._ids`` (mesa issue #3179, fixed upstream by PR #3180); many runs in one
    process then accumulate agents and slow down Python's garbage collector.
    """
    ids = getattr(mesa.Agent, "_ids", None)
    if isinstance(ids, dict):
        ids.pop(model, None)
