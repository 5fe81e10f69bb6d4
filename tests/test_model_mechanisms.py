"""Each mechanism's economic effect, with everything else fixed: same scenario,
same seeds, the mechanism (or parameter) on versus off, over several seeds."""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd
from conftest import small as _small

from innocluster.model import finance
from innocluster.model.costs import average_cost_curve, region_factors
from innocluster.model.engine import ClusterModel, simulate
from innocluster.model.world import YearCounters

SEEDS = (1, 2, 3, 4)
#: The mechanism tests use Hsinchu with a larger cluster (300 of 2,300 initial firms
#: instead of 40), so that the cluster-level means compared below rest on hundreds of
#: firms rather than a dozen at the small sizes the tests run.
TESTBED = ("regions.hsinchu.initial_firms=300",)


def small(name="hsinchu", *overrides):
    return _small(name, *(TESTBED if name == "hsinchu" else ()), *overrides)


def cluster_mean(res, col, region="hsinchu", skip=3):
    ts = res.region(region)
    return float(ts[col].iloc[skip:].mean())


def paired(scenario_on, scenario_off, col, firms=800, years=15, region="hsinchu", skip=3, seeds=SEEDS):
    on = [cluster_mean(simulate(scenario_on, seed=s, years=years, firms=firms), col, region, skip) for s in seeds]
    off = [cluster_mean(simulate(scenario_off, seed=s, years=years, firms=firms), col, region, skip) for s in seeds]
    return np.array(on), np.array(off)


# --------------------------------------------------------------- agglomeration
def _min_ac_gap(sc, seed):
    """min AC outside - min AC inside for the same SME (same A, stage, ties), and both
    curves over the outputs of nine in ten of the simulated SMEs.

    Beyond that the cluster's wage premium (about 24% after eight years here) can
    outweigh agglomeration for the very largest SMEs: at 100 USD million of output the
    curves cross in 2-3 of 24 seeds, with the random stream of either engine version
    (measured 2026-11-27), which is the model's congestion at work, not a fault.
    """
    m = ClusterModel(sc, seed=seed, firms=800)
    for _ in range(8):
        m.step()
    w = m.world
    fac = region_factors(w)
    f = w.firms
    sme = ~f.is_mne
    q90 = np.quantile(f.revenue[sme] / w.price[f.stage[sme]], 0.9)
    Q = np.logspace(-1, np.log10(q90), 40)
    inside = average_cost_curve(w, Q, 0.0, 0, 0, 4.0, fac)
    outside = average_cost_curve(w, Q, 0.0, 0, 1, 4.0, fac)
    return outside.min() - inside.min(), inside, outside


def test_agglomeration_lowers_same_sme_average_cost_inside_cluster():
    # the same base wage, land rent and room as the periphery, and no congestion, so only
    # agglomeration differs: the calibrated park is near its capacity and its labour
    # market is tight, so its congestion rent makes the smallest outputs dearer inside
    # (fixed rent over little revenue) and its congestion wage the largest ones
    same = ("regions.hsinchu.wage=0.01", "regions.hsinchu.land_rent=0.01", "regions.hsinchu.capacity=3000",
            "mechanisms.congestion=false")
    base = small("hsinchu", *same)
    off = small("hsinchu", *same, "mechanisms.agglomeration=false")
    for seed in SEEDS:
        gap_on, inside, outside = _min_ac_gap(base, seed)
        gap_off, *_ = _min_ac_gap(off, seed)
        assert gap_on > 0.02, "inside the cluster the same SME's minimum average cost is lower"
        assert np.all(inside <= outside + 1e-12), "lower at every output level of nine in ten SMEs (Figure 1)"
        assert gap_off < gap_on - 0.02, "switching agglomeration off removes most of the advantage"


def test_figure1_curves_are_u_shaped():
    from innocluster.model.figure1 import cost_curves

    curves, meta = cost_curves(small("hsinchu"), seed=1, burn_in=5, firms=600)
    for _, sub in curves.groupby("where"):
        ac = sub["average_cost"].to_numpy()
        i = int(np.argmin(ac))
        assert 0 < i < ac.size - 1, "average cost falls, then rises (fixed costs, then span of control)"
    assert meta["min_ac_inside"] < meta["min_ac_outside"]


