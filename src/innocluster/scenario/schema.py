"""Scenario schema (pydantic v2): every parameter with its unit and allowed range.

A scenario is a TOML file. Each table below is a pydantic model whose fields carry
the unit in their description and the allowed range as ``ge``/``le`` bounds, so a
value outside the range is rejected with a message that names the field, the value
and the range (see :func:`innocluster.scenario.io.format_validation_error`).

Money is USD million at constant prices, labour is persons, time is years.
The reference equations are those of ``DESIGN.md`` (appendix); the docstring of each
mechanism module says how a parameter enters its formula.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

INSTRUMENTS = (
    "infrastructure",
    "training",
    "information",
    "ip_protection",
    "direct_subsidy",
    "seed_enterprises",
    "guiding_fund",
    "intermediaries",
    "research_institute",
)
LIFECYCLE_STAGES = ("budding", "growth", "maturity", "decline")


class _Strict(BaseModel):
    # A misspelled key is an error, not a silently ignored parameter.
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Region(_Strict):
    """A cluster region or the periphery (the rest of the economy)."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_\-]+$", description="region id")
    kind: Literal["cluster", "periphery"] = "cluster"
    initial_firms: int = Field(100, ge=0, le=50_000_000, description="firms at t=0")
    x: float = Field(0.0, ge=-10_000, le=10_000, description="centre, km")
    y: float = Field(0.0, ge=-10_000, le=10_000, description="centre, km")
    radius: float = Field(10.0, gt=0, le=5_000, description="spread of firm locations, km")
    localisation: float = Field(
        1.0, ge=0, le=1,
        description="share of the region's firms within supplier/interaction reach of one another "
        "(1 = compact cluster, ~0.02 = dispersed periphery)",
    )
    wage: float = Field(0.01, gt=0, le=1, description="base wage w_r0, USD million per worker-year")
    labour_supply: float = Field(1e5, gt=0, le=1e9, description="labour pool L^supply_r, persons")
    labour_growth: float = Field(0.01, ge=-0.2, le=0.5, description="yearly growth of the labour pool")
    land_rent: float = Field(0.02, ge=0, le=100, description="rho_0, rent per firm at capacity, USD million/yr")
    capacity: float = Field(1000, gt=0, le=1e9, description="firms at which rent equals rho_0 (cap_r)")
    infrastructure: float = Field(0.0, ge=0, le=1e6, description="initial infrastructure stock I_r, USD million")
    intermediaries: float = Field(0.0, ge=0, le=1e5, description="initial S&T intermediaries M_r (count)")
    vc_pool: float = Field(0.0, ge=0, le=1e6, description="initial venture-capital pool V_r, USD million")
    vc_inflow: float = Field(0.0, ge=0, le=1e5, description="private VC inflow per year, USD million")
    institute_level: float = Field(0.0, ge=-5, le=10, description="research institute knowledge level (log productivity)")
    institute_growth: float = Field(0.0, ge=0, le=0.5, description="yearly growth of the institute's knowledge level")
    budget: float = Field(0.0, ge=0, le=1e6, description="government S&T/cluster budget B_r, USD million per year")
    budget_growth: float = Field(0.0, ge=-0.2, le=0.5, description="yearly growth of the budget")
    export_share: float = Field(0.3, ge=0, le=1, description="x_r, share of revenue sold abroad")
    culture: float = Field(1.0, ge=0, le=10, description="entrepreneurial culture multiplier of start-up rate")
    ip_strength: float = Field(0.5, ge=0, le=1, description="IP protection strength")
    incentives: float = Field(0.0, ge=0, le=10, description="attraction incentives for incoming firms/MNEs")
    external_links: float = Field(0.05, ge=0, le=1, description="share of new ties reaching other regions (returnees, MNE links)")
    rd_unit_share: float = Field(0.25, ge=0, le=1, description="initial share of firms with an R&D unit")
    tech_mean: float = Field(0.0, ge=-5, le=10, description="initial mean technology A (log productivity)")
    tech_sd: float = Field(0.2, ge=0, le=3, description="initial dispersion of A")
    alpha_mean: float = Field(0.3, ge=0, le=1, description="initial mean absorptive capacity")
    stage_mix: list[float] = Field(
        default_factory=lambda: [0.6, 0.25, 0.1, 0.04, 0.01],
        description="initial share of firms in each GVC stage",
    )
    founded: int | None = Field(None, ge=1800, le=2200, description="year the cluster/park was founded (documentation)")

    @model_validator(mode="after")
    def _stage_mix_sums_to_one(self):
        s = sum(self.stage_mix)
        if any(v < 0 for v in self.stage_mix) or not (0.999 <= s <= 1.001):
            raise ValueError(f"stage_mix must be non-negative and sum to 1 (sums to {s:.3f})")
        return self


