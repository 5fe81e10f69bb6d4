"""The engine's core rules as an idiomatic Mesa 3 model: one ``Agent`` per firm.

This is the opponent of the speed comparison and the second implementation of the
equivalence test (``tests/test_mesa_equivalence.py``). It implements exactly the
code paths that :class:`innocluster.model.engine.ClusterModel` runs for the
built-in ``core`` scenario (one region; market replicator, own research and
absorption/imitation, start-ups and spin-offs, exit; finance off, so R&D equals
wanted R&D; no agglomeration, congestion, government, diffusion, relocation or
upgrading). Trust ties still form and decay as in the engine (``tie_dynamics`` runs
regardless of the diffusion switch) because ties give access and candidate sources
in absorption. Every parameter is read from the same
:class:`~innocluster.scenario.schema.Scenario` object.

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

from innocluster.scenario.schema import Scenario

#: candidate sources looked at per successful absorption (innovation.N_CANDIDATES)
N_CANDIDATES = 6
#: switches that must be off: the reference implements the core rules only
_MUST_BE_OFF = ("agglomeration", "congestion", "finance", "venture_capital", "research_institutes", "diffusion",
                "relocation", "mne_inflow", "upgrading", "government", "intermediaries", "stage_programme")


class Firm(mesa.Agent):
    """One firm. Attributes mirror the engine's firm-table columns that the core rules use."""

    def __init__(self, model: CoreClusterModel, stage: int, A: float, x: float, y: float, employees: float,
                 net_worth: float, share: float, age: int = 0, parent: int = -1,
                 has_rd_unit: bool | None = None):
        super().__init__(model)
        m = model
        rnd = m.random
        # traits of new firms (entry.draw_firm_traits)
        unit = rnd.random() < m.rd_unit_share
        informal = (not unit) and rnd.random() < m.informal_rd_share
        rho = m.rd_intensity_mean * math.exp(rnd.gauss(m.rho_mu, m.rho_sd))
        rho = rho if unit else (0.25 * rho if informal else 0.0)
        if has_rd_unit is not None:  # forced R&D unit (spin-offs): needs a positive intensity
            if has_rd_unit and rho <= 0:
                rho = m.rd_intensity_mean
            unit = has_rd_unit
        self.has_rd_unit = unit
        self.rd_intensity = rho
        self.alpha = min(1.0, max(0.0, rnd.gauss(m.alpha_mean, 0.1)))
        self.xi = min(1.0, max(0.0, rnd.gauss(m.rd_share_own, 0.1)))  # the firm's own R&D split
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
        self.share = share
        self.revenue = 0.0
        self.unit_cost = 1.0
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

    # ---------------------------------------------------------------- 1 market
    def compete(self) -> None:
        """Competitiveness E = A - log(unit cost of last year) (market.replicator_shares)."""
        self.patents_new = 0
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

    # ---------------------------------------------------------------- 2 costs
    def produce(self) -> None:
        """Unit cost and operating profit (costs.cost_components without agglomeration/congestion)."""
        m = self.model
        Q = self.revenue
        s = self.stage
        L = Q / (m.q0 * math.exp(self.A)) * (1.0 + Q / m.q_half) ** m.kappa
        total = m.wage * m.skill[s] * L + m.input_share[s] * Q + m.fixed_cost + m.transaction_cost * Q
        self.employees = L
        if Q > 0:
            self.unit_cost = total / max(Q, 1e-12)
        self.operating = Q - total - m.interest_rate * self.debt

    # ---------------------------------------------------------------- 3 finance (off: R&D = wanted R&D)
    def fund_rd(self) -> None:
        """Wanted R&D, financed in full by loans beyond operating profit (finance.fund_rd, finance off)."""
        m = self.model
        wanted = max(self.rd_intensity * self.revenue, m.rd_min_project) if self.rd_intensity > 0 else 0.0
        self.debt += max(0.0, wanted - max(self.operating, 0.0))
        self.rd = wanted

    # ---------------------------------------------------------------- 4 innovation
    def research(self) -> None:
        """Own research: Poisson inventions, one Beta jump kept if positive, each invention patented
        with the region's propensity (innovation.own_research)."""
        if self.rd <= 0:
            return
        m = self.model
        rate = m.zeta1 * self.xi * self.rd / m.researcher_wage * (1.0 + m.spillover_effect * m.spillover)
        k = m.poisson(rate)
        if k == 0:
            return
        self.A += max(m.jump(), 0.0)
        rnd = m.random
        pats = sum(1 for _ in range(k) if rnd.random() < m.p_patent)
        self.patents_new += pats
        m.patents_year += pats

    def choose_source(self) -> None:
        """Absorption, decide: success with ``1 - exp(-zeta2 N_im alpha access)``; then a source among
        N_CANDIDATES sampled firms (half the slots look at a tied firm first), weight
        ``exp(-dist/lambda_geo) / (1 + |A_j - A_i|)``, doubled for ties, among better firms only
        (innovation.absorption)."""
        self.source = None
        if self.rd <= 0 or self.model.absorb_share <= 0:
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
        weights, cands = [], []
        for _ in range(N_CANDIDATES):
            u = rnd.random()
            if u > 0.5 and ties:
                c = ties[int(rnd.random() * len(ties))]
                boost = 2.0
            else:
                # u < external_search draws from anywhere, otherwise from the own region:
                # the same set of firms here, where there is one region
                c = firms[int(rnd.random() * nf)]
                boost = 1.0
            Ac = c.A
            if Ac > A:
                weights.append(math.exp(-math.hypot(c.x - x, c.y - y) / m.geo_decay) / (1.0 + Ac - A) * boost)
                cands.append(c)
        if not cands:
            return
        r = rnd.random() * sum(weights)
        acc = 0.0
        pick = cands[-1]
        for w, c in zip(weights, cands):
            acc += w
            if r < acc:
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
        if rnd.random() < m.recreation:
            x = max(m.jump(), 0.0)
            self.A += x
            if x > 0 and rnd.random() < m.p_patent:
                self.patents_new += 1
                m.patents_year += 1
        if rnd.random() < m.tie_from_collaboration:
            m.add_tie(self, src)
        self.source = None

    def learn_and_book(self) -> None:
        """Absorptive capacity and R&D-unit adoption (innovation.absorptive_capacity), then the
        year's accounts: patents, profit, owner payout, net worth, amortisation (engine step 4)."""
        m = self.model
        rnd = m.random
        intensity = self.rd / max(self.revenue, 1e-12) if self.revenue > 0 else 0.0
        self.alpha = min(1.0, max(0.0, self.alpha + m.alpha_rd * intensity - m.alpha_decay * self.alpha))
        if not self.has_rd_unit and rnd.random() < m.rd_unit_adoption:
            self.has_rd_unit = True
            self.rd_intensity = m.rd_intensity_mean * math.exp(rnd.gauss(m.rho_mu, m.rho_sd))
        self.patents_cum += self.patents_new
        profit = self.operating - self.rd
        self.profit = profit
        self.net_worth += profit - m.payout_ratio * max(profit, 0.0)
        self.debt *= 0.85
        self.capital = max(self.net_worth + self.debt, 0.0)

    # ---------------------------------------------------------------- 5 trust ties (diffusion.tie_dynamics)
    def decay_ties(self) -> None:
        """Each tie dissolves with probability ``tie_decay`` (handled once, by its lower-id end)."""
        m = self.model
        rnd = m.random
        uid = self.unique_id
        for other in [o for o in self.ties if o.unique_id > uid]:
            if rnd.random() < m.tie_decay:
                del self.ties[other]
                del other.ties[self]

    def form_ties(self) -> None:
        """``Poisson(tie_formation loc)`` new ties to the nearest of three random local firms."""
        m = self.model
        for _ in range(m.poisson(m.tie_formation * m.localisation)):
            partner = m.nearby_partner(self)
            if m.random.random() < m.external_links:
                partner = m.firm_list[int(m.random.random() * len(m.firm_list))]
            m.add_tie(self, partner)

    # ---------------------------------------------------------------- 6 spin-offs
    def spins_off(self, Abar: float) -> bool:
        """Spin-off decision: more than L_min employees and ``U < sigma (1 + b_sp (A - Abar))``."""
        m = self.model
        if self.employees <= m.spinoff_min_employees:
            return False
        p = min(1.0, max(0.0, m.spinoff_rate * (1.0 + m.spinoff_quality * (self.A - Abar))))
        return m.random.random() < p

    def spin_off(self, stage_counts: dict) -> None:
        """Create a child: ``A - |N(0, s_sp)|``, near the parent, same stage, tied to it."""
        m = self.model
        rnd = m.random
        child = Firm(m, self.stage, self.A - abs(rnd.gauss(0.0, m.spinoff_tech_loss)),
                     self.x + rnd.gauss(0.0, 1.0) * m.spinoff_distance,
                     self.y + rnd.gauss(0.0, 1.0) * m.spinoff_distance,
                     m.initial_employees, m.founder_capital,
                     m.entrant_share / max(stage_counts.get(self.stage, 0), 1),
                     parent=self.unique_id, has_rd_unit=self.has_rd_unit or rnd.random() < 0.5)
        m.add_tie(child, self)

    # ---------------------------------------------------------------- 9 exit, 11 ageing
    def exits(self, f_min: list) -> bool:
        """Exit rule: past the grace period and negative net worth or a vanishing share."""
        return self.age >= self.model.grace_years and (self.net_worth < 0 or self.share < f_min[self.stage])

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
        # ---- parameters, read once (same Scenario object as the engine)
        st = sc.stages
        self.n_stages = len(st)
        demand_scale = getattr(sc.market, "demand_scale", 1.0)  # market size multiplier (engine: World.demand0)
        self.demand0 = [s.demand * self.scale * demand_scale for s in st]
        self.demand_growth = [s.demand_growth for s in st]
        self.input_share = [1.0 - s.value_added for s in st]
        self.skill = [s.skill_premium for s in st]
        self.stage_cum = [sum(reg.stage_mix[: i + 1]) for i in range(len(reg.stage_mix))]
        mk, c, fin, inn, d, e = sc.market, sc.costs, sc.finance, sc.innovation, sc.diffusion, sc.entry
        self.chi, self.replication_noise = mk.chi, mk.replication_noise
        self.entrant_share, self.min_share = mk.entrant_share, mk.min_share
        self.q0, self.q_half, self.kappa = mk.productivity_scale, mk.size_scale, mk.span_of_control
        self.fixed_cost, self.transaction_cost, self.interest_rate = c.fixed_cost, c.transaction_cost, c.interest_rate
        self.wage0, self.wage_indexation, self.ties_ref = reg.wage, c.wage_indexation, c.ties_ref
        self.rd_intensity_mean, self.rho_sd = fin.rd_intensity, fin.rd_intensity_sd
        self.rho_mu = -0.5 * fin.rd_intensity_sd ** 2
        self.rd_min_project, self.informal_rd_share = fin.rd_min_project, fin.informal_rd_share
        self.payout_ratio, self.founder_capital = fin.payout_ratio, fin.founder_capital
        self.rd_share_own = inn.rd_share_own
        self.own_share = inn.rd_share_own if mech.own_research else 0.0
        self.absorb_share = (1.0 - inn.rd_share_own) if mech.absorption else 0.0
        self.zeta1, self.zeta2 = inn.zeta1, inn.zeta2
        self.spillover_effect, self.spill_density = inn.spillover_effect, inn.spill_density
        self.jump_low, self.jump_span = inn.jump_low, inn.jump_high - inn.jump_low
        self.beta_a, self.beta_b = inn.beta_a, inn.beta_b
        self.p_patent = inn.patent_propensity * (inn.ip_floor + (1.0 - inn.ip_floor) * reg.ip_strength)
        self.catch_up, self.recreation, self.geo_decay = inn.catch_up, inn.recreation, inn.geo_decay
        self.tie_access, self.tie_from_collaboration = inn.tie_access, inn.tie_from_collaboration
        self.alpha_rd, self.alpha_decay, self.rd_unit_adoption = inn.alpha_rd, inn.alpha_decay, inn.rd_unit_adoption
        self.researcher_wage_premium = inn.researcher_wage_premium
        self.tie_formation, self.tie_decay, self.initial_ties = d.tie_formation, d.tie_decay, d.initial_ties
        self.startup_rate, self.neighbour_effect, self.neighbour_exponent = (
            e.startup_rate, e.neighbour_effect, e.neighbour_exponent)
        self.startup_tech_gap = e.startup_tech_gap
        self.spinoff_rate, self.spinoff_quality = e.spinoff_rate, e.spinoff_quality
        self.spinoff_min_employees, self.spinoff_tech_loss = e.spinoff_min_employees, e.spinoff_tech_loss
        self.spinoff_distance, self.initial_employees = e.spinoff_distance, e.initial_employees
        self.grace_years = sc.exit.grace_years
        self.startups_on, self.spinoffs_on, self.exit_on = mech.startups, mech.spinoffs, mech.exit
        self.market_on = mech.market
        self.rx, self.ry, self.radius = reg.x, reg.y, reg.radius
        self.localisation, self.external_links, self.culture = reg.localisation, reg.external_links, reg.culture
        self.tech_mean0, self.tech_sd0, self.alpha_mean = reg.tech_mean, reg.tech_sd, reg.alpha_mean
        self.rd_unit_share = reg.rd_unit_share
        # ---- state
        self.wage = self.wage0
        self.researcher_wage = self.wage * self.researcher_wage_premium
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

    def draw_stage(self) -> int:
        u = self.random.random()
        s = sum(1 for c in self.stage_cum if u > c)
        return min(s, self.n_stages - 1)

    def demand(self) -> list[float]:
        return [d0 * (1.0 + g) ** self.t for d0, g in zip(self.demand0, self.demand_growth)]

    def stage_counts(self) -> dict:
        return self.agents.groupby("stage", result_type="list").count()

    def mean_technology(self) -> float:
        """Employment-weighted mean technology (World.mean_technology), the wage index."""
        num = den = 0.0
        for f in self.agents:
            num += f.A * f.employees
            den += f.employees
        return num / den if den > 0 else self.A0

    @staticmethod
    def add_tie(a: Firm, b: Firm) -> None:
        if a is not b:
            a.ties[b] = None
            b.ties[a] = None

    def nearby_partner(self, firm: Firm) -> Firm:
        """The closest of three random firms of the region (diffusion.nearby_partner)."""
        firms = self.firm_list
        n = len(firms)
        best, best_d = None, math.inf
        for _ in range(3):
            c = firms[int(self.random.random() * n)]
            d = math.inf if c is firm else (c.x - firm.x) ** 2 + (c.y - firm.y) ** 2
            if best is None or d < best_d:
                best, best_d = c, d
        return best

    # ---------------------------------------------------------------- setup (engine._initial_population)
    def _initial_population(self, n: int) -> None:
        rnd = self.random
        for _ in range(n):
            A = self.tech_mean0 + rnd.gauss(0.0, 1.0) * self.tech_sd0
            stage = self.draw_stage()
            x = self.rx + rnd.gauss(0.0, 1.0) * self.radius
            y = self.ry + rnd.gauss(0.0, 1.0) * self.radius
            size = math.exp(rnd.gauss(0.0, 1.0))
            f = Firm(self, stage, A, x, y, 10.0, 0.0, 0.0, age=rnd.randrange(20))
            f.share = size * math.exp(A)
        totals = self.agents.groupby("stage", result_type="list").agg("share", sum)
        self.agents.do("sell", totals, self.demand())
        for f in self.agents:
            f.net_worth = f.capital = 0.5 * f.revenue + self.founder_capital
        self.firm_list = list(self.agents)
        # initial trust ties (diffusion.initial_ties)
        lam = 0.5 * self.initial_ties * max(self.localisation, 0.2)
        if n >= 2 and self.initial_ties > 0:
            for f in self.firm_list:
                for _ in range(self.poisson(lam)):
                    partner = self.nearby_partner(f)
                    if rnd.random() < self.external_links:
                        partner = self.firm_list[int(rnd.random() * n)]
                    self.add_tie(f, partner)
        # employees first (labour does not depend on the wage), then wage indexation starts
        # from the employment-weighted mean technology and unit costs use the base wage
        self.wage = self.wage0
        self.agents.do("produce")
        self.A0 = self.mean_technology()
        self.wage = self.wage0
        self.agents.do("produce")

    # ---------------------------------------------------------------- one year
    def step(self) -> None:
        agents = self.agents
        self.patents_year = 0
        # 1 market: replicator within GVC stages, then revenue
        agents.do("compete")
        if self.market_on:
            groups = agents.groupby("stage", result_type="list")
            tot = groups.agg("share", sum)
            wsum = groups.agg("share_E", sum)
            Ebar = {s: wsum[s] / max(tot[s], 1e-300) for s in tot}
            agents.do("replicate", Ebar)
        tot = agents.groupby("stage", result_type="list").agg("share", sum)
        agents.do("sell", tot, self.demand())
        # 2 costs (wages indexed to last year's employment-weighted technology)
        self.wage = self.wage0 * math.exp(self.wage_indexation * (self.mean_technology() - self.A0))
        self.researcher_wage = self.wage * self.researcher_wage_premium
        agents.do("produce")
        # 3 finance switched off: wanted R&D is spent
        agents.do("fund_rd")
        # 4 innovation: spillover pool, own research, absorption (decide, then apply), capacity + books
        n = len(agents)
        self.spillover = self.spill_density * math.log1p(self.localisation * n / self.scale)
        if self.own_share > 0:
            agents.do("research")
        if self.absorb_share > 0:
            agents.do("choose_source")
            agents.do("absorb")
        agents.do("learn_and_book")
        # 5 trust ties decay and form (diffusion.tie_dynamics runs even with diffusion off)
        if n >= 2:
            agents.do("decay_ties")
            agents.do("form_ties")
        # 6 entry
        if self.startups_on:
            self.startups()
        if self.spinoffs_on and len(agents):
            Abar = agents.agg("A", math.fsum) / len(agents)
            counts = self.stage_counts()
            agents.select(lambda f: f.spins_off(Abar)).do("spin_off", counts)
        # 9 exit
        if self.exit_on and len(agents):
            counts = self.stage_counts()
            f_min = [self.min_share / max(counts.get(s, 0), 1) for s in range(self.n_stages)]
            agents.select(lambda f: f.exits(f_min)).do("leave")
        # 11 ageing; the region's patent count (all firms' patents of the year, as the engine records it)
        agents.do("grow_older")
        self.patents_total += self.patents_year
        self.firm_list = list(agents)
        self.t += 1

    def startups(self) -> None:
        """De-novo start-ups ``~ Poisson(l0 (1 + b_n (loc n)^phi) culture)`` next to a random firm."""
        agents = self.agents
        n = len(agents)
        near = self.localisation * n / self.scale
        lam = self.startup_rate * self.n0 * (1.0 + self.neighbour_effect * near ** self.neighbour_exponent) * self.culture
        k = int(self.rng.poisson(lam))  # one model-level draw a year
        if k == 0:
            return
        rnd = self.random
        Abar = agents.agg("A", math.fsum) / max(n, 1)
        counts = self.stage_counts()
        anchors = self.firm_list
        for _ in range(k):
            A = Abar - self.startup_tech_gap + rnd.gauss(0.0, 1.0) * 0.5 * self.tech_sd0
            stage = self.draw_stage()
            if anchors:
                a = anchors[int(rnd.random() * len(anchors))]
                x = a.x + rnd.gauss(0.0, 1.0) * self.radius / 5.0
                y = a.y + rnd.gauss(0.0, 1.0) * self.radius / 5.0
            else:
                x = self.rx + rnd.gauss(0.0, 1.0) * self.radius
                y = self.ry + rnd.gauss(0.0, 1.0) * self.radius
            Firm(self, stage, A, x, y, self.initial_employees, self.founder_capital,
                 self.entrant_share / max(counts.get(stage, 0), 1))

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