# --------------------------------------------------------------- finance / VC
def test_venture_capital_lowers_constrained_share_and_raises_rd():
    tight = ("finance.prudent_lending=0.95", "finance.cash_share=0.02", "finance.rd_min_project=0.2",
             "regions.hsinchu.vc_pool=200", "regions.hsinchu.vc_inflow=40", "finance.vc_matching=0.8",
             "finance.vc_screen_quantile=0.2", "finance.vc_max_age=30")
    on_sc = small("hsinchu", *tight)
    off_sc = small("hsinchu", *tight, "mechanisms.venture_capital=false")
    # a cluster of about a hundred firms: the share is noisy run by run (VC on is lower in
    # about nine of ten seeds), so the runs are compared as a paired sample of 12 seeds
    on, off = paired(on_sc, off_sc, "constrained_among_rd", seeds=range(1, 13))
    d = on - off
    assert d.mean() / (d.std(ddof=1) / np.sqrt(d.size)) < -2.5, (on, off)
    # the same firms in the same year: VC funds R&D that banks and cash did not
    for seed in SEEDS:
        m = ClusterModel(on_sc, seed=seed, firms=800)
        for _ in range(5):
            m.step()
        funded = {}
        for label, sc in (("on", on_sc), ("off", off_sc)):
            w = copy.deepcopy(m.world)
            w.scenario = sc
            w.counters = YearCounters(w.regions.R)
            rng = np.random.default_rng(seed)
            operating = w.firms.revenue * 0.05
            finance.fund_rd(w, operating, rng)
            funded[label] = (w.firms.rd.sum(), w.firms.credit_constrained.sum())
        assert funded["on"][0] > funded["off"][0], funded
        assert funded["on"][1] < funded["off"][1], funded


# Prudent lending is tested on the Chinese SME baseline, where financing binds
# (calibrated to 78 % of would-be innovators constrained).
def test_prudent_lending_constrains_rd():
    """Same firms, same year, same draws: banks that refuse risky innovation loans leave
    more wanted R&D unfunded; credit guarantees undo part of it.

    Most constrained firms here are held back by collateral, not by refusals, so
    refusals add only a few constrained firms a year (1-5 of about 450 over 12 seeds
    with either random stream since 2026-11-27), and in some seeds none: never fewer
    (per seed), more in total."""
    base = small("china-sme-baseline")
    total = {"lax": 0, "strict": 0}
    for seed in SEEDS:
        m = ClusterModel(base, seed=seed, firms=1500)
        for _ in range(3):
            m.step()
        out = {}
        for label, overrides in (("lax", ["finance.prudent_lending=0.0"]), ("strict", ["finance.prudent_lending=1.0"]),
                                 ("guaranteed", ["finance.prudent_lending=1.0", "finance.guarantee=1.0"])):
            w = copy.deepcopy(m.world)
            w.scenario = small("china-sme-baseline", *overrides)
            w.counters = YearCounters(w.regions.R)
            finance.fund_rd(w, w.firms.revenue * 0.02, np.random.default_rng(seed))
            out[label] = int(w.firms.credit_constrained.sum())
        assert out["lax"] <= out["strict"], out
        assert out["guaranteed"] < out["strict"], out
        total["lax"] += out["lax"]
        total["strict"] += out["strict"]
    assert total["lax"] < total["strict"], total


# --------------------------------------------------------------- intermediaries
def test_intermediaries_raise_imitation_success():
    many = ("regions.hsinchu.intermediaries=200", "government.shares.intermediaries=0.3",
            "government.shares.infrastructure=0.1")
    on, off = paired(small("hsinchu", *many), small("hsinchu", *many, "mechanisms.intermediaries=false"),
                     "absorption_success_rate")
    assert (on > off).all(), (on, off)


