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
        Compare the arm's mean (a share of replications) with this level instead of
        with the baseline.
    rel_negligible, abs_negligible : float
        Effects within ``max(rel * |baseline mean|, abs)`` count as negligible.
    """

    arm: str
    outcome: str
    direction: int
    reference: float | None = None
    rel_negligible: float = 0.05
    abs_negligible: float = 0.0


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


def lock_in_remedy(sc) -> list[str]:
    """Open the cluster: external links (returnees, MNE ties) and external search as in
    an open cluster, a growing research institute ahead of local firms, and more
    intermediaries (the paper: external links, research institutes, intermediaries)."""
    name = cluster_name(sc)
    reg = next(r for r in sc.regions if r.name == name)
    firm_tech = reg.tech_mean
    return [f"regions.{name}.external_links=0.3",
            "innovation.external_search=0.2",
            "diffusion.between_clusters=0.3",
            f"regions.{name}.institute_level={firm_tech + 0.5:.6g}",
            f"regions.{name}.institute_growth=0.03",
            f"regions.{name}.intermediaries={max(reg.intermediaries, 1.0) * 5:.6g}"]


def race_remedy(sc) -> list[str]:
    """Upgrading support: strong IP protection, the government budget shifted to training
    and IP protection, and absorptive capacity built by training (the paper: GVC
    upgrading instead of low-end price competition)."""
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


def _inside(metric: str, direction: int, abs_neg: float) -> tuple[Setting, ...]:
    return tuple(
        Setting(label=name,
                arms=(Arm("outside", name, region="periphery"), Arm("inside", name, region="cluster")),
                tests=(Test("inside", metric, direction, abs_negligible=abs_neg),),
                outcomes=(metric,))
        for name in _INSIDE_SCENARIOS)


_ABLATION_OUTCOMES = ("tech_growth", "patents_per_firm_late", "firms_late")


def _ablation(*arms: tuple[str, tuple[str, ...]]) -> tuple[Setting, ...]:
    tests = []
    for name, _ in arms:
        tests += [Test(name, "tech_growth", -1, abs_negligible=0.01),
                  Test(name, "patents_per_firm_late", -1, abs_negligible=0.001)]
    return (Setting("hsinchu", (Arm("full_model", "hsinchu"),) + tuple(Arm(n, "hsinchu", ov) for n, ov in arms),
                    tuple(tests), _ABLATION_OUTCOMES),)


def _rule_vs_direct() -> tuple[Setting, ...]:
    out = []
    for q in (0.1, 0.5, 0.9):
        out.append(Setting(
            label=f"china-sme-baseline, selection accuracy {q}",
            arms=(Arm("rule_making", "china-sme-baseline", rule_making_split(q)),
                  Arm("direct_intervention", "china-sme-baseline", direct_intervention_split(q))),
            tests=(Test("direct_intervention", "tech_growth", -1, abs_negligible=0.01),
                   Test("direct_intervention", "zombie_share_late", +1, abs_negligible=0.005)),
            outcomes=("tech_growth", "zombie_share_late", "patents_per_firm_late", "firms_late")))
    return tuple(out)


def _detector(flag: str, scenario: str, remedy) -> tuple[Setting, ...]:
    late = f"{flag}_late"
    outs = (late, f"{flag}_flagged", "tech_growth", "patents_per_firm_late")
    return (
        Setting("detection: scenario vs hsinchu control",
                (Arm("control_hsinchu", "hsinchu"), Arm(scenario, scenario)),
                (Test(scenario, late, +1, abs_negligible=0.05),), outs, timeline=True),
        Setting("policy: scenario with vs without the remedy",
                (Arm("no_policy", scenario), Arm("policy", scenario, remedy)),
                (Test("policy", late, -1, abs_negligible=0.05),), outs, timeline=True),
    )


CLAIMS: tuple[Claim, ...] = (
    Claim("inside-patent-share", "Inside vs outside the cluster",
          "SMEs inside a cluster more often hold patents",
          "Industrial clusters ... enhance technological innovation capability of enterprises",
          "Same runs, cluster region vs periphery (paired by replication): share of firms with a patent, "
          "mean of the last 5 years.", _inside("share_with_patent_late", +1, 0.002)),
    Claim("inside-rd-share", "Inside vs outside the cluster",
          "SMEs inside a cluster more often do R&D",
          "only 25% [of China's SMEs] have R&D institutions, R&D activities only 30%; clusters give "
          "access to strong and continuous technical innovation",
          "Same runs, cluster vs periphery: share of firms with R&D activity, mean of the last 5 years.",
          _inside("share_rd_active_late", +1, 0.005)),
    Claim("inside-productivity-growth", "Inside vs outside the cluster",
          "Productivity grows faster inside the cluster",
          "reached a general improvement in business technology and total factor productivity",
          "Same runs, cluster vs periphery: growth of mean log productivity (tech_mean) over the run.",
          _inside("tech_growth", +1, 0.01)),
    Claim("inside-average-cost", "Inside vs outside the cluster",
          "Average cost is lower inside the cluster (Figure 1)",
          "industry clusters reduce the average cost of every enterprise ... Figure 1 is the cost of "
          "enterprises to enter the cluster before and after",
          "Same runs, cluster vs periphery: average cost per USD of output (last 5 years); and Figure 1 "
          "from the model's cost functions: minimum of the average-cost curve of the same SME priced "
          "outside and inside after a 10-year burn-in.",
          _inside("avg_cost_late", -1, 0.002) + tuple(
              Setting(f"{name}, Figure 1 cost curves",
                      (Arm("outside", name, region="periphery", years=10, runner="figure1"),
                       Arm("inside", name, region="cluster", years=10, runner="figure1")),
                      (Test("inside", "min_ac", -1, abs_negligible=0.002),), ("min_ac",))
              for name in _INSIDE_SCENARIOS),
          figure="figure1"),
    Claim("inside-sme-survival", "Inside vs outside the cluster",
          "SMEs survive more often inside the cluster",
          "the cluster would have saved a lot of SMEs in the brink of bankruptcy, not only to enable "
          "them to survive",
          "Same runs, cluster vs periphery: yearly survival 1 - exits/firms, averaged over the years.",
          _inside("sme_survival", +1, 0.002)),
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
          "china-sme-baseline, the same budget split two ways: rule-making (direct-subsidy share moved into "
          "infrastructure, training, information) vs direct intervention (those shares moved into direct "
          "subsidies), at selection accuracies 0.1, 0.5 and 0.9. Predicted: direct intervention lowers "
          "productivity growth and raises the zombie share.",
          _rule_vs_direct()),
    Claim("policy-vc-size", "Strategic initiatives",
          "A larger venture-capital system eases financing and raises patents",
          "establish a sound risk investment mechanism ... 78% of the surveyed enterprises believe that "
          "financing difficulties are the key issues impeding business innovation",
          "china-sme-baseline (the paper's financing-constrained SMEs), no VC vs the scenario's VC pool and "
          "yearly inflow x1 and x4. Tested: x4 vs none.",
          (Setting("china-sme-baseline", (Arm("no_vc", "china-sme-baseline", vc_scaled(0)), Arm("vc_x1", "china-sme-baseline", vc_scaled(1)),
                               Arm("vc_x4", "china-sme-baseline", vc_scaled(4))),
                   (Test("vc_x4", "constrained_among_rd_late", -1, abs_negligible=0.005),
                    Test("vc_x4", "patents_per_firm_late", +1, abs_negligible=0.001)),
                   ("constrained_among_rd_late", "patents_per_firm_late", "tech_growth")),)),
    Claim("policy-vc-private", "Strategic initiatives",
          "Private capital as the main body of venture capital works better",
          "form private capital as the main risk of multi-channel investment and financing system",
          "china-sme-baseline, private share of VC money 0.2 vs 0.9 (the rest a government guiding fund).",
          (Setting("china-sme-baseline", (Arm("private_0.2", "china-sme-baseline", ("finance.vc_private_share=0.2",)),
                               Arm("private_0.9", "china-sme-baseline", ("finance.vc_private_share=0.9",))),
                   (Test("private_0.9", "constrained_among_rd_late", -1, abs_negligible=0.005),
                    Test("private_0.9", "patents_per_firm_late", +1, abs_negligible=0.001)),
                   ("constrained_among_rd_late", "patents_per_firm_late", "tech_growth")),)),
    Claim("policy-intermediaries", "Strategic initiatives",
          "S&T intermediaries raise absorption and innovation",
          "intermediaries ... greatly reducing the need for a variety of industrial clusters of information "
          "and knowledge, reducing transaction costs",
          "hsinchu, intermediaries mechanism off vs on.",
          (Setting("hsinchu", (Arm("no_intermediaries", "hsinchu", ("mechanisms.intermediaries=false",)),
                               Arm("intermediaries", "hsinchu")),
                   (Test("intermediaries", "absorption_success_rate_late", +1, abs_negligible=0.005),
                    Test("intermediaries", "patents_per_firm_late", +1, abs_negligible=0.001)),
                   ("absorption_success_rate_late", "patents_per_firm_late", "tech_growth")),)),
    Claim("policy-stage-programme", "Strategic initiatives",
          "A stage-specific programme beats a constant budget split",
          "in its infancy, should be enthusiastic support, funds and infrastructure; in the growth stage ... "
          "a close network system; in the mature stage, upgrading ... rather than scale",
          "hsinchu, the scenario's constant budget split vs the stage programme (split follows the "
          "detected life-cycle stage), same total budget.",
          (Setting("hsinchu", (Arm("constant_split", "hsinchu", ("mechanisms.stage_programme=false",)),
                               Arm("stage_programme", "hsinchu", ("mechanisms.stage_programme=true",))),
                   (Test("stage_programme", "patents_per_firm_late", +1, abs_negligible=0.001),
                    Test("stage_programme", "tech_growth", +1, abs_negligible=0.01)),
                   ("patents_per_firm_late", "tech_growth", "firms_late")),)),
    Claim("lifecycle-path", "Life cycle",
          "Clusters pass budding, growth, maturity and decline",
          "the development of industrial clusters through budding, growth, maturity and decline",
          "hsinchu run for 60 years; the monitor's classify_stage labels every year; a replication shows "
          "the path when the four stages occur in this order. Tested: share of replications with the "
          "full path vs one half (Wilson interval).",
          (Setting("hsinchu, 60 years", (Arm("hsinchu_60y", "hsinchu", years=60),),
                   (Test("hsinchu_60y", "full_path", +1, reference=0.5),), ("full_path", "firms_late"),
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