class Stage(_Strict):
    """One GVC stage of the smile curve."""

    name: str = Field(min_length=1)
    value_added: float = Field(gt=0, le=1, description="v_s, value added per USD of revenue (smile curve)")
    demand: float = Field(gt=0, le=1e9, description="D_s(0), demand at t=0 for the scenario's initial firm count, USD million")
    demand_growth: float = Field(0.03, ge=-0.5, le=1, description="g_s, yearly demand growth")
    threshold: float = Field(0.0, ge=-10, le=20, description="theta_s, technology above the economy mean needed to enter the stage")
    upgrade_cost: float = Field(0.0, ge=0, le=1e4, description="u_s, cost of moving into the stage, USD million")
    skill_premium: float = Field(1.0, gt=0, le=20, description="wage of the stage's workers relative to the regional wage")
    price_pass_through: float = Field(
        0.0, ge=0, le=1,
        description="share of the stage's productivity gains passed on to buyers as lower prices "
        "(commodity stages: near 1, 'immiserising growth', Kaplinsky 2000)",
    )


def _default_stages() -> list[Stage]:
    return [
        Stage(name="assembly", value_added=0.25, demand=2000, demand_growth=0.02, threshold=-10, upgrade_cost=0, skill_premium=1.0),
        Stage(name="components", value_added=0.30, demand=1200, demand_growth=0.04, threshold=0.1, upgrade_cost=0.3, skill_premium=1.2),
        Stage(name="manufacturing_services", value_added=0.35, demand=700, demand_growth=0.05, threshold=0.25, upgrade_cost=0.8, skill_premium=1.4),
        Stage(name="design_rd", value_added=0.45, demand=400, demand_growth=0.07, threshold=0.45, upgrade_cost=1.5, skill_premium=2.0),
        Stage(name="brand_standards", value_added=0.55, demand=250, demand_growth=0.06, threshold=0.7, upgrade_cost=3.0, skill_premium=2.2),
    ]


class Mechanisms(_Strict):
    """On/off switches, one per mechanism of the paper (``[mechanisms] spinoffs = false``)."""

    market: bool = True
    agglomeration: bool = Field(True, description="division of labour, shared infrastructure, trust, intermediaries lower costs")
    congestion: bool = Field(True, description="rent and wages rise with density")
    finance: bool = Field(True, description="banks: collateral limits, prudent lending, guarantees")
    venture_capital: bool = True
    own_research: bool = Field(True, description="endogenous innovation")
    absorption: bool = Field(True, description="graft-type innovation: digestion, absorption and re-creation")
    research_institutes: bool = True
    diffusion: bool = True
    startups: bool = True
    spinoffs: bool = True
    relocation: bool = Field(True, description="outside firms move into attractive clusters (polarisation)")
    mne_inflow: bool = True
    upgrading: bool = True
    exit: bool = True
    government: bool = True
    intermediaries: bool = Field(True, description="S&T intermediaries lower search/transaction costs")
    stage_programme: bool = Field(False, description="budget split follows the detected life-cycle stage")


class Market(_Strict):
    demand_scale: float = Field(1.0, gt=0, le=1e6, description="multiplier on every stage's demand (market size)")
    chi: float = Field(0.3, ge=0, le=5, description="replicator selection strength")
    entrant_share: float = Field(0.3, gt=0, le=5, description="entrant's share relative to the stage mean share")
    min_share: float = Field(1e-5, ge=0, le=0.1, description="f_min relative to the stage mean share: exit below")
    productivity_scale: float = Field(0.07, gt=0, le=100, description="q0, output per worker at A=0, USD million/yr")
    size_scale: float = Field(20.0, gt=0, le=1e5, description="Q_half: output (USD million) where span-of-control costs bite")
    span_of_control: float = Field(0.35, ge=0, le=3, description="kappa: labour need grows as (1+Q/Q_half)^kappa")
    replication_noise: float = Field(0.05, ge=0, le=1, description="sd of yearly idiosyncratic demand shocks (log)")