# --------------------------------------------------------------- spin-offs
def test_spinoffs_tied_to_parents_with_correlated_technology():
    sc = small("hsinchu", "entry.spinoff_rate=0.1")
    child_A, parent_A, tied = [], [], []
    for seed in SEEDS[:2]:
        m = ClusterModel(sc, seed=seed, firms=800)
        for _ in range(6):
            f = m.world.firms
            before = dict(zip(f.id.tolist(), f.A.tolist()))
            m.step()
            f = m.world.firms
            new = np.flatnonzero((f.founded_year == m.world.year - 1) & (f.parent >= 0))
            indptr, indices = m.world.network.csr(f.n)
            row_of = {fid: i for i, fid in enumerate(f.id.tolist())}
            for i in new:
                p = int(f.parent[i])
                if p in before and p in row_of:
                    child_A.append(f.A[i])
                    parent_A.append(before[p])
                    tied.append(row_of[p] in set(indices[indptr[i]:indptr[i + 1]].tolist()))
    assert len(child_A) > 30
    assert np.corrcoef(child_A, parent_A)[0, 1] > 0.6, "children inherit their parent's technology"
    assert np.mean(tied) > 0.85, "children keep a tie to the parent (a few decay in the birth year)"
    off = simulate(small("hsinchu", "mechanisms.spinoffs=false"), seed=1, years=6, firms=800)
    assert off.timeseries["spinoffs"].sum() == 0
    assert (off.firms["parent"] < 0).all()


def test_better_parents_spawn_more():
    sc = small("hsinchu", "entry.spinoff_rate=0.05", "entry.spinoff_quality=5")
    res = simulate(sc, seed=3, years=10, firms=1500, firm_panel=True)
    panel = res.firm_panel
    # firm-years that could spawn (large enough), their lead over their region's mean that year,
    # and whether a child of theirs appears in the panel the next year
    panel = panel.assign(lead=panel["technology"] - panel.groupby(["region", "year"])["technology"].transform("mean"))
    births = panel.sort_values("year").groupby("firm").first()
    births = births[births["parent"] >= 0]
    spawned = set(zip(births["parent"].astype(int), births["year"].astype(int) - 1))
    eligible = panel[panel["employees"] >= sc.entry.spinoff_min_employees]
    has_child = np.array([(int(f), int(y)) in spawned for f, y in zip(eligible["firm"], eligible["year"])])
    assert has_child.sum() > 30
    assert eligible.loc[has_child, "lead"].mean() > eligible.loc[~has_child, "lead"].mean() + 0.05


# --------------------------------------------------------------- relocation
def test_relocation_moves_firms_in_and_congestion_slows_it():
    base = ("relocation.sample_share=0.2",)
    free = [simulate(small("hsinchu", *base), seed=s, years=10, firms=800).region("hsinchu")["relocations_in"].sum()
            for s in SEEDS]
    congested = [simulate(small("hsinchu", *base, "regions.hsinchu.capacity=20", "regions.hsinchu.land_rent=0.5"),
                          seed=s, years=10, firms=800).region("hsinchu")["relocations_in"].sum() for s in SEEDS]
    off = [simulate(small("hsinchu", *base, "mechanisms.relocation=false"), seed=s, years=10, firms=800)
           .region("hsinchu")["relocations_in"].sum() for s in SEEDS]
    assert min(free) > 0, "an attractive cluster draws firms in"
    assert np.mean(congested) < 0.5 * np.mean(free), "congestion slows the inflow"
    assert sum(off) == 0


def test_firms_move_only_when_it_pays():
    """The move rule: expected profit in the cluster net of the moving cost must exceed
    profit where the firm is; a prohibitive moving cost stops every move."""
    base = ("relocation.sample_share=0.3",)
    costly = [simulate(small("hsinchu", *base, "relocation.moving_cost=10000"), seed=s, years=8, firms=800)
              .region("hsinchu")["relocations_in"].sum() for s in SEEDS]
    assert sum(costly) == 0
    valued = [simulate(small("hsinchu", *base, "relocation.spillover_value=5"), seed=s, years=8, firms=800)
              .region("hsinchu")["relocations_in"].sum() for s in SEEDS]
    plain = [simulate(small("hsinchu", *base, "relocation.spillover_value=0"), seed=s, years=8, firms=800)
             .region("hsinchu")["relocations_in"].sum() for s in SEEDS]
    assert np.mean(valued) > np.mean(plain), "a larger value of the cluster's knowledge pool draws more firms in"


