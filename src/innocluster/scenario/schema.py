"""Scenario schema (pydantic v2): every parameter with its unit, range, default and source.

A scenario is a TOML file. Each table below is a pydantic model; each numeric field
is declared with :func:`param`, which records

* the allowed range (``ge``/``gt``/``le``/``lt``: a value outside it is rejected with
  a one-line message naming the field, the value and the range,
  :func:`innocluster.scenario.io.format_validation_error`);
* the unit (money is USD million at constant prices, labour is persons, time is
  years, technology is log productivity);
* what the number means and which formula of ``docs/model.md`` it enters;
* its source: the study or statistic a default comes from, or, where the literature
  gives no number, that it is a modelling assumption (and whether calibration sets it).

:func:`parameter_table` lists them all (``innocluster scenario show NAME --describe``).
"""

from __future__ import annotations

from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

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

#: the most firms a run may start with (per region and in total): the engine's firm
#: table addresses rows with 32-bit ties and a run of this size needs about 25 GB
MAX_FIRMS = 50_000_000
#: the most years a run may simulate
MAX_YEARS = 500

#: sources cited by several parameters (full references in docs/model.md)
ASSUMPTION = "modelling assumption (no published value; see docs/model.md)"
CALIBRATED = "modelling assumption; set per scenario by calibration (scenario header)"
DOSI = "Dosi, Fagiolo & Roventini (2010), K+S model"
PAPER = "the paper (seed text)"


def param(default: Any, *, unit: str, meaning: str, source: str, **bounds: Any) -> Any:
    """A scenario parameter: ``pydantic.Field`` with its range, unit, meaning and source.

    ``bounds`` are pydantic's ``ge``, ``gt``, ``le``, ``lt``. The description (shown in
    error messages and the dashboard) is ``"meaning [unit]"``; unit and source are kept
    in the field's JSON schema extras, which :func:`parameter_table` reads.
    """
    return Field(default, description=f"{meaning} [{unit}]", json_schema_extra={"unit": unit, "source": source},
                 **bounds)


class _Strict(BaseModel):
    # A misspelled key is an error, not a silently ignored parameter; and a value of
    # the wrong type is an error, not a guess: strict mode refuses "yes" or 1 for a
    # switch and "0.1" for a number (an integer is still a valid number).
    model_config = ConfigDict(extra="forbid", validate_assignment=True, strict=True)