class Costs(_Strict):
    division_of_labour: float = Field(0.15, ge=0, le=0.95, description="d_div, max input-cost cut from local suppliers")
    suppliers_half: float = Field(50, gt=0, le=1e7, description="n_half, local upstream firms for half the cut")
    fixed_cost: float = Field(0.05, ge=0, le=100, description="F_0, fixed cost per firm, USD million/yr")
    infrastructure_effect: float = Field(0.4, ge=0, le=0.95, description="d_inf, max fixed-cost cut from infrastructure")
    infrastructure_half: float = Field(50, gt=0, le=1e7, description="I_half, USD million")
    transaction_cost: float = Field(0.06, ge=0, le=0.5, description="tau, transaction cost per USD of revenue")
    trust_effect: float = Field(0.4, ge=0, le=0.95, description="d_trust, max cut from trust ties")
    ties_ref: float = Field(6, gt=0, le=1000, description="k_ref, ties for the full trust effect")
    intermediary_effect: float = Field(0.3, ge=0, le=0.95, description="d_int, max cut from intermediaries")
    intermediaries_half: float = Field(20, gt=0, le=1e6, description="M_half, intermediaries for half the effect")
    rent_elasticity: float = Field(1.5, ge=0, le=10, description="gamma in rho_0 (n/cap)^gamma")
    wage_indexation: float = Field(0.6, ge=0, le=2, description="elasticity of wages to economy-wide mean technology growth")
    wage_elasticity: float = Field(0.3, ge=0, le=5, description="eps_w in w_r0 (L_dem/L_sup)^eps_w")
    interest_rate: float = Field(0.06, ge=0, le=1, description="r on debt")


class Finance(_Strict):
    rd_intensity: float = Field(0.04, ge=0, le=1, description="rho, wanted R&D per USD revenue for firms with an R&D unit")
    rd_intensity_sd: float = Field(0.5, ge=0, le=3, description="log-sd of rho across firms")
    rd_margin_sensitivity: float = Field(
        0.0, ge=0, le=1,
        description="how far wanted R&D shrinks with thin margins: rho_i (1 - s + s min(1, max(0, margin_i / margin_ref)))",
    )
    rd_margin_ref: float = Field(0.1, gt=0, le=1, description="profit margin at which wanted R&D is not cut")
    rd_min_project: float = Field(0.05, ge=0, le=100, description="smallest R&D project, USD million/yr (lumpiness)")
    informal_rd_share: float = Field(0.05, ge=0, le=1, description="share of firms without an R&D unit that still do some R&D")
    cash_share: float = Field(0.3, ge=0, le=1, description="share of positive net worth usable as cash for R&D")
    collateral_ratio: float = Field(0.5, ge=0, le=5, description="lambda: loan limit per USD of capital")
    prudent_lending: float = Field(0.6, ge=0, le=1, description="p_prudent: refusal of R&D loans to young or collateral-poor firms")
    young_age: int = Field(5, ge=0, le=100, description="firms younger than this count as young")
    collateral_floor: float = Field(0.2, ge=0, le=1e4, description="capital below which a firm is collateral-poor, USD million")
    guarantee: float = Field(0.0, ge=0, le=5, description="credit-guarantee multiplier on the loan limit")
    guarantee_refusal_cut: float = Field(0.5, ge=0, le=1, description="share of prudent refusals removed by a full guarantee")
    vc_max_age: int = Field(10, ge=0, le=100, description="VC screens firms younger than this")
    vc_screen_quantile: float = Field(0.6, ge=0, le=1, description="technology quantile (in region) a firm must pass for VC")
    vc_matching: float = Field(0.3, ge=0, le=1, description="base probability a screened firm is matched with a VC")
    vc_intermediary_boost: float = Field(0.5, ge=0, le=5, description="extra matching from intermediaries (times M/(M+M_half))")
    vc_ticket: float = Field(0.5, ge=0, le=1e4, description="max VC investment per firm per year, USD million")
    vc_payout: float = Field(0.3, ge=0, le=1, description="share of VC-backed firms' positive profit paid back to the pool")
    vc_private_share: float = Field(0.7, ge=0, le=1, description="private share of VC money (rest: government guiding fund)")
    vc_private_efficiency: float = Field(1.0, ge=0, le=3, description="screening sharpness of private VC vs public (1 = same)")
    payout_ratio: float = Field(0.2, ge=0, le=1, description="share of positive profit paid to owners (leaves the firm)")
    founder_capital: float = Field(0.3, ge=0, le=1e4, description="net worth of a new start-up, USD million")


