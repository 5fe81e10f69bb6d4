"""One declarative definition per claim of the seed paper.

A :class:`Claim` holds one or more :class:`Setting` s (e.g. one per scenario or per
selection accuracy). A setting is a set of :class:`Arm` s run with common random
numbers — replication ``r`` of every arm uses the same seed — and :class:`Test` s,
each an effect ``arm - baseline`` (or ``arm - reference`` for a level) with the sign
the paper predicts. :mod:`innocluster.paper.verdict` turns each test into a verdict
and the claim's tests into one.

An arm reads one region of one run: ``region="cluster"`` is the scenario's first
cluster region, ``"periphery"`` its first other region. Two arms that differ only in
the region (inside vs outside the cluster) share their runs, so that comparison is
paired within the same simulated economy. Arm overrides may be a function of the
loaded scenario, so that experiments read whatever the scenario files say at run time
(budget shares, VC pools, region names) instead of copying their numbers.

Outcomes are the summary columns of :mod:`innocluster.paper.derived`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from innocluster.errors import InputError
from innocluster.paper.verdict import Band, band_for

Overrides = tuple[str, ...] | Callable[..., list[str]]


@dataclass(frozen=True)
class Arm:
    """One arm: a scenario, overrides, the region read, the run length and the runner.

    Attributes
    ----------
    name : str
    scenario : str
        Built-in scenario name (replaceable by a file with ``--scenario NAME=PATH``).
    overrides : tuple of str or callable
        ``--set`` strings, or ``f(scenario) -> list of str``.
    region : {"cluster", "periphery"}
    years : int, optional
        Simulated years (default: the scenario's).
    runner : {"engine", "figure1"}
        ``figure1`` computes the Figure 1 cost curves after ``years`` of burn-in.
    """

    name: str
    scenario: str
    overrides: Overrides = ()
    region: str = "cluster"
    years: int | None = None
    runner: str = "engine"


@dataclass(frozen=True)
class Test:
    """One effect and the sign the paper predicts for it.

    Attributes
    ----------
    arm : str
        The arm compared with the setting's baseline (or with ``reference``).
    outcome : str
        Summary column (e.g. ``tech_growth``).
    direction : {1, -1}
        Predicted sign of ``arm - baseline`` (or ``arm - reference``).
    reference : float, optional
        Compare the arm with this level instead of with the baseline: a share of
        replications (``kind="share"``) or the mean of per-run estimates (``kind="level"``).
    kind : {"paired", "share", "level"}
        ``paired``: mean paired difference against the baseline (common random numbers);
        ``share``: share of replications with the outcome 1, against ``reference``;
        ``level``: mean of a per-run estimate (e.g. a within-firm effect) against ``reference``.
    primary : bool
        Enters the claim's verdict; a descriptive test (``False``) is reported and enters
        the Holm adjustment only.
    band : Band, optional
        Negligible band; default the outcome's in :data:`innocluster.paper.verdict.BANDS`.
    note : str
        What the test measures (shown in the report and ``tests.csv``).
    """

    arm: str
    outcome: str
    direction: int
    reference: float | None = None
    kind: str = "paired"
    primary: bool = True
    band: Band | None = None
    note: str = ""

    def __post_init__(self):
        if self.kind not in ("paired", "share", "level"):
            raise ValueError(f"Test.kind must be paired, share or level, got {self.kind!r}")
        if (self.kind != "paired") != (self.reference is not None):
            raise ValueError(f"Test {self.arm}/{self.outcome}: a reference goes with kind 'share' or 'level', "
                             f"not {self.kind!r}")

    @property
    def negligible(self) -> Band:
        return self.band or band_for(self.outcome)


@dataclass(frozen=True)
class Setting:
    """Arms run together with common random numbers, and the tests on them."""

    label: str
    arms: tuple[Arm, ...]
    tests: tuple[Test, ...]
    outcomes: tuple[str, ...]
    baseline: str | None = None
    timeline: bool = False

    @property
    def baseline_arm(self) -> str:
        return self.baseline or self.arms[0].name


@dataclass(frozen=True)
class Claim:
    """A claim of the paper and how it is tested."""

    id: str
    group: str
    title: str
    quote: str
    design: str
    settings: tuple[Setting, ...]
    figure: str = "bars"
    notes: tuple[str, ...] = field(default_factory=tuple)


# ---------------------------------------------------------------- scenario-reading overrides

def cluster_name(sc) -> str:
    """Name of the scenario's first cluster region."""
    for r in sc.regions:
        if r.kind == "cluster":
            return r.name
    raise InputError(f"scenario {sc.name!r}: needs a cluster region for the paper experiments")


RULE_MAKING = ("infrastructure", "training", "information")


def _floor(v: float) -> str:
    """A budget share rounded down to 1e-9, so moved shares never sum above the original."""
    return repr(math.floor(v * 1e9) / 1e9)


def rule_making_split(accuracy: float) -> Callable[..., list[str]]:
    """Budget moved from direct subsidies into rule-making (infrastructure, training,
    information), in proportion to the scenario's own rule-making shares."""

    def f(sc) -> list[str]:
        sh = dict(sc.government.shares)
        rule = {k: sh.get(k, 0.0) for k in RULE_MAKING}
        total_rule = sum(rule.values())
        moved = sh.get("direct_subsidy", 0.0)
        out = [f"government.selection_accuracy={accuracy}", "government.shares.direct_subsidy=0.0"]
        for k, v in rule.items():
            w = v / total_rule if total_rule > 0 else 1.0 / len(rule)
            out.append(f"government.shares.{k}={_floor(v + w * moved)}")
        return out

    return f


def direct_intervention_split(accuracy: float) -> Callable[..., list[str]]:
    """The same budget with every rule-making share moved into direct subsidies."""

    def f(sc) -> list[str]:
        sh = dict(sc.government.shares)
        moved = sum(sh.get(k, 0.0) for k in RULE_MAKING)
        out = [f"government.selection_accuracy={accuracy}",
               f"government.shares.direct_subsidy={_floor(sh.get('direct_subsidy', 0.0) + moved)}"]
        out += [f"government.shares.{k}=0.0" for k in RULE_MAKING]
        return out

    return f


def vc_scaled(mult: float) -> Callable[..., list[str]]:
    """The cluster's VC pool and yearly private inflow times ``mult`` (0: no VC at all)."""

    def f(sc) -> list[str]:
        if mult == 0:
            return ["mechanisms.venture_capital=false"]
        name = cluster_name(sc)
        reg = next(r for r in sc.regions if r.name == name)
        return [f"regions.{name}.vc_pool={reg.vc_pool * mult:.6g}",
                f"regions.{name}.vc_inflow={reg.vc_inflow * mult:.6g}"]

    return f


#: per-firm endowments of a region: quantities are scaled by the ratio of initial firms,
#: levels and shares copied (the equal-endowment placebo design)
ENDOWMENT_QUANTITIES = ("budget", "infrastructure", "intermediaries", "vc_pool", "vc_inflow")
ENDOWMENT_LEVELS = ("rd_unit_share", "tech_mean", "tech_sd", "alpha_mean", "institute_level", "institute_growth",
                    "budget_growth", "ip_strength", "incentives", "culture", "external_links", "export_share")


def periphery_name(sc) -> str:
    """Name of the scenario's first non-cluster region."""
    for r in sc.regions:
        if r.kind != "cluster":
            return r.name
    raise InputError(f"scenario {sc.name!r}: needs a periphery region for the paper experiments")


def equal_endowments(sc) -> list[str]:
    """Give the cluster the periphery's endowments per firm (placebo design).

    Levels and shares (R&D-unit share, initial technology and absorptive capacity, research
    institute, IP strength, incentives, culture, external links, export share, budget
    growth) are copied from the periphery; stocks and flows (government budget,
    infrastructure, intermediaries, VC pool and inflow) are the periphery's per initial
    firm times the cluster's initial firms. What is left to differ is location: geography
    and density (and through them agglomeration, spillovers, ties, congestion), labour
    market and rent.
    """
    c, p = cluster_name(sc), periphery_name(sc)
    rc = next(r for r in sc.regions if r.name == c)
    rp = next(r for r in sc.regions if r.name == p)
    ratio = rc.initial_firms / max(rp.initial_firms, 1)
    out = [f"regions.{c}.{k}={getattr(rp, k) * ratio:.9g}" for k in ENDOWMENT_QUANTITIES]
    out += [f"regions.{c}.{k}={getattr(rp, k)!r}" for k in ENDOWMENT_LEVELS]
    return out


_REVENUE_CACHE: dict[str, float] = {}
PROBE_FIRMS = 300
PROBE_YEARS = 3


def region_revenue(sc, region: str) -> float:
    """Yearly revenue of ``region`` at the scenario's full size, USD million: mean of the
    first :data:`PROBE_YEARS` years of a probe run at :data:`PROBE_FIRMS` firms, divided by
    the economy's scale (revenue is extensive). Cached per scenario and region."""
    key = sc.model_dump_json() + region
    if key not in _REVENUE_CACHE:
        from innocluster.model.engine import simulate

        total = sum(r.initial_firms for r in sc.regions)
        firms = min(total, PROBE_FIRMS)
        ts = simulate(sc, seed=sc.seed, years=PROBE_YEARS, firms=firms).timeseries
        rev = float(ts.loc[ts["region"] == region, "revenue"].mean())
        _REVENUE_CACHE[key] = rev / (firms / total)
    return _REVENUE_CACHE[key]


def budget_share_of_revenue(share: float) -> Callable[..., list[str]]:
    """The cluster's government budget set to ``share`` of its yearly revenue
    (:func:`region_revenue`), so that a policy arm is sized to what binds."""

    def f(sc) -> list[str]:
        c = cluster_name(sc)
        return [f"regions.{c}.budget={share * region_revenue(sc, c):.6g}"]

    return f


def combined(*parts) -> Callable[..., list[str]]:
    """Overrides of several parts (tuples or functions of the scenario), in order."""

    def f(sc) -> list[str]:
        out: list[str] = []
        for p in parts:
            out += list(p(sc)) if callable(p) else list(p)
        return out

    return f


def vc_binding(mult: float, matching: float = 0.9, quantile: float = 0.3) -> Callable[..., list[str]]:
    """The cluster's VC pool and inflow times ``mult`` with matching and screening loosened
    (``finance.vc_matching``, ``finance.vc_screen_quantile``) so the money finds firms:
    scaling a pool that stays unspent tests nothing."""

    def f(sc) -> list[str]:
        fin = sc.finance
        return vc_scaled(mult)(sc) + [f"finance.vc_matching={max(fin.vc_matching, matching)!r}",
                                      f"finance.vc_screen_quantile={min(fin.vc_screen_quantile, quantile)!r}"]

    return f


def lock_in_remedy(sc) -> list[str]:
    """Open the cluster through mechanisms: external search for knowledge, diffusion
    between clusters, a growing research institute ahead of local firms, and more
    intermediaries (the paper: external links, research institutes, intermediaries).

    The share of ties leaving the region (``external_links``) is an input of the lock-in
    detector (``external_tie_share``) and is left as the scenario has it: a remedy that set
    it would switch the detector off by construction."""
    name = cluster_name(sc)
    reg = next(r for r in sc.regions if r.name == name)
    firm_tech = reg.tech_mean
    return ["innovation.external_search=0.2",
            "diffusion.between_clusters=0.3",
            f"regions.{name}.institute_level={firm_tech + 0.5:.6g}",
            f"regions.{name}.institute_growth=0.03",
            f"regions.{name}.intermediaries={max(reg.intermediaries, 1.0) * 5:.6g}"]


def race_remedy(sc) -> list[str]:
    """Upgrading support: strong IP protection, the government budget shifted to training
    and IP protection, and absorptive capacity built by training (the paper: GVC
    upgrading instead of low-end price competition). None of these is an input of the
    race-to-the-bottom detector (lowest-stage share, margins, R&D intensity)."""
    name = cluster_name(sc)
    sh = dict(sc.government.shares)
    total = sum(sh.values())
    keep = max(total, 0.6)
    out = [f"regions.{name}.ip_strength=0.8"]
    out += [f"government.shares.{k}=0.0" for k in sh if k not in ("training", "ip_protection", "information")]
    out += [f"government.shares.training={_floor(0.6 * keep)}", f"government.shares.ip_protection={_floor(0.2 * keep)}",
            f"government.shares.information={_floor(0.2 * keep)}",
            f"regions.{name}.budget={max(next(r for r in sc.regions if r.name == name).budget, 1.0) * 3:.6g}"]
    return out


# ---------------------------------------------------------------- the claims

_INSIDE_SCENARIOS = ("hsinchu", "china-sme-baseline")
#: per claim metric: the firm-level within-firm outcome (None: no within-firm design)
_WITHIN = {"share_with_patent_late": "within_patenting", "share_rd_active_late": "within_rd_active",
           "tech_growth": "within_tech_growth", "avg_cost_late": "within_unit_cost", "sme_survival": None}


def _inside(metric: str, direction: int) -> tuple[Setting, ...]:
    """Raw gap (descriptive), equal-endowment gap and within-firm effect (primary)."""
    out = []
    for name in _INSIDE_SCENARIOS:
        out.append(Setting(
            label=f"{name}: raw gap",
            arms=(Arm("outside", name, region="periphery"), Arm("inside", name, region="cluster")),
            tests=(Test("inside", metric, direction, primary=False,
                        note="raw gap: cluster minus periphery in the same runs; mixes endowments, sorting and "
                             "location"),),
            outcomes=(metric,)))
        out.append(Setting(
            label=f"{name}: equal endowments per firm",
            arms=(Arm("outside_equal", name, equal_endowments, region="periphery"),
                  Arm("inside_equal", name, equal_endowments, region="cluster")),
            tests=(Test("inside_equal", metric, direction,
                        note="placebo design: the cluster gets the periphery's endowments per firm, so only "
                             "location and its mechanisms differ"),),
            outcomes=(metric,)))
        within = _WITHIN.get(metric)
        if within:
            out.append(Setting(
                label=f"{name}: within firm (movers, firm fixed effects)",
                arms=(Arm("within_firm", name, region="cluster"),),
                tests=(Test("within_firm", within, direction, reference=0.0, kind="level",
                            note="firm fixed effects and year effects on the firm panel: the same firm in the "
                                 "cluster vs outside, identified by movers (one estimate per run)"),),
                outcomes=(within, "movers")))
    return tuple(out)


_ABLATION_OUTCOMES = ("tech_growth", "patents_per_firm_late", "patents_total", "cohort_patents", "firms_late",
                      "cohort_survival")


def _patent_tests(arm: str, direction: int, primary: bool = True) -> tuple[Test, ...]:
    """Patents per firm (a ratio) next to total patents and the fixed cohort's patents."""
    return (Test(arm, "patents_per_firm_late", direction, primary=primary, note="per-firm ratio, last 5 years"),
            Test(arm, "patents_total", direction, primary=primary, note="total patents granted over the run"),
            Test(arm, "cohort_patents", direction, primary=primary,
                 note="patents over the run of the fixed cohort of firms alive at the start"))


def _ablation(*arms: tuple[str, tuple[str, ...]]) -> tuple[Setting, ...]:
    tests: list[Test] = []
    for name, _ in arms:
        tests += [Test(name, "tech_growth", -1), *_patent_tests(name, -1)]
    return (Setting("hsinchu", (Arm("full_model", "hsinchu"),) + tuple(Arm(n, "hsinchu", ov) for n, ov in arms),
                    tuple(tests), _ABLATION_OUTCOMES),)


#: the direct-intervention budget as a share of the cluster's yearly revenue: the order of
#: ``italy-overintervention``'s own budget (about 4-5 % of its district's revenue)
TRAP_BUDGET_SHARE = 0.03
_TRAP_OUTCOMES = ("tech_growth", "zombie_support_share_late", "zombie_share_late", "patents_per_firm_late",
                  "patents_total", "cohort_patents", "firms_late", "gov_spend_share_late")


def _rule_vs_direct() -> tuple[Setting, ...]:
    out = []
    for scen, accs, sized in (("china-sme-baseline", (0.1, 0.5, 0.9), True),
                              ("italy-overintervention", (None,), False)):
        for q in accs:
            def arms_for(split, q=q, sized=sized):
                def f(sc):
                    acc = sc.government.selection_accuracy if q is None else q
                    ov = split(acc)(sc)
                    return ov + (budget_share_of_revenue(TRAP_BUDGET_SHARE)(sc) if sized else [])
                return f
            label = (f"{scen}, budget {100 * TRAP_BUDGET_SHARE:g} % of revenue, selection accuracy {q}" if sized
                     else f"{scen}, its own budget and selection accuracy")
            out.append(Setting(
                label=label,
                arms=(Arm("rule_making", scen, arms_for(rule_making_split)),
                      Arm("direct_intervention", scen, arms_for(direct_intervention_split))),
                tests=(Test("direct_intervention", "tech_growth", -1),
                       Test("direct_intervention", "zombie_support_share_late", +1,
                            note="zombie: a firm past its grace years below the exit condition (net worth < 0) "
                                 "without the support it got (last year's subsidy, this year's VC equity), "
                                 "alive because of it; measurable in both arms")),
                outcomes=_TRAP_OUTCOMES))
    return tuple(out)
def _detector(flag: str, scenario: str, remedy) -> tuple[Setting, ...]:
    late = f"{flag}_late"
    outs = (late, f"{flag}_flagged", "tech_growth", "patents_per_firm_late", "external_tie_share_late")
    return (
        Setting("detection: scenario vs hsinchu control",
                (Arm("control_hsinchu", "hsinchu"), Arm(scenario, scenario)),
                (Test(scenario, late, +1),), outs, timeline=True),
        Setting("policy: scenario with vs without the remedy",
                (Arm("no_policy", scenario), Arm("policy", scenario, remedy)),
                (Test("policy", late, -1),), outs, timeline=True),
    )


_INSIDE_DESIGN = ("Three designs side by side: the raw gap in the same runs (descriptive: it mixes what the "
                  "cluster is given with where it is); the equal-endowment placebo, where the cluster gets the "
                  "periphery's endowments per firm (R&D-unit share, technology, institute, budget, "
                  "infrastructure, intermediaries, VC, IP strength, incentives, culture, external links) so only "
                  "location and its mechanisms differ; and the within-firm effect, firm and year fixed effects "
                  "on the firm panel identified by firms that move into the cluster. The last two decide.")

CLAIMS: tuple[Claim, ...] = (
    Claim("inside-patent-share", "Inside vs outside the cluster",
          "SMEs inside a cluster more often hold patents",
          "Industrial clusters ... enhance technological innovation capability of enterprises",
          "Same runs, cluster region vs periphery (paired by replication): share of firms with a patent, "
          "mean of the last 5 years.", _inside("share_with_patent_late", +1)),
    Claim("inside-rd-share", "Inside vs outside the cluster",
          "SMEs inside a cluster more often do R&D",
          "only 25% [of China's SMEs] have R&D institutions, R&D activities only 30%; clusters give "
          "access to strong and continuous technical innovation",
          "Share of firms with R&D activity (last 5 years), cluster vs periphery. " + _INSIDE_DESIGN,
          _inside("share_rd_active_late", +1)),
    Claim("inside-productivity-growth", "Inside vs outside the cluster",
          "Productivity grows faster inside the cluster",
          "reached a general improvement in business technology and total factor productivity",
          "Growth of mean log productivity (tech_mean) over the run, cluster vs periphery. " + _INSIDE_DESIGN,
          _inside("tech_growth", +1)),
    Claim("inside-average-cost", "Inside vs outside the cluster",
          "Average cost is lower inside the cluster (Figure 1)",
          "industry clusters reduce the average cost of every enterprise ... Figure 1 is the cost of "
          "enterprises to enter the cluster before and after",
          "Average cost per USD of output (last 5 years), cluster vs periphery. " + _INSIDE_DESIGN + " "
          "And Figure 1 from the model's cost functions: minimum of the average-cost curve of the same SME "
          "(same technology, stage and number of trust ties) priced outside and inside after a 10-year "
          "burn-in (the engine's own Figure 1 gives the outside SME no ties; here both sides get the "
          "cluster's median ties, so the curve compares places, not networks).",
          _inside("avg_cost_late", -1) + tuple(
              Setting(f"{name}, Figure 1 cost curves",
                      (Arm("outside", name, region="periphery", years=10, runner="figure1"),
                       Arm("inside", name, region="cluster", years=10, runner="figure1")),
                      (Test("inside", "min_ac", -1,
                            note="the same SME with the same number of trust ties priced outside and inside"),),
                      ("min_ac",))
              for name in _INSIDE_SCENARIOS),
          figure="figure1"),
    Claim("inside-sme-survival", "Inside vs outside the cluster",
          "SMEs survive more often inside the cluster",
          "the cluster would have saved a lot of SMEs in the brink of bankruptcy, not only to enable "
          "them to survive",
          "Yearly survival 1 - exits/firms, averaged over the years, cluster vs periphery. " + _INSIDE_DESIGN
          + " A firm exits once, so survival has no within-firm design.",
          _inside("sme_survival", +1)),
    Claim("mech-cost-risk", "Economic mechanisms (ablation)",
          "Lower costs and shared risk raise innovation",
          "To reduce the cost of business innovation and entrepreneurial risk",
          "hsinchu, full model vs agglomeration off (division of labour, infrastructure, trust, "
          "intermediary cost cuts) and vs venture capital off (risk-sharing finance); common random "
          "numbers. Predicted: both ablations lower productivity growth and patents per firm.",
          _ablation(("no_agglomeration", ("mechanisms.agglomeration=false",)),
                    ("no_venture_capital", ("mechanisms.venture_capital=false",)))),
    Claim("mech-diffusion-spinoffs", "Economic mechanisms (ablation)",
          "Diffusion and spin-offs promote technological progress",
          "To promote enterprise technological progress and technology diffusion",
          "hsinchu, full model vs knowledge diffusion and spin-offs both off.",
          _ablation(("no_diffusion_spinoffs", ("mechanisms.diffusion=false", "mechanisms.spinoffs=false")))),
    Claim("mech-polarisation", "Economic mechanisms (ablation)",
          "Polarisation: outside firms and MNEs bring knowledge into the cluster",
          "The accumulation of knowledge and expertise outside the enterprise ... enterprises and "
          "organizations will relocate to the cluster",
          "hsinchu, full model vs relocation of outside firms and MNE inflow both off.",
          _ablation(("no_relocation_mne", ("mechanisms.relocation=false", "mechanisms.mne_inflow=false")))),
    Claim("policy-rule-vs-direct", "Strategic initiatives",
          "Rule-making beats direct intervention (the efficiency trap)",
          "the Government's intervention may exist 'efficiency trap' ... the Government's role is to improve "
          "infrastructure construction and personnel training and education, rather than direct intervention",
          "The same budget split two ways: rule-making (direct-subsidy share moved into infrastructure, "
          "training, information) vs direct intervention (those shares moved into direct subsidies). "
          f"china-sme-baseline with the cluster's budget set to {100 * TRAP_BUDGET_SHARE:g} % of its yearly "
          "revenue (its own budget is about 0.1-0.5 %, too small to move anything) at selection accuracies "
          "0.1, 0.5 and 0.9; and italy-overintervention (heavy direct intervention) at its own budget and "
          "selection accuracy. Predicted: direct intervention lowers productivity growth and raises the "
          "zombie share. A zombie is a firm below the exit condition kept alive by any support (subsidy or "
          "VC equity), measurable in both arms; the model's zombie_share (loss-makers with a subsidy) is zero "
          "by construction when no subsidies are paid and is shown, not tested.",
          _rule_vs_direct()),
    Claim("policy-vc-size", "Strategic initiatives",
          "A larger venture-capital system eases financing and raises patents",
          "establish a sound risk investment mechanism ... 78% of the surveyed enterprises believe that "
          "financing difficulties are the key issues impeding business innovation",
          "china-sme-baseline (the paper's financing-constrained SMEs), no VC vs the scenario's VC pool and "
          "yearly inflow x1 and x4, and x4 with matching and screening loosened so the pool is spent "
          "(vc_pool_late shows the money left unspent). Tested: x4 matched vs none; x4 alone vs none is "
          "descriptive (a larger pool that is not spent tests nothing).",
          (Setting("china-sme-baseline",
                   (Arm("no_vc", "china-sme-baseline", vc_scaled(0)), Arm("vc_x1", "china-sme-baseline", vc_scaled(1)),
                    Arm("vc_x4", "china-sme-baseline", vc_scaled(4)),
                    Arm("vc_x4_matched", "china-sme-baseline", vc_binding(4))),
                   (Test("vc_x4", "constrained_among_rd_late", -1, primary=False,
                         note="the pool scaled alone: descriptive, the money may stay unspent (vc_pool_late)"),
                    *_patent_tests("vc_x4", +1, primary=False),
                    Test("vc_x4_matched", "constrained_among_rd_late", -1), *_patent_tests("vc_x4_matched", +1)),
                   ("constrained_among_rd_late", "patents_per_firm_late", "patents_total", "cohort_patents",
                    "vc_pool_late", "vc_invested_late", "tech_growth", "firms_late")),)),
    Claim("policy-vc-private", "Strategic initiatives",
          "Private capital as the main body of venture capital works better",
          "form private capital as the main risk of multi-channel investment and financing system",
          "china-sme-baseline, private share of VC money 0.2 vs 0.9 (the rest a government guiding fund). In "
          "the model the private share acts only through screening skill: public money adds "
          "finance.vc_public_screening_noise x (public share) to the noise of the screening score. With "
          "equal skill (0) the two arms are the same model, so that setting is shown as descriptive; the "
          "claim is tested at the values the test varies, 0.5 and 1.0 technology sd per unit of public "
          "money (government VC-backed firms perform worse than independent VC-backed firms: Brander, Du & "
          "Hellmann 2015, Review of Finance 19; Cumming, Grilli & Murtinu 2017, J. Corporate Finance 42). The "
          "verdict is conditional on that parameter.",
          tuple(Setting(f"china-sme-baseline, public screening noise {k:g}" + (" (equal skill)" if k == 0 else ""),
                        (Arm("private_0.2", "china-sme-baseline",
                             ("finance.vc_private_share=0.2", f"finance.vc_public_screening_noise={k!r}")),
                         Arm("private_0.9", "china-sme-baseline",
                             ("finance.vc_private_share=0.9", f"finance.vc_public_screening_noise={k!r}"))),
                        (Test("private_0.9", "constrained_among_rd_late", -1, primary=k > 0),
                         *_patent_tests("private_0.9", +1, primary=k > 0)),
                        ("constrained_among_rd_late", "patents_per_firm_late", "patents_total", "cohort_patents",
                         "vc_invested_late", "tech_growth"))
                for k in (0.0, 0.5, 1.0))),
    Claim("policy-intermediaries", "Strategic initiatives",
          "S&T intermediaries raise absorption and innovation",
          "intermediaries ... greatly reducing the need for a variety of industrial clusters of information "
          "and knowledge, reducing transaction costs",
          "hsinchu, intermediaries mechanism off vs on.",
          (Setting("hsinchu", (Arm("no_intermediaries", "hsinchu", ("mechanisms.intermediaries=false",)),
                               Arm("intermediaries", "hsinchu")),
                   (Test("intermediaries", "absorption_success_rate_late", +1), *_patent_tests("intermediaries", +1)),
                   ("absorption_success_rate_late", "patents_per_firm_late", "patents_total", "cohort_patents",
                    "tech_growth", "firms_late")),)),
    Claim("policy-stage-programme", "Strategic initiatives",
          "A stage-specific programme beats a constant budget split",
          "in its infancy, should be enthusiastic support, funds and infrastructure; in the growth stage ... "
          "a close network system; in the mature stage, upgrading ... rather than scale",
          "hsinchu, the scenario's constant budget split vs the stage programme (split follows the "
          "detected life-cycle stage), same total budget; gov_spend_share_late is the budget as a share of "
          "the cluster's revenue.",
          (Setting("hsinchu", (Arm("constant_split", "hsinchu", ("mechanisms.stage_programme=false",)),
                               Arm("stage_programme", "hsinchu", ("mechanisms.stage_programme=true",))),
                   (*_patent_tests("stage_programme", +1), Test("stage_programme", "tech_growth", +1)),
                   ("patents_per_firm_late", "patents_total", "cohort_patents", "tech_growth", "firms_late",
                    "gov_spend_share_late")),)),
    Claim("lifecycle-path", "Life cycle",
          "Clusters pass budding, growth, maturity and decline",
          "the development of industrial clusters through budding, growth, maturity and decline",
          "hsinchu run for 60 years; the monitor's classify_stage labels every year; a replication shows "
          "the path when the four stages occur in this order. Tested: share of replications with the "
          "full path vs one half (Wilson interval).",
          (Setting("hsinchu, 60 years", (Arm("hsinchu_60y", "hsinchu", years=60),),
                   (Test("hsinchu_60y", "full_path", +1, reference=0.5, kind="share"),), ("full_path", "firms_late"),
                   timeline=True),),
          figure="timeline"),
    Claim("lifecycle-lock-in", "Life cycle",
          "Lock-in is detectable, and opening the cluster pulls it out",
          "to avoid lock-in effect (Lock-in) ... continuous monitoring of industrial clusters",
          "The lock-in scenario vs hsinchu as control: share of the last 10 years the monitor's lock_in "
          "detector flags; then the lock-in scenario with vs without the remedy (external links and search, "
          "a research institute ahead of local firms, more intermediaries).",
          _detector("lock_in", "lock-in", lock_in_remedy), figure="detector"),
    Claim("lifecycle-race", "Life cycle",
          "A race to the bottom is detectable, and upgrading support pulls it out",
          "and by low competition (Race to the bottom)",
          "The race-to-the-bottom scenario vs hsinchu as control: share of the last 10 years the monitor's "
          "race_to_the_bottom detector flags; then with vs without the remedy (strong IP protection, budget "
          "into training, IP protection and information services).",
          _detector("race", "race-to-the-bottom", race_remedy), figure="detector"),
)


def claim_by_id(claim_id: str) -> Claim:
    """The claim with this id; one-line :class:`InputError` otherwise."""
    for c in CLAIMS:
        if c.id == claim_id:
            return c
    raise InputError(f"unknown experiment {claim_id!r}; `innocluster experiment list` shows "
                     + ", ".join(c.id for c in CLAIMS))