# --------------------------------------------------------------- direct intervention
def test_poor_selection_accuracy_keeps_weak_firms_alive():
    heavy = ("government.shares.direct_subsidy=0.6", "government.shares.infrastructure=0.1",
             "government.shares.training=0.05", "government.shares.seed_enterprises=0.0",
             "government.shares.information=0.05",
             "government.shares.guiding_fund=0.05", "government.shares.intermediaries=0.05",
             "government.shares.research_institute=0.05",
             "regions.hsinchu.budget=200", "government.subsidised_share=0.2")
    poor, good = paired(small("hsinchu", *heavy, "government.selection_accuracy=0.0"),
                        small("hsinchu", *heavy, "government.selection_accuracy=1.0"), "zombie_share")
    assert (poor > good).all(), (poor, good)
    # weak firms live longer: the yearly exit rate of the region's least productive
    # quarter of firms is lower when subsidies are handed out without selection. With a
    # fifth of firms subsidised that gap is about 1.6 standard errors over 24 seeds and
    # the first four seeds can show the reverse (they did after the stream changed on
    # 2026-11-27); with half of them subsidised it is about 4.5 standard errors over 12
    # seeds, lower in 11 of them: the exits are compared there, over eight seeds
    heavier = (*heavy, "government.subsidised_share=0.5")

    def weak_exit_rate(acc, seed):
        res = simulate(small("hsinchu", *heavier, f"government.selection_accuracy={acc}"), seed=seed, years=15,
                       firms=800, firm_panel=True)
        p = res.firm_panel
        p = p[p["region"] == "hsinchu"]
        q25 = p.groupby("year")["technology"].transform(lambda a: a.quantile(0.25))
        weak = p[p["technology"] <= q25]
        return weak["exited"].mean()
    poor_exit = np.mean([weak_exit_rate(0.0, s) for s in range(1, 9)])
    good_exit = np.mean([weak_exit_rate(1.0, s) for s in range(1, 9)])
    assert poor_exit < good_exit, (poor_exit, good_exit)


# --------------------------------------------------------------- IP protection
def test_stronger_ip_raises_patent_propensity():
    weak, strong = paired(small("hsinchu", "regions.hsinchu.ip_strength=0.05", "government.shares.ip_protection=0"),
                          small("hsinchu", "regions.hsinchu.ip_strength=0.95", "government.shares.ip_protection=0"),
                          "patents_per_rd")
    assert (strong > weak).all(), (strong, weak)


# --------------------------------------------------------------- innovation channels
def test_own_research_and_absorption_raise_technology():
    full, none = paired(small("hsinchu"), small("hsinchu", "mechanisms.own_research=false",
                                                "mechanisms.absorption=false"), "tech_mean")
    assert (full > none).all()
    res = simulate(small("hsinchu", "mechanisms.own_research=false", "mechanisms.absorption=false"), seed=1,
                   years=10, firms=600)
    assert res.timeseries["patents_new"].sum() == 0, "no research, no patents"


def test_diffusion_between_clusters_weaker_than_within():
    """With between-cluster diffusion switched to zero the periphery learns less from the cluster.

    Network learning at ten times the default rate: at the default (3% of the gap a
    year) the periphery gains about 0.004 log points over 15 years, below the
    seed-to-seed noise of four runs (measured on 12-16 seeds, 2026-11-27); at 30% it
    gains about 0.03, in every seed.
    """
    # catch-up to the economy-wide frontier (catchup.py) would close the periphery's gap whatever the
    # ties, and productivity shocks (shocks.py) add noise of the size of the effect
    fast = ("regions.periphery.external_links=0.5", "diffusion.network_rate=0.3", "mechanisms.frontier_catchup=false",
            "mechanisms.productivity_shocks=false")
    strong, weak = paired(small("hsinchu", "diffusion.between_clusters=1.0", *fast),
                          small("hsinchu", "diffusion.between_clusters=0.0", *fast),
                          "tech_mean", region="periphery")
    assert (strong > weak).all(), (strong, weak)