class Innovation(_Strict):
    rd_share_own: float = Field(0.5, ge=0, le=1, description="xi, share of R&D on own research (rest absorbs)")
    researcher_wage_premium: float = Field(2.0, gt=0, le=20, description="researcher wage relative to w_r")
    zeta1: float = Field(0.08, ge=0, le=10, description="inventions per researcher-year (own research)")
    zeta2: float = Field(0.3, ge=0, le=10, description="absorption success rate per researcher-year at alpha=1")
    spillover_effect: float = Field(0.5, ge=0, le=10, description="b_sp, how the spillover pool S_r raises research")
    jump_low: float = Field(-0.12, ge=-2, le=0, description="x_inf of the Beta jump")
    jump_high: float = Field(0.15, ge=0, le=2, description="x_sup of the Beta jump")
    beta_a: float = Field(3.0, gt=0, le=100, description="a1 of the Beta jump")
    beta_b: float = Field(3.0, gt=0, le=100, description="b1 of the Beta jump")
    patent_propensity: float = Field(0.5, ge=0, le=1, description="pi_pat, chance an invention is patented at full IP strength")
    ip_floor: float = Field(0.2, ge=0, le=1, description="propensity multiplier at zero IP strength")
    catch_up: float = Field(0.3, ge=0, le=1, description="eta, share of the gap closed by a successful absorption")
    recreation: float = Field(0.3, ge=0, le=1, description="p_re, chance absorption is followed by re-creation")
    geo_decay: float = Field(15.0, gt=0, le=1e5, description="lambda_geo, km")
    intermediary_access: float = Field(1.0, ge=0, le=10, description="d_int in access_i")
    tie_access: float = Field(0.5, ge=0, le=10, description="d_tie in access_i")
    information_access: float = Field(0.5, ge=0, le=10, description="access gained from government information services")
    external_search: float = Field(0.05, ge=0, le=1, description="chance an absorption candidate is drawn from another region")
    spill_density: float = Field(0.1, ge=0, le=10, description="spillover pool per log local firm")
    spill_institute: float = Field(0.3, ge=0, le=10, description="spillover pool per unit of institute lead over local mean")
    institute_collaboration: float = Field(0.1, ge=0, le=1, description="chance an absorbing firm targets the research institute")
    alpha_rd: float = Field(2.0, ge=0, le=100, description="k_rd, absorptive capacity gain per unit R&D intensity")
    alpha_training: float = Field(0.05, ge=0, le=10, description="k_tr, gain per unit training intensity")
    alpha_decay: float = Field(0.05, ge=0, le=1, description="d_alpha")
    rd_unit_adoption: float = Field(0.02, ge=0, le=1, description="yearly chance an SME sets up an R&D unit (raised by training)")
    tie_from_collaboration: float = Field(0.3, ge=0, le=1, description="chance a successful absorption creates a tie to the source")


class Diffusion(_Strict):
    network_rate: float = Field(0.03, ge=0, le=1, description="share of the mean positive gap to tied firms learned per year")
    local_rate: float = Field(0.01, ge=0, le=1, description="share of the gap to the regional mean learned from proximity")
    between_clusters: float = Field(0.3, ge=0, le=1, description="weight of ties across regions relative to local ties")
    tie_formation: float = Field(0.3, ge=0, le=10, description="new proximity ties per firm-year (x localisation)")
    tie_decay: float = Field(0.05, ge=0, le=1, description="yearly chance a tie dissolves")
    initial_ties: float = Field(3.0, ge=0, le=100, description="mean ties per firm at t=0")