class Region(_Strict):
    """A cluster region or the periphery (the rest of the economy)."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_\-]+$", description="region id")
    kind: Literal["cluster", "periphery"] = Field(
        "cluster", description="a cluster region, or the periphery (the rest of the economy)")
    initial_firms: int = param(
        100, ge=0, le=MAX_FIRMS, unit="firms",
        meaning="firms at t = 0; 0: the region starts empty (a new park that fills only by relocation and "
        "multinational inflow: start-ups scale with initial firms); while a region has no firms its row "
        "reads firms = 0 and its per-firm columns 0",
        source=PAPER + " and park statistics per scenario")
    x: float = param(0.0, ge=-10_000, le=10_000, unit="km", meaning="centre, east-west", source="geography of the scenario")
    y: float = param(0.0, ge=-10_000, le=10_000, unit="km", meaning="centre, north-south", source="geography of the scenario")
    radius: float = param(10.0, gt=0, le=5_000, unit="km", meaning="spread of firm locations (sd around the centre)", source="geography of the scenario")
    localisation: float = param(
        1.0, ge=0, le=1, unit="share",
        meaning="share of the region's firms within supplier/interaction reach of one another "
        "(1 = compact cluster, ~0.02 = dispersed periphery)",
        source=ASSUMPTION)
    wage: float = param(0.01, gt=0, le=1, unit="USD million per worker-year", meaning="base wage w_r0, the region's wage at t = 0", source="national wage statistics per scenario")
    labour_supply: float = param(1e5, gt=0, le=1e9, unit="persons", meaning="labour pool L^supply_r", source="regional labour statistics per scenario")
    labour_growth: float = param(0.01, ge=-0.2, le=0.5, unit="1/year", meaning="yearly growth of the labour pool", source="regional labour statistics per scenario")
    land_rent: float = param(0.02, ge=0, le=100, unit="USD million per firm-year", meaning="rho_0, rent per firm at capacity", source=ASSUMPTION)
    capacity: float = param(1000, gt=0, le=1e9, unit="firms", meaning="cap_r, firms at which rent equals rho_0", source=CALIBRATED)
    infrastructure: float = param(0.0, ge=0, le=1e6, unit="USD million", meaning="initial infrastructure stock I_r", source=ASSUMPTION)
    intermediaries: float = param(0.0, ge=0, le=1e5, unit="intermediaries", meaning="initial S&T intermediaries M_r", source=ASSUMPTION)
    vc_pool: float = param(0.0, ge=0, le=1e6, unit="USD million", meaning="initial venture-capital pool V_r", source=ASSUMPTION)
    vc_inflow: float = param(0.0, ge=0, le=1e5, unit="USD million per year", meaning="private VC inflow into the pool", source=ASSUMPTION)
    institute_level: float = param(0.0, ge=-5, le=10, unit="log productivity", meaning="research institute's knowledge level K_inst", source=ASSUMPTION)
    institute_growth: float = param(0.0, ge=0, le=0.5, unit="log points per year", meaning="yearly growth of the institute's knowledge level", source=ASSUMPTION)
    budget: float = param(0.0, ge=0, le=1e6, unit="USD million per year", meaning="government S&T/cluster budget B_r", source=ASSUMPTION)
    budget_growth: float = param(0.0, ge=-0.2, le=0.5, unit="1/year", meaning="yearly growth of the budget", source=ASSUMPTION)
    export_share: float = param(0.3, ge=0, le=1, unit="share of revenue", meaning="x_r, share of revenue sold abroad", source="trade statistics per scenario (calibrated for bangalore)")
    culture: float = param(1.0, ge=0, le=10, unit="multiplier", meaning="entrepreneurial culture multiplier of the start-up rate", source=ASSUMPTION)
    ip_strength: float = param(0.5, ge=0, le=1, unit="index [0, 1]", meaning="IP protection strength IP_r (Ginarte-Park-like index rescaled to [0, 1])", source="Ginarte & Park (1997) index, rescaled; per scenario")
    incentives: float = param(0.0, ge=0, le=10, unit="index", meaning="attraction incentives for incoming firms and MNEs", source=ASSUMPTION)
    external_links: float = param(0.05, ge=0, le=1, unit="share of new ties", meaning="share of new ties going to a random firm of the whole economy, mostly other regions (returnees, MNE links)", source="Saxenian (2006), returnee networks; per scenario")
    rd_unit_share: float = param(0.25, ge=0, le=1, unit="share of firms", meaning="share of firms (and entrants) with an R&D unit", source=PAPER + ": 25% of China's SMEs have R&D institutions")
    tech_mean: float = param(0.0, ge=-5, le=10, unit="log productivity", meaning="initial mean technology A", source="normalisation (0 = the periphery's level)")
    tech_sd: float = param(0.2, ge=0, le=3, unit="log productivity", meaning="initial dispersion (sd) of A", source="Syverson (2004): within-industry log TFP dispersion of this order")
    alpha_mean: float = param(0.3, ge=0, le=1, unit="index [0, 1]", meaning="mean absorptive capacity of firms and entrants", source=ASSUMPTION)
    stage_mix: list[float] = Field(
        default_factory=lambda: [0.6, 0.25, 0.1, 0.04, 0.01],
        description="initial share of firms in each GVC stage [shares summing to 1]",
        json_schema_extra={"unit": "shares", "source": ASSUMPTION,
                           "allowed": "one non-negative share per GVC stage, summing to 1"},
    )
    founded: int | None = Field(None, ge=1800, le=2200, description="year the cluster/park was founded (documentation) [year]")

    @model_validator(mode="after")
    def _stage_mix_sums_to_one(self):
        s = sum(self.stage_mix)
        if any(v < 0 for v in self.stage_mix) or not (0.999 <= s <= 1.001):
            raise ValueError(f"stage_mix must be non-negative and sum to 1 (sums to {s:.3f})")
        return self


SMILE = "smile curve (Shih 1996; Mudambi 2008): value added highest at both ends of the chain"


class Stage(_Strict):
    """One GVC stage of the smile curve."""

    name: str = Field(min_length=1)
    value_added: float = param(..., gt=0, le=1, unit="share of revenue", meaning="v_s, value added per USD of revenue", source=SMILE)
    demand: float = param(..., gt=0, le=1e9, unit="USD million per year", meaning="D_s(0), demand at t = 0 for the scenario's initial firm count", source=CALIBRATED + " through market.demand_scale")
    demand_growth: float = param(0.03, ge=-0.5, le=1, unit="1/year", meaning="g_s, yearly demand growth", source=ASSUMPTION)
    threshold: float = param(0.0, ge=-10, le=20, unit="log productivity above the economy mean", meaning="theta_s, technology needed to enter the stage", source="Humphrey & Schmitz (2002): upgrading needs capabilities; values assumed")
    upgrade_cost: float = param(0.0, ge=0, le=1e4, unit="USD million", meaning="u_s, cost of moving into the stage", source=ASSUMPTION)
    skill_premium: float = param(1.0, gt=0, le=20, unit="multiplier of the regional wage", meaning="k_s, wage of the stage's workers", source=ASSUMPTION)
    price_pass_through: float = param(
        1.0, ge=0, le=1, unit="share",
        meaning="pi_s, share of the stage's productivity gains passed on to buyers as lower prices "
        "(competitive stages: near 1; 0 keeps prices fixed, lead firms' rents)",
        source="Nordhaus (2004), NBER WP 10433: producers capture about 2% of the social returns to "
        "innovation, the rest goes to buyers; Kaplinsky (2000), immiserising growth in commodity stages")


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

    market: bool = Field(True, description="replicator dynamics of market shares")
    profitable_supply: bool = Field(True, description="a firm sells no more than it can sell at a profit (marginal cost up to the price)")
    agglomeration: bool = Field(True, description="division of labour, shared infrastructure, trust, intermediaries lower costs")
    congestion: bool = Field(True, description="rent and wages rise with density")
    finance: bool = Field(True, description="banks: collateral limits, prudent lending, guarantees")
    venture_capital: bool = Field(True, description="regional VC pools screen and fund young firms")
    own_research: bool = Field(True, description="endogenous innovation")
    absorption: bool = Field(True, description="graft-type innovation: digestion, absorption and re-creation")
    research_institutes: bool = Field(True, description="research institutes raise the knowledge pool and collaborate")
    diffusion: bool = Field(True, description="knowledge spillovers over trust ties and proximity")
    frontier_catchup: bool = Field(True, description="firms behind their GVC stage's technology frontier close part of the gap")
    productivity_shocks: bool = Field(True, description="idiosyncratic yearly shocks to each firm's productivity, both ways")
    startups: bool = Field(True, description="de-novo start-ups")
    spinoffs: bool = Field(True, description="spin-offs from incumbents")
    relocation: bool = Field(True, description="outside firms move into attractive clusters (polarisation)")
    mne_inflow: bool = Field(True, description="multinational subsidiaries and seed enterprises arrive")
    upgrading: bool = Field(True, description="firms climb the GVC stages")
    exit: bool = Field(True, description="firms with negative net worth or a vanishing share exit")
    learning_exit: bool = Field(True, description="firms learn their viability from their margins and leave when they expect losses (Jovanovic)")
    entry_screening: bool = Field(False, description="a would-be entrant whose plan would not cover its costs does not start (Melitz's cutoff, priced with entry.founder_optimism; needs exit and learning_exit); off by default, on in every calibrated built-in scenario")
    government: bool = Field(True, description="the government spends its budget on the instruments")
    intermediaries: bool = Field(True, description="S&T intermediaries lower search/transaction costs")
    stage_programme: bool = Field(False, description="budget split follows the detected life-cycle stage")


class Initial(_Strict):
    """The population at t = 0 (:mod:`innocluster.model.initial`)."""

    max_age: int = param(20, ge=1, le=200, unit="years", meaning="initial ages are uniform on 0 .. max_age - 1", source=ASSUMPTION)
    size_sd: float = param(1.0, ge=0, le=5, unit="log points", meaning="sd of the log-normal initial firm size (market share before renormalisation)", source="Cabral & Mata (2003): firm sizes close to log-normal")
    net_worth_to_revenue: float = param(0.5, ge=0, le=20, unit="USD per USD of revenue", meaning="initial net worth per USD of revenue (plus founder capital)", source=ASSUMPTION)


class Market(_Strict):
    demand_scale: float = param(1.0, gt=0, le=1e6, unit="multiplier", meaning="multiplier on every stage's demand (market size)", source=CALIBRATED)
    chi: float = param(0.3, ge=0, le=5, unit="share change per log point of competitiveness", meaning="chi, replicator selection strength", source=DOSI + " (chi of the same order)")
    entrant_share: float = param(0.3, gt=0, le=5, unit="multiple of the stage's mean share", meaning="entrant's initial market share", source=ASSUMPTION)
    entrant_size_sd: float = param(1.0, ge=0, le=3, unit="log points (sd)", meaning="s_e, dispersion of entrants' log size (their initial share) around entrant_share", source="Cabral & Mata (2003): entrants' sizes widely dispersed and right-skewed (log-normal an approximation); Mata & Portugal (1994): survival rises with size at entry; assumed equal to initial.size_sd")
    entrant_unit_cost: float = param(1.0, gt=0, le=10, unit="USD of cost per USD of output", meaning="an entrant's unit cost before its first sales (its first year's competitiveness reads it)", source=ASSUMPTION)
    min_share: float = param(1e-5, ge=0, le=0.1, unit="multiple of the stage's mean share", meaning="f_min: firms below exit", source=DOSI + " (exit below a minimum share)")
    productivity_scale: float = param(0.07, gt=0, le=100, unit="USD million per worker-year", meaning="q0, output per worker at A = 0", source="labour productivity of manufacturing SMEs, order of USD 70,000 per worker")
    size_scale: float = param(20.0, gt=0, le=1e5, unit="USD million", meaning="Q_half: output where span-of-control costs bite", source="Lucas (1978), span of control; value assumed")
    span_of_control: float = param(0.35, ge=0, le=3, unit="elasticity", meaning="kappa: labour need grows as (1 + Q/Q_half)^kappa", source="Lucas (1978); value assumed")
    replication_noise: float = param(0.05, ge=0, le=1, unit="log points (sd)", meaning="sd of yearly idiosyncratic demand shocks", source=ASSUMPTION)


class Costs(_Strict):
    division_of_labour: float = param(0.15, ge=0, le=0.95, unit="share of input cost", meaning="d_div, largest input-cost cut from local suppliers", source="Marshall (1890); Henderson (1986), as the paper cites; value assumed")
    suppliers_half: float = param(50, gt=0, le=1e7, unit="firms", meaning="n_half, local supplier firms for half the cut", source=ASSUMPTION)
    fixed_cost: float = param(0.05, ge=0, le=100, unit="USD million per firm-year", meaning="F_0, fixed cost", source=ASSUMPTION)
    min_employees: float = param(1.0, ge=0, le=1000, unit="employees", meaning="L_min: a producing firm employs at least this many (its owner-manager)", source="employer businesses have at least one employee (US Census Business Dynamics Statistics); an indivisible fixed input (Hopenhayn 1992)")
    infrastructure_effect: float = param(0.4, ge=0, le=0.95, unit="share of fixed cost", meaning="d_inf, largest fixed-cost cut from shared infrastructure", source=PAPER + " (shared infrastructure and public services); value assumed")
    infrastructure_half: float = param(50, gt=0, le=1e7, unit="USD million", meaning="I_half, infrastructure stock for half the cut", source=ASSUMPTION)
    transaction_cost: float = param(0.06, ge=0, le=0.5, unit="USD per USD of revenue", meaning="tau, transaction cost", source=ASSUMPTION)
    trust_effect: float = param(0.4, ge=0, le=0.95, unit="share of transaction cost", meaning="d_trust, largest cut from trust ties", source=PAPER + " (ties of blood, marriage, classmates, friends); value assumed")
    ties_ref: float = param(6, gt=0, le=1000, unit="ties", meaning="k_ref, ties for the full trust effect", source=ASSUMPTION)
    intermediary_effect: float = param(0.3, ge=0, le=0.95, unit="share of transaction cost", meaning="d_int, largest cut from S&T intermediaries", source=PAPER + " (intermediaries reduce transaction costs); value assumed")
    intermediaries_half: float = param(20, gt=0, le=1e6, unit="intermediaries", meaning="M_half, intermediaries for half the effect", source=ASSUMPTION)
    rent_elasticity: float = param(1.5, ge=0, le=10, unit="elasticity", meaning="gamma in rho_0 (n/cap)^gamma", source="Fujita & Thisse (2002), congestion; value assumed")
    wage_indexation: float = param(0.6, ge=0, le=2, unit="elasticity", meaning="iota, elasticity of wages to the domestic firms' mean technology", source="labour share roughly constant in the long run (Kaldor facts); multinational affiliates left out (Aitken, Harrison & Lipsey 1996); value assumed")
    wage_elasticity: float = param(0.3, ge=0, le=5, unit="elasticity", meaning="eps_w in w_r0 ((1 + L_dem/L_sup) / (1 + L_dem(0)/L_sup(0)))^eps_w", source=ASSUMPTION)
    interest_rate: float = param(0.06, ge=0, le=1, unit="1/year", meaning="r on debt", source="lending rates of the period (China 2006: about 6%)")


class Finance(_Strict):
    rd_intensity: float = param(0.04, ge=0, le=1, unit="USD per USD of revenue", meaning="rho, wanted R&D of firms with an R&D unit", source="business R&D intensities of manufacturing, a few percent")
    rd_intensity_sd: float = param(0.5, ge=0, le=3, unit="log points (sd)", meaning="dispersion of rho across firms", source=ASSUMPTION)
    informal_rd_intensity: float = param(0.25, ge=0, le=1, unit="multiple of rho", meaning="wanted intensity of informal R&D (firms without an R&D unit that do some)", source=ASSUMPTION)
    rd_margin_sensitivity: float = param(
        0.0, ge=0, le=1, unit="share",
        meaning="how far wanted R&D shrinks with thin margins: rho_i (1 - s + s min(1, max(0, margin_i / margin_ref)))",
        source=ASSUMPTION)
    rd_margin_ref: float = param(0.1, gt=0, le=1, unit="share of revenue", meaning="profit margin at which wanted R&D is not cut", source=ASSUMPTION)
    rd_min_project: float = param(0.05, ge=0, le=100, unit="USD million per year", meaning="smallest R&D project (lumpiness)", source="Hall & Lerner (2010): R&D is lumpy; calibrated for china-sme-baseline")
    informal_rd_share: float = param(0.05, ge=0, le=1, unit="share of firms", meaning="share of entrants without an R&D unit that still do some R&D", source=PAPER + ": 30% of SMEs do R&D, 25% have R&D institutions; calibrated")
    cash_share: float = param(0.3, ge=0, le=1, unit="share of net worth", meaning="share of positive net worth usable as cash for R&D", source=CALIBRATED)
    collateral_ratio: float = param(0.5, ge=0, le=5, unit="USD of loans per USD of capital", meaning="lambda, loan limit", source="loan-to-value limits of bank lending to SMEs, about one half")
    prudent_lending: float = param(0.6, ge=0, le=1, unit="probability", meaning="p_prudent: refusal of R&D loans to young or collateral-poor firms", source=PAPER + " ('prudent lending'); calibrated for china-sme-baseline")
    young_age: int = param(5, ge=0, le=100, unit="years", meaning="firms younger than this count as young", source=ASSUMPTION)
    collateral_floor: float = param(0.2, ge=0, le=1e4, unit="USD million", meaning="capital below which a firm is collateral-poor", source=ASSUMPTION)
    guarantee: float = param(0.0, ge=0, le=5, unit="multiplier", meaning="credit-guarantee multiplier on the loan limit", source=PAPER + " (credit guarantee institutions)")
    guarantee_refusal_cut: float = param(0.5, ge=0, le=1, unit="share", meaning="share of prudent refusals removed by a full guarantee", source=ASSUMPTION)
    debt_amortisation: float = param(0.15, ge=0, le=1, unit="share of debt per year", meaning="debt repaid from cash each year (loans of about seven years)", source="SME bank loans of 5-10 years' maturity")
    vc_max_age: int = param(10, ge=0, le=100, unit="years", meaning="VC screens firms younger than this", source=ASSUMPTION)
    vc_screen_quantile: float = param(0.6, ge=0, le=1, unit="quantile", meaning="technology quantile (within the region) a firm must pass for VC", source=ASSUMPTION)
    vc_screening_noise: float = param(0.25, ge=0, le=10, unit="multiple of the region's technology sd", meaning="noise of private VC's screening score (public money adds its share)", source=ASSUMPTION)
    vc_matching: float = param(0.3, ge=0, le=1, unit="probability", meaning="base probability a screened firm is matched with a VC", source=ASSUMPTION)
    vc_intermediary_boost: float = param(0.5, ge=0, le=5, unit="multiplier", meaning="extra matching from intermediaries (times M/(M+M_half))", source=PAPER + " (VC services); value assumed")
    vc_ticket: float = param(0.5, ge=0, le=1e4, unit="USD million per firm-year", meaning="largest VC investment", source=ASSUMPTION)
    vc_payout: float = param(0.3, ge=0, le=1, unit="share of profit", meaning="share of VC-backed firms' positive profit paid back to the pool", source=ASSUMPTION)
    vc_private_share: float = param(0.7, ge=0, le=1, unit="share", meaning="private share of VC money (rest: government guiding fund)", source=PAPER + " (private capital as the main body)")
    vc_public_screening_noise: float = param(1.0, ge=0, le=10, unit="multiple of the region's technology sd per unit public share", meaning="extra noise of the screening score per unit of public (guiding-fund) share of VC money; 0 = public and private money screen alike", source="Brander, Du & Hellmann (2015, Review of Finance 19): firms backed by government VC alone underperform; Cumming, Grilli & Murtinu (2017, J. Corporate Finance 42): independent VC-backed firms outperform government-backed ones. The size is not pinned down: the paper experiments vary it (0, 0.5, 1)")
    vc_private_efficiency: float = param(1.0, ge=0, le=3, unit="multiplier", meaning="screening sharpness of private VC relative to public money (1 = same)", source=ASSUMPTION)
    payout_ratio: float = param(0.2, ge=0, le=1, unit="share of profit", meaning="share of positive profit paid to owners (leaves the firm; with vc_payout at most 1)", source="dividend payout of private SMEs, a fifth to a third")
    founder_capital: float = param(0.08, ge=0, le=1e4, unit="USD million", meaning="net worth of a new start-up", source="Robb & Robinson (2014) Review of Financial Studies 27: new firms of the Kauffman Firm Survey (2004 cohort) start with about USD 80,000 of financial capital on average")

    @model_validator(mode="after")
    def _payouts_within_profit(self):
        if self.payout_ratio + self.vc_payout > 1.0 + 1e-12:
            raise ValueError(f"payout_ratio + vc_payout = {self.payout_ratio + self.vc_payout:g}: owners and VC funds "
                             "together take at most all of a backed firm's profit (at most 1)")
        return self


class Innovation(_Strict):
    rd_share_own: float = param(0.5, ge=0, le=1, unit="share of R&D", meaning="xi, mean share of R&D on own research (rest absorbs)", source=DOSI + " (split of R&D between innovation and imitation)")
    rd_share_own_sd: float = param(0.1, ge=0, le=1, unit="share (sd)", meaning="dispersion of xi across entrants (clipped to [0, 1])", source=ASSUMPTION)
    researcher_wage_premium: float = param(2.0, gt=0, le=20, unit="multiple of w_r", meaning="researcher wage", source=ASSUMPTION)
    zeta1: float = param(0.08, ge=0, le=100, unit="inventions per researcher-year", meaning="zeta1, own research productivity", source=DOSI + "; " + CALIBRATED)
    productivity_shock_sd: float = param(0.1, ge=0, le=2, unit="log points (sd) per year", meaning="sigma_A, sd of a firm's yearly idiosyncratic productivity shock", source="Abraham & White (2006, US Census Center for Economic Studies); Cooper & Haltiwanger (2006) REStud 73: plant productivity and profitability shocks persistent and large; value assumed at the low end")
    productivity_shock_persistence: float = param(0.8, ge=0, lt=1, unit="autocorrelation per year", meaning="rho, share of last year's shock still in this year's productivity", source="Abraham & White (2006); Foster, Haltiwanger & Syverson (2008) AER 98: plant productivity persistent but mean-reverting (over horizons that differ between studies); value assumed")
    fishing_out: float = param(1.0, ge=0, le=10, unit="per log point of technology", meaning="beta: research productivity falls as exp(-beta (A_i - A0)), ideas getting harder to find as a firm's technology advances", source="Jones (1995) JPE 103; Bloom, Jones, Van Reenen & Webb (2020) AER 110: beta about 0.2 for semiconductors (Moore's law) to about 3 for US aggregate TFP; 1 by default, calibrated within that range for hsinchu")
    zeta2: float = param(0.3, ge=0, le=10, unit="per researcher-year at alpha = 1", meaning="zeta2, absorption success rate", source=DOSI)
    spillover_effect: float = param(0.5, ge=0, le=10, unit="multiplier per unit S_r", meaning="b_sp, how the spillover pool raises research", source="Audretsch & Feldman (1996), localised spillovers; value assumed")
    jump_low: float = param(-0.12, ge=-2, le=0, unit="log productivity", meaning="x_inf of the Beta jump", source=DOSI + " ([-0.15, 0.15])")
    jump_high: float = param(0.15, ge=0, le=2, unit="log productivity", meaning="x_sup of the Beta jump", source=DOSI + " ([-0.15, 0.15])")
    beta_a: float = param(3.0, gt=0, le=100, unit="shape", meaning="a1 of the Beta jump", source=DOSI + " (Beta(3, 3))")
    beta_b: float = param(3.0, gt=0, le=100, unit="shape", meaning="b1 of the Beta jump", source=DOSI + " (Beta(3, 3))")
    patent_propensity: float = param(0.5, ge=0, le=1, unit="probability", meaning="pi_pat, chance an invention is patented at full IP strength", source="Arundel & Kabla (1998): 35% of product innovations patented in Europe; calibrated")
    ip_floor: float = param(0.2, ge=0, le=1, unit="multiplier", meaning="propensity multiplier at zero IP strength", source=ASSUMPTION)
    catch_up: float = param(0.3, ge=0, le=1, unit="share of the gap", meaning="eta, gap closed by a successful absorption", source=ASSUMPTION)
    recreation: float = param(0.3, ge=0, le=1, unit="probability", meaning="p_re, chance absorption is followed by re-creation", source=PAPER + " ('digestion, absorption and re-creation'); value assumed")
    absorption_candidates: int = param(6, ge=1, le=100, unit="firms", meaning="candidate sources an absorbing firm looks at", source=ASSUMPTION)
    tie_search: float = param(0.5, ge=0, le=1, unit="share of candidates", meaning="share of candidate sources looked for among a firm's trust ties (when it has any)", source=ASSUMPTION)
    tie_source_weight: float = param(2.0, ge=0, le=100, unit="multiplier", meaning="weight of a tied source relative to an untied one", source="Granovetter (1985), trust eases knowledge transfer; value assumed")
    geo_decay: float = param(15.0, gt=0, le=1e5, unit="km", meaning="lambda_geo, distance decay of absorption", source="Jaffe, Trajtenberg & Henderson (1993), localised knowledge flows; value assumed")
    intermediary_access: float = param(1.0, ge=0, le=10, unit="multiplier", meaning="d_int in access_i", source=PAPER + " (intermediaries); value assumed")
    tie_access: float = param(0.5, ge=0, le=10, unit="multiplier", meaning="d_tie in access_i", source=ASSUMPTION)
    information_access: float = param(0.5, ge=0, le=10, unit="multiplier", meaning="access gained from government information services", source=ASSUMPTION)
    external_search: float = param(0.05, ge=0, le=1, unit="probability", meaning="chance an absorption candidate is a random firm of the whole economy (else from the firm's ties or region)", source=ASSUMPTION)
    spill_density: float = param(0.1, ge=0, le=10, unit="per log firm", meaning="spillover pool per log local firm", source="Audretsch & Feldman (1996); value assumed")
    spill_institute: float = param(0.3, ge=0, le=10, unit="per log point", meaning="spillover pool per unit of institute lead over the local mean", source=ASSUMPTION)
    institute_collaboration: float = param(0.1, ge=0, le=1, unit="probability", meaning="chance an absorbing firm looks at the research institute", source=ASSUMPTION)
    alpha_rd: float = param(2.0, ge=0, le=100, unit="per unit R&D intensity", meaning="k_rd, absorptive capacity gained from R&D", source="Cohen & Levinthal (1990); value assumed")
    alpha_training: float = param(0.05, ge=0, le=10, unit="per USD million of training per firm", meaning="k_tr, absorptive capacity gained from training", source=ASSUMPTION)
    alpha_decay: float = param(0.05, ge=0, le=1, unit="1/year", meaning="d_alpha, decay of absorptive capacity", source=ASSUMPTION)
    alpha_sd: float = param(0.1, ge=0, le=1, unit="index (sd)", meaning="dispersion of entrants' absorptive capacity around the region's mean", source=ASSUMPTION)
    rd_unit_adoption: float = param(0.02, ge=0, le=1, unit="probability per year", meaning="chance a firm without an R&D unit sets one up", source=CALIBRATED)
    training_rd_unit_effect: float = param(10.0, ge=0, le=1000, unit="per USD million of training per firm", meaning="how training raises R&D-unit adoption: p (1 + effect training_r)", source=ASSUMPTION)
    tie_from_collaboration: float = param(0.3, ge=0, le=1, unit="probability", meaning="chance a successful absorption creates a tie to the source", source=ASSUMPTION)


class Diffusion(_Strict):
    network_rate: float = param(0.03, ge=0, le=1, unit="share of the gap per year", meaning="nu_net, mean positive gap to tied firms learned per year", source=ASSUMPTION)
    local_rate: float = param(0.01, ge=0, le=1, unit="share of the gap per year", meaning="nu_loc, gap to the regional mean learned from proximity", source=ASSUMPTION)
    between_clusters: float = param(0.3, ge=0, le=1, unit="weight", meaning="weight of ties across regions relative to local ties", source=PAPER + " (weaker diffusion between clusters); value assumed")
    tie_formation: float = param(0.3, ge=0, le=10, unit="ties per firm-year", meaning="new proximity ties (times localisation)", source=ASSUMPTION)
    tie_decay: float = param(0.05, ge=0, le=1, unit="probability per year", meaning="chance a tie dissolves", source="Burt (2000), decay of network ties; value assumed")
    initial_ties: float = param(3.0, ge=0, le=100, unit="ties per firm", meaning="mean ties per firm at t = 0 in a compact region (times max(localisation, initial_localisation_floor))", source=ASSUMPTION)
    initial_localisation_floor: float = param(0.2, ge=0, le=1, unit="share", meaning="initial ties form as if localisation were at least this (kinship and classmates reach beyond suppliers)", source=ASSUMPTION)
    partner_candidates: int = param(3, ge=1, le=100, unit="firms", meaning="a new tie goes to the nearest of this many random firms of the region", source=ASSUMPTION)
    frontier_rate: float = param(0.05, ge=0, le=1, unit="share of the gap per year", meaning="nu_F, share of the log gap to the GVC stage's technology frontier closed a year", source="Nelson & Phelps (1966); Griffith, Redding & Van Reenen (2004) REStat 86; Griffith, Redding & Simpson (2009) J. Regional Science 49; Bartelsman, Haskel & Martin (2008): the national frontier's pull does not fall with distance; value assumed of the order of the published catch-up coefficients")
    frontier_quantile: float = param(0.95, ge=0.5, le=1, unit="quantile", meaning="the frontier is this quantile of the stage's technology", source="Andrews, Criscuolo & Gal (2015, OECD): frontiers defined by the most productive firms of an industry, the top 5% among their definitions")


class Entry(_Strict):
    startup_rate: float = param(0.02, ge=0, le=10, unit="start-ups per initial firm-year", meaning="l0, base start-up rate", source=CALIBRATED)
    neighbour_effect: float = param(0.5, ge=0, le=100, unit="multiplier", meaning="b_n in l0 (1 + b_n n_r^phi)", source="Sorenson & Audia (2000); calibrated for bangalore")
    neighbour_exponent: float = param(0.3, ge=0, le=2, unit="elasticity", meaning="phi", source="Sorenson & Audia (2000); calibrated for bangalore")
    max_startup_ratio: float = param(
        1.0, gt=0, le=100, unit="multiple of the region's firms",
        meaning="start-ups per year at most this multiple of the region's firms (or initial firms): "
        "keeps explosive parameter combinations from running away",
        source="numerical guard, not economics")
    startup_tech_gap: float = param(0.1, ge=0, le=5, unit="log productivity", meaning="start-ups begin this far below the local mean A", source="Jovanovic (1982): entrants start small and behind; value assumed")
    startup_tech_sd: float = param(1.0, ge=0, le=10, unit="multiple of the region's tech_sd", meaning="dispersion of start-ups' technology", source="Jovanovic (1982): entrants learn their efficiency after entry; Foster, Haltiwanger & Syverson (2008) AER 98: entrants' productivity as dispersed as incumbents'")
    startup_distance: float = param(0.2, ge=0, le=10, unit="multiple of the region's radius", meaning="sd of a start-up's location around the firm it sets up next to", source="Sorenson & Audia (2000): founders locate near where they worked; value assumed")
    spinoff_rate: float = param(0.02, ge=0, le=1, unit="probability per year", meaning="sigma, spin-off chance of a firm above L_min", source="Klepper (2007); value assumed")
    spinoff_min_employees: float = param(20, ge=0, le=1e6, unit="persons", meaning="L_min, smallest parent", source=ASSUMPTION)
    spinoff_quality: float = param(1.0, ge=0, le=20, unit="per log point", meaning="b_sp: better parents spawn more", source="Klepper (2007); Klepper & Sleeper (2005)")
    spinoff_tech_loss: float = param(0.1, ge=0, le=5, unit="log productivity", meaning="s_sp, child A = A_parent - s_sp |z|", source="Klepper & Sleeper (2005): spin-offs inherit knowledge; value assumed")
    spinoff_distance: float = param(2.0, ge=0, le=1e4, unit="km", meaning="sd of the child's location around the parent", source="Klepper (2007): spin-offs locate near their parents; value assumed")
    spinoff_rd_unit_share: float = param(0.5, ge=0, le=1, unit="probability", meaning="chance a spin-off of a parent without an R&D unit has one (with: always)", source=ASSUMPTION)
    initial_employees: float = param(8, gt=0, le=1e5, unit="persons", meaning="employees of a new firm", source="average start-up size of a few employees (OECD DynEmp)")
    founder_optimism: float = param(1.0, ge=1, le=20, unit="planned over realised sales", meaning="a start-up's or spin-off's founder prices its plan (mechanisms.entry_screening) on this multiple of the sales it will make; 1 is an unbiased founder (MNE subsidiaries price without it)", source="sign: Cassar (2010) Strategic Management J. 31 (PSED sales projections above realisations); Cooper, Woo & Dunkelberg (1988); Camerer & Lovallo (1999) AER 89; size: calibrated")


class Relocation(_Strict):
    sample_share: float = param(0.05, ge=0, le=1, unit="share per year", meaning="share of periphery firms that consider moving", source=CALIBRATED)
    move_probability: float = param(0.5, ge=0, le=1, unit="probability", meaning="mu, chance a firm that gains moves", source=ASSUMPTION)
    moving_cost: float = param(0.05, ge=0, le=1e4, unit="USD million", meaning="one-off moving cost", source=CALIBRATED)
    spillover_value: float = param(0.5, ge=0, le=100, unit="share of value added per unit S_r", meaning="expected profit gain from the cluster's knowledge pool", source=ASSUMPTION)
    mne_rate: float = param(0.5, ge=0, le=1e4, unit="MNEs per year at unit attractiveness", meaning="l_mne", source=CALIBRATED)
    mne_tech_premium: float = param(0.6, ge=0, le=10, unit="log productivity", meaning="MNE technology above the mne_tech_quantile of all firms' technology", source="Markusen (1995): MNEs own firm-specific technology; value assumed")
    mne_tech_quantile: float = param(0.9, ge=0, le=1, unit="quantile", meaning="quantile of all firms' technology (every region) that an MNE's premium is added to", source=ASSUMPTION)
    mne_tech_sd: float = param(0.1, ge=0, le=5, unit="log productivity (sd)", meaning="dispersion of MNE technology", source=ASSUMPTION)
    mne_stages: int = param(3, ge=1, le=20, unit="stages", meaning="MNEs enter one of the top mne_stages GVC stages at random (all of them when there are fewer)", source="Gereffi, Humphrey & Sturgeon (2005): lead firms hold the high-value stages")
    mne_capital_multiple: float = param(10.0, ge=0, le=1e4, unit="multiple of founder capital", meaning="net worth an MNE subsidiary brings", source=ASSUMPTION)
    mne_share_multiple: float = param(10.0, gt=0, le=1e4, unit="multiple of an entrant's share", meaning="initial market share of an MNE subsidiary", source=ASSUMPTION)
    mne_absorptive_capacity: float = param(0.9, ge=0, le=1, unit="index [0, 1]", meaning="absorptive capacity of an MNE subsidiary", source=ASSUMPTION)
    mne_employees: float = param(300, gt=0, le=1e6, unit="persons", meaning="employees of an arriving MNE subsidiary", source=ASSUMPTION)
    mne_supplier_links: int = param(5, ge=0, le=1000, unit="ties", meaning="local suppliers tied to each MNE", source="Javorcik (2004), backward linkages of FDI; value assumed")
    suppliers_ref: float = param(1000, gt=0, le=1e8, unit="firms", meaning="local firms at which the supplier term of attractiveness is 1", source=ASSUMPTION)
    attract_talent: float = param(1.0, ge=0, le=100, unit="weight", meaning="weight of free talent in attractiveness", source=ASSUMPTION)
    attract_suppliers: float = param(0.3, ge=0, le=100, unit="weight", meaning="weight of the supplier base in attractiveness", source=ASSUMPTION)
    attract_infrastructure: float = param(1.0, ge=0, le=100, unit="weight", meaning="weight of infrastructure in attractiveness", source=ASSUMPTION)
    attract_incentives: float = param(1.0, ge=0, le=100, unit="weight", meaning="weight of incentives in attractiveness", source=ASSUMPTION)
    attract_rent: float = param(1.0, ge=0, le=100, unit="weight", meaning="weight of rent (negative) in attractiveness", source=ASSUMPTION)


class Upgrading(_Strict):
    probability: float = param(0.2, ge=0, le=1, unit="probability per year", meaning="p_up, chance an eligible firm upgrades", source=ASSUMPTION)
    mne_link_boost: float = param(1.0, ge=0, le=20, unit="multiplier", meaning="b_mne, boost from a tie to an MNE lead firm", source="Humphrey & Schmitz (2002): lead firms help process and product upgrading")


class Exit(_Strict):
    grace_years: int = param(1, ge=0, le=50, unit="years", meaning="new firms cannot exit for this many years", source=ASSUMPTION)
    learning_prior_years: float = param(2.0, ge=0, le=100, unit="years of observation", meaning="n0, weight of the break-even prior in a firm's belief about its margin", source="Jovanovic (1982): a firm learns its efficiency from its results; value assumed")
    unviable_margin: float = param(-0.05, ge=-1, le=1, unit="share of revenue", meaning="a firm whose expected operating margin is below this leaves (below break-even, the prior: staying has an option value)", source="Jovanovic (1982); Hopenhayn (1992): a firm stays while the expected value of going on, its option value included, is positive; value assumed")


class Government(_Strict):
    """Policy instruments (the paper's four strategic initiatives) and their budget shares."""

    shares: dict[str, float] = Field(
        default_factory=lambda: {
            "infrastructure": 0.3, "training": 0.2, "information": 0.1, "ip_protection": 0.05,
            "direct_subsidy": 0.05, "seed_enterprises": 0.05, "guiding_fund": 0.1,
            "intermediaries": 0.1, "research_institute": 0.05,
        },
        description="budget share per instrument (sum <= 1)",
        json_schema_extra={"unit": "shares of B_r", "source": "Porter (2002) as the paper cites; per scenario",
                           "allowed": "instrument = share in [0, 1], summing to at most 1; instruments: "
                                      + ", ".join(INSTRUMENTS)},
    )
    selection_accuracy: float = param(0.5, ge=0, le=1, unit="probability", meaning="q: a direct subsidy goes to the best-by-A firm with probability q", source=PAPER + " ('efficiency trap'); value per scenario")
    subsidised_share: float = param(0.05, ge=0, le=1, unit="share of firms", meaning="share of a region's firms receiving direct subsidies", source=ASSUMPTION)
    infrastructure_depreciation: float = param(0.05, ge=0, le=1, unit="1/year", meaning="d_I", source="depreciation of public infrastructure, about 2-5% a year")
    intermediary_cost: float = param(0.5, gt=0, le=1e4, unit="USD million per intermediary-year", meaning="cost of keeping one intermediary", source=ASSUMPTION)
    intermediary_decay: float = param(0.1, ge=0, le=1, unit="1/year", meaning="d_M, intermediaries closing", source=ASSUMPTION)
    information_cost: float = param(0.02, gt=0, le=100, unit="USD million per firm", meaning="spend per firm at which information services reach half coverage", source=ASSUMPTION)
    training_labour_effect: float = param(0.02, ge=0, le=10, unit="per USD million of training per firm", meaning="labour pool growth from training", source=ASSUMPTION)
    ip_gain: float = param(0.05, ge=0, le=10, unit="per USD million per firm-year", meaning="IP strength gained from spending on IP protection", source=ASSUMPTION)
    institute_gain: float = param(0.01, ge=0, le=10, unit="log points per USD million", meaning="institute level gained from spending on it", source=ASSUMPTION)
    seed_incentive: float = param(0.01, ge=0, le=10, unit="per USD million", meaning="incentives gained from spending on seed enterprises", source=PAPER + " (Pinghu); value assumed")
    incentive_persistence: float = param(0.9, ge=0, le=1, unit="share per year", meaning="share of extra incentives that lasts another year", source=ASSUMPTION)
    stage_programme: dict[str, dict[str, float]] = Field(
        default_factory=lambda: {
            "budding": {"guiding_fund": 0.35, "infrastructure": 0.35, "seed_enterprises": 0.15, "training": 0.15},
            "growth": {"infrastructure": 0.2, "intermediaries": 0.3, "training": 0.2, "information": 0.2, "guiding_fund": 0.1},
            "maturity": {"research_institute": 0.3, "ip_protection": 0.2, "information": 0.2, "training": 0.2, "intermediaries": 0.1},
            "decline": {"research_institute": 0.3, "training": 0.3, "guiding_fund": 0.2, "seed_enterprises": 0.2},
        },
        description="budget split by detected life-cycle stage (used when mechanisms.stage_programme)",
        json_schema_extra={"unit": "shares of B_r", "source": PAPER + " (stage-specific policy)",
                           "allowed": "per life-cycle stage (" + ", ".join(LIFECYCLE_STAGES)
                                      + ") a table of instrument = share, summing to at most 1"},
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

    name: str = Field(min_length=1, description="scenario name (labels outputs)")
    description: str = Field("", description="what the scenario stands for")
    industry: str = Field("manufacturing", description="industry label written to firm panels")
    start_year: int = Field(2000, ge=1800, le=2200, description="calendar year of the first simulated year [year]")
    years: int = Field(30, ge=1, le=MAX_YEARS, description="years to simulate [years]")
    seed: int = Field(0, ge=0, le=2**63 - 1, description="root seed of the run's random streams")
    firms: int | None = Field(
        None, ge=1, le=MAX_FIRMS,
        description="total initial firms; the whole economy is rescaled to this many "
                    "(unset: the regions' initial_firms) [firms]")
    regions: list[Region] = Field(min_length=1)
    stages: list[Stage] = Field(default_factory=_default_stages, min_length=1, max_length=20)
    mechanisms: Mechanisms = Field(default_factory=Mechanisms)
    initial: Initial = Field(default_factory=Initial)
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
    # where the scenario was loaded from and the overrides applied since
    # (innocluster.scenario.io.scenario_origin); not a field: it does not enter the run
    _origin: dict | None = PrivateAttr(default=None)

    def __eq__(self, other: object) -> bool:
        # two scenarios are equal when their fields are, wherever they were loaded from
        if isinstance(other, Scenario):
            return self.__dict__ == other.__dict__
        return NotImplemented

    __hash__ = None  # mutable, like every pydantic model

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


def _bounds(info) -> str:
    """The allowed range of a field as ``[lo, hi]`` / ``(lo, hi)`` text ('' when unbounded)."""
    lo = hi = None
    lo_open = hi_open = False
    for m in info.metadata:
        for attr, is_lo, is_open in (("ge", True, False), ("gt", True, True), ("le", False, False), ("lt", False, True)):
            v = getattr(m, attr, None)
            if v is not None:
                if is_lo:
                    lo, lo_open = v, is_open
                else:
                    hi, hi_open = v, is_open
    if lo is None and hi is None:
        return ""

    def fmt(v):  # integers exactly (a seed's upper bound is 2^63 - 1, not 9.22e+18)
        return str(v) if isinstance(v, int) else f"{v:g}"

    return (("(" if lo_open else "[") + (fmt(lo) if lo is not None else "-inf") + ", "
            + (fmt(hi) if hi is not None else "inf") + (")" if hi_open else "]"))


def _default(info) -> Any:
    if info.default_factory is not None:
        return info.default_factory()
    return None if info.is_required() else info.default


def _rows(prefix: str, obj: BaseModel) -> list[dict]:
    rows = []
    for fname, info in type(obj).model_fields.items():
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if "unit" not in extra:
            continue  # names, labels and switches
        meaning = (info.description or "").rsplit(" [", 1)[0]
        rows.append({"field": f"{prefix}.{fname}", "value": getattr(obj, fname), "default": _default(info),
                     "allowed": _bounds(info), "unit": extra["unit"], "meaning": meaning, "source": extra["source"]})
    return rows


def _allowed(info) -> str:
    """What a field accepts, for fields without a numeric range: switches, choices, names."""
    rng = _bounds(info)
    if rng:
        return rng
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    if extra.get("allowed"):
        return extra["allowed"]
    ann = info.annotation
    if ann is bool:
        return "true or false"
    if get_origin(ann) is Literal:
        return " or ".join(str(a) for a in get_args(ann))
    for m in info.metadata:
        if getattr(m, "pattern", None):
            return "letters, digits, _ and -"
    if ann is str:
        return "text"
    if get_origin(ann) is list and get_args(ann) == (str,):
        return "list of text"
    return ""


def _field_row(path: str, info, value) -> dict:
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    description = info.description or ""
    meaning, _, unit = description.partition(" [")
    default = "(required)" if info.is_required() else _default(info)
    return {"field": path, "value": value, "default": default, "allowed": _allowed(info),
            "unit": extra.get("unit") or unit.rstrip("]"), "meaning": meaning, "source": extra.get("source", "")}


def _all_rows(prefix: str, obj: BaseModel, skip: tuple[str, ...] = ()) -> list[dict]:
    return [_field_row(f"{prefix}{fname}", info, getattr(obj, fname))
            for fname, info in type(obj).model_fields.items() if fname not in skip]


def field_table(scenario: Scenario) -> list[dict]:
    """Every field of ``scenario``, one dict per ``--set`` path, in schema order.

    Like :func:`parameter_table` (same keys: field, value, default, allowed, unit,
    meaning, source) but with every field, not only those that carry a number with a
    unit: the run settings (``years``, ``seed``, ``firms`` ...), the switches of
    ``mechanisms``, the choices (``regions.<name>.kind``) and the texts. The names of
    regions and stages are not rows of their own: they are part of the paths.
    """
    rows: list[dict] = []
    sections = []
    for fname, info in type(scenario).model_fields.items():
        value = getattr(scenario, fname)
        if isinstance(value, BaseModel):
            sections.append(fname)
        elif fname not in ("regions", "stages", "sources"):
            rows.append(_field_row(fname, info, value))
    for section in sections:
        rows += _all_rows(f"{section}.", getattr(scenario, section))
    for region in scenario.regions:
        rows += _all_rows(f"regions.{region.name}.", region, skip=("name",))
    for stage in scenario.stages:
        rows += _all_rows(f"stages.{stage.name}.", stage, skip=("name",))
    rows.append(_field_row("sources", type(scenario).model_fields["sources"], scenario.sources))
    return rows


def parameter_table(scenario: Scenario) -> list[dict]:
    """Every parameter of ``scenario`` with its value, default, allowed range, unit,
    meaning and source, one dict per parameter in schema order: the sections
    (``market.chi``, ...), then each region (``regions.<name>.<field>``) and each GVC
    stage (``stages.<name>.<field>``), the names ``--set`` takes."""
    rows = []
    for section in type(scenario).model_fields:
        value = getattr(scenario, section)
        if isinstance(value, BaseModel):
            rows += _rows(section, value)
    for region in scenario.regions:
        rows += _rows(f"regions.{region.name}", region)
    for stage in scenario.stages:
        rows += _rows(f"stages.{stage.name}", stage)
    return rows