def test_mne_inflow_links_suppliers_and_helps_upgrading():
    on = simulate(small("hsinchu", "relocation.mne_rate=3"), seed=1, years=12, firms=800)
    assert on.region("hsinchu")["mne_arrivals"].sum() > 0
    assert on.firms["is_mne"].any()
    up_on, up_off = paired(small("hsinchu", "relocation.mne_rate=3", "upgrading.mne_link_boost=5"),
                           small("hsinchu", "relocation.mne_rate=3", "upgrading.mne_link_boost=0"), "upgrades")
    assert up_on.mean() > up_off.mean()


def test_stage_programme_follows_detected_stage():
    res = simulate(small("hsinchu", "mechanisms.stage_programme=true"), seed=1, years=20, firms=600)
    ts = res.region("hsinchu")
    assert ts["lifecycle_stage"].isin(["budding", "growth", "maturity", "decline"]).all()
    # the budget split changes with the stage: spending on seed enterprises (budding/decline)
    # and on the research institute (maturity/decline) is not constant
    assert ts["gov_spend_research_institute"].nunique() > 1 or ts["gov_spend_seed_enterprises"].nunique() > 1


# ------------------------------------------------------- validity: the new rules
def _pooled_elasticity(scenario, seeds=(1, 2, 3), firms=1500, years=20):
    from innocluster.indicators.innovation import patent_rd_elasticity

    panels = []
    for s in seeds:
        p = simulate(scenario, seed=s, years=years, firms=firms, firm_panel=True).firm_panel
        panels.append(p.assign(firm=p["firm"] + 10_000_000 * s))
    p = pd.concat(panels, ignore_index=True)
    return patent_rd_elasticity(p[p["rd"] > 0]).elasticity


def test_ideas_harder_to_find_make_patents_rise_less_than_r_and_d():
    """Fishing out (research productivity falling with the firm's technology) bends the
    patent-R&D relation below proportionality: same seeds, beta 1 against beta 0. It
    must not stop invention: patents keep coming."""
    on = small("hsinchu", "innovation.fishing_out=1.0")
    off = small("hsinchu", "innovation.fishing_out=0.0")
    e_on, e_off = _pooled_elasticity(on), _pooled_elasticity(off)
    assert e_on < e_off - 0.05, (e_on, e_off)
    res = simulate(on, seed=1, years=20, firms=1500)
    assert res.timeseries.groupby("year")["patents_new"].sum().iloc[-5:].min() > 0


def test_fishing_out_slows_technology_growth_and_the_institute():
    """The same seeds with and without fishing out: technology and the research
    institute's knowledge grow more slowly with it, and still grow."""
    # exit off in both arms, so that selection does not change whose technology is averaged; an
    # invention rate low enough that firms do not invent every year in both arms (at the calibrated
    # rate a park firm's chance of an invention a year is close to 1 with or without fishing out)
    still = ("mechanisms.exit=false", "innovation.zeta1=0.5")
    on, off = paired(small("hsinchu", "innovation.fishing_out=1.0", *still),
                     small("hsinchu", "innovation.fishing_out=0.0", *still), "tech_mean", seeds=(1, 2))
    assert (on < off).all() and (on > 0).all()
    inst = {}
    for b in (0.0, 1.0):
        m = ClusterModel(small("hsinchu", f"innovation.fishing_out={b}"), seed=1, firms=800)
        for _ in range(20):
            m.step()
        inst[b] = float(m.world.regions.institute[0])
    start = small("hsinchu").regions[0].institute_level
    assert start < inst[1.0] < inst[0.0]


def test_a_producing_firm_employs_at_least_its_owner():
    """No firm-year below one employee with the floor; without it, small firms fall below."""
    for floor, expect_below in ((1.0, False), (0.0, True)):
        p = simulate(small("hsinchu", f"costs.min_employees={floor}", "costs.fixed_cost=0.01"), seed=1, years=25,
                     firms=1500, firm_panel=True).firm_panel
        below = (p.loc[p["year"] > p["founded"], "employees"] < 1.0).mean()
        assert (below > 0) == expect_below, (floor, below)