class Entry(_Strict):
    startup_rate: float = Field(0.02, ge=0, le=10, description="l0, start-ups per firm-equivalent base rate (x initial firms)")
    neighbour_effect: float = Field(0.5, ge=0, le=100, description="b_n in l0 (1 + b_n n_r^phi)")
    neighbour_exponent: float = Field(0.3, ge=0, le=2, description="phi")
    max_startup_ratio: float = Field(
        1.0, gt=0, le=100,
        description="start-ups per year at most this multiple of the region's firms (or initial firms): "
        "keeps explosive parameter combinations from running away",
    )
    startup_tech_gap: float = Field(0.1, ge=0, le=5, description="start-ups begin this far below the local mean A")
    spinoff_rate: float = Field(0.02, ge=0, le=1, description="sigma, yearly spin-off chance of a firm above L_min")
    spinoff_min_employees: float = Field(20, ge=0, le=1e6, description="L_min")
    spinoff_quality: float = Field(1.0, ge=0, le=20, description="b_sp: better parents spawn more")
    spinoff_tech_loss: float = Field(0.1, ge=0, le=5, description="s_sp, child A = A_parent - |N(0, s_sp)|")
    spinoff_distance: float = Field(2.0, ge=0, le=1e4, description="sd of child location around parent, km")
    initial_employees: float = Field(8, gt=0, le=1e5, description="employees of a new firm")


class Relocation(_Strict):
    sample_share: float = Field(0.05, ge=0, le=1, description="share of periphery firms that consider moving each year")
    move_probability: float = Field(0.5, ge=0, le=1, description="mu, chance a firm that gains moves")
    moving_cost: float = Field(0.05, ge=0, le=1e4, description="one-off moving cost, USD million (annualised)")
    spillover_value: float = Field(0.5, ge=0, le=100, description="expected profit gain per unit spillover pool, as share of profit")
    mne_rate: float = Field(0.5, ge=0, le=1e4, description="l_mne, MNE arrivals per year at unit attractiveness")
    mne_tech_premium: float = Field(0.6, ge=0, le=10, description="MNE technology above the best local firm's mean")
    mne_employees: float = Field(300, gt=0, le=1e6, description="employees of an arriving MNE subsidiary")
    mne_supplier_links: int = Field(5, ge=0, le=1000, description="local suppliers tied to each MNE")
    attract_talent: float = Field(1.0, ge=0, le=100)
    attract_suppliers: float = Field(0.3, ge=0, le=100)
    attract_infrastructure: float = Field(1.0, ge=0, le=100)
    attract_incentives: float = Field(1.0, ge=0, le=100)
    attract_rent: float = Field(1.0, ge=0, le=100)


class Upgrading(_Strict):
    probability: float = Field(0.2, ge=0, le=1, description="yearly chance an eligible firm upgrades")
    mne_link_boost: float = Field(1.0, ge=0, le=20, description="relative boost from a tie to an MNE lead firm")


class Exit(_Strict):
    grace_years: int = Field(1, ge=0, le=50, description="new firms cannot exit for this many years")


class Government(_Strict):
    """Policy instruments (the paper's four strategic initiatives) and their budget shares."""

    shares: dict[str, float] = Field(
        default_factory=lambda: {
            "infrastructure": 0.3, "training": 0.2, "information": 0.1, "ip_protection": 0.05,
            "direct_subsidy": 0.05, "seed_enterprises": 0.05, "guiding_fund": 0.1,
            "intermediaries": 0.1, "research_institute": 0.05,
        },
        description="budget share per instrument (sum <= 1)",
    )
    selection_accuracy: float = Field(0.5, ge=0, le=1, description="q: direct subsidies go to the best-by-A firm with probability q")
    subsidised_share: float = Field(0.05, ge=0, le=1, description="share of a region's firms receiving direct subsidies")
    infrastructure_depreciation: float = Field(0.05, ge=0, le=1, description="d_I")
    intermediary_cost: float = Field(0.5, gt=0, le=1e4, description="USD million per intermediary per year")
    intermediary_decay: float = Field(0.1, ge=0, le=1)
    training_labour_effect: float = Field(0.02, ge=0, le=10, description="labour pool growth per unit training intensity")
    ip_gain: float = Field(0.05, ge=0, le=10, description="IP strength gained per USD million per firm per year")
    institute_gain: float = Field(0.01, ge=0, le=10, description="institute level per USD million per year")
    seed_incentive: float = Field(0.01, ge=0, le=10, description="incentives per USD million on seed enterprises")
    stage_programme: dict[str, dict[str, float]] = Field(
        default_factory=lambda: {
            "budding": {"guiding_fund": 0.35, "infrastructure": 0.35, "seed_enterprises": 0.15, "training": 0.15},
            "growth": {"infrastructure": 0.2, "intermediaries": 0.3, "training": 0.2, "information": 0.2, "guiding_fund": 0.1},
            "maturity": {"research_institute": 0.3, "ip_protection": 0.2, "information": 0.2, "training": 0.2, "intermediaries": 0.1},
            "decline": {"research_institute": 0.3, "training": 0.3, "guiding_fund": 0.2, "seed_enterprises": 0.2},
        },
        description="budget split by detected life-cycle stage (used when mechanisms.stage_programme)",
    )

    @model_validator(mode="after")
    def _check_shares(self):
        for table, label in [(self.shares, "shares")] + [
            (v, f"stage_programme.{k}") for k, v in self.stage_programme.items()
        ]:
            unknown = set(table) - set(INSTRUMENTS)
            if unknown:
                raise ValueError(f"{label}: unknown instrument {sorted(unknown)[0]!r}; allowed: {', '.join(INSTRUMENTS)}")
            if any(v < 0 or v > 1 for v in table.values()):
                raise ValueError(f"{label}: each share must be in [0, 1]")
            if sum(table.values()) > 1.0 + 1e-9:
                raise ValueError(f"{label}: shares sum to {sum(table.values()):.3f}, allowed at most 1")
        unknown_stages = set(self.stage_programme) - set(LIFECYCLE_STAGES)
        if unknown_stages:
            raise ValueError(f"stage_programme: unknown stage {sorted(unknown_stages)[0]!r}; allowed: {', '.join(LIFECYCLE_STAGES)}")
        return self


class Scenario(_Strict):
    """A complete scenario: regions, GVC stages, mechanisms, parameters, policy, run settings."""

    name: str = Field(min_length=1)
    description: str = ""
    industry: str = Field("manufacturing", description="industry label written to firm panels")
    start_year: int = Field(2000, ge=1800, le=2200)
    years: int = Field(30, ge=1, le=500)
    seed: int = Field(0, ge=0, le=2**63 - 1)
    regions: list[Region] = Field(min_length=1)
    stages: list[Stage] = Field(default_factory=_default_stages, min_length=1, max_length=20)
    mechanisms: Mechanisms = Field(default_factory=Mechanisms)
    market: Market = Field(default_factory=Market)
    costs: Costs = Field(default_factory=Costs)
    finance: Finance = Field(default_factory=Finance)
    innovation: Innovation = Field(default_factory=Innovation)
    diffusion: Diffusion = Field(default_factory=Diffusion)
    entry: Entry = Field(default_factory=Entry)
    relocation: Relocation = Field(default_factory=Relocation)
    upgrading: Upgrading = Field(default_factory=Upgrading)
    exit: Exit = Field(default_factory=Exit)
    government: Government = Field(default_factory=Government)
    sources: list[str] = Field(default_factory=list, description="facts and references behind the numbers")

    @model_validator(mode="after")
    def _consistency(self):
        names = [r.name for r in self.regions]
        if len(set(names)) != len(names):
            raise ValueError("region names must be unique")
        for r in self.regions:
            if len(r.stage_mix) != len(self.stages):
                raise ValueError(
                    f"region {r.name!r}: stage_mix has {len(r.stage_mix)} entries, scenario has {len(self.stages)} stages"
                )
        if sum(r.initial_firms for r in self.regions) < 1:
            raise ValueError("regions: at least one initial firm is needed")
        return self

    @property
    def n_stages(self) -> int:
        return len(self.stages)
