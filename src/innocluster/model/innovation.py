"""Innovation: endogenous (own research) and graft-type (digestion, absorption and
re-creation) innovation, research institutes, absorptive capacity.

Own research (Dosi et al. 2010, K+S model; Nelson & Winter 1982). Researchers
``N_in = xi RD / (w_r * premium)``; inventions arrive as a Poisson process with rate
``zeta1 N_in (1 + b_sp S_r)``, so a firm innovates with probability
``1 - exp(-zeta1 N_in (1 + b_sp S_r))`` (DESIGN.md). A success draws a productivity
jump ``x = x_inf + (x_sup - x_inf) Beta(a1, b1)`` and keeps it only if ``x > 0``.
Each invention is patented with probability ``pi_pat (ip_floor + (1 - ip_floor) IP_r)``.

Absorption (the paper's "graft-type" innovation). ``N_im = (1 - xi) RD / (w_r premium)``
succeeds with probability ``1 - exp(-zeta2 N_im alpha_i access_i)``,
``access_i = 1 + d_int M_r/(M_r + M_half) + d_tie deg_i/k_ref + d_info info_r``. The
source is drawn among candidates — tied firms, same-region firms, rarely firms of
other regions, and the regional research institute — with weight
``exp(-dist/lambda_geo) / (1 + |A_j - A_i|)`` among better sources (closer in space
and technology is easier to learn from; Cohen & Levinthal 1990), and the firm closes
``eta`` of the gap. Re-creation follows with probability ``p_re``: one more
incremental draw, patentable.

The spillover pool ``S_r = s_n log(1 + loc_r n_r) + s_inst max(0, K_inst - Abar_r)``
grows with the number of local firms and the research institute's lead. Absorptive
capacity ``alpha_i += k_rd RD_i/R_i + k_tr training_r - d_alpha alpha_i``, clipped
to ``[0, 1]``.
"""

from __future__ import annotations

import numpy as np

from innocluster.model import kernels
from innocluster.model.world import World

N_CANDIDATES = 6


def spillover_pool(world: World) -> np.ndarray:
    """S_r from the number of local firms and the research institute's lead."""
    reg = world.regions
    inn = world.scenario.innovation
    counts = world.region_counts()
    # scale-free: density enters per simulated "firm of the original scenario"
    S = inn.spill_density * np.log1p(reg.localisation * counts / world.scale)
    if world.scenario.mechanisms.research_institutes:  # the firms' mean technology only for this
        Abar = world.region_mean_technology(counts)
        S = S + inn.spill_institute * np.maximum(0.0, reg.institute - Abar)
    reg.spillover = S
    return S


def _jump(rng, k, inn) -> np.ndarray:
    """``k`` productivity jumps ``x_inf + (x_sup - x_inf) Beta(a1, b1)`` (NumPy's Beta
    draws; compiled on the engine's generator, :func:`kernels.beta`)."""
    return kernels.beta(rng, inn.beta_a, inn.beta_b, k, inn.jump_low, inn.jump_high)


def _patent_probability(world: World) -> np.ndarray:
    inn = world.scenario.innovation
    return inn.patent_propensity * (inn.ip_floor + (1.0 - inn.ip_floor) * world.regions.ip_strength)


def own_research(world: World, rng: np.random.Generator) -> np.ndarray:
    """Endogenous innovation (step 4a). Returns the number of inventions per firm."""
    f = world.firms
    sc = world.scenario
    inn = sc.innovation
    n = f.n
    if not sc.mechanisms.own_research or n == 0:
        return np.zeros(n, dtype=np.int64)
    # each firm's own split of R&D (xi_i) pays its researchers
    rate = kernels.invention_rate(f.xi, f.rd, f.region, world.regions.wage, inn.researcher_wage_premium, inn.zeta1,
                                  inn.spillover_effect, world.regions.spillover)
    # Poisson counts by inversion, one uniform per firm (kernels.poisson_events); the Beta jump and
    # the binomial patents are NumPy calls on the inventing firms
    inventions, success = kernels.poisson_events(rng, rate)  # counts, and the rows of positive ones
    # adopt the jump only if better; each invention is patented with the region's
    # probability: one binomial count per inventing firm (one uniform per invention
    # costs more where firms invent by the hundred)
    p_patent = _patent_probability(world)
    trials, p = kernels.adopt_inventions(f.A, success, _jump(rng, success.size, inn), inventions, f.region,
                                         p_patent)
    if p_patent.size == 1:  # one region: one probability (NumPy draws the same counts, faster)
        p = float(p_patent[0])
    kernels.add_counts(f.patents_new, success, rng.binomial(trials, p))
    return inventions


def absorption(world: World, degree: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Graft-type innovation (step 4b). Returns a boolean array of successes.

    ``degree`` is every firm's number of ties now (``world.network.degree(n)``); the
    neighbour lists are built from it (a degree that does not match the ties raises).
    """
    f = world.firms
    if np.shape(degree) != (f.n,):
        raise ValueError(f"absorption: {np.size(degree)} degrees for {f.n} firms")
    sc = world.scenario
    inn = sc.innovation
    mech = sc.mechanisms
    reg = world.regions
    ctr = world.counters
    n = f.n
    success = np.zeros(n, dtype=bool)
    if not mech.absorption or n == 0:
        return success
    if mech.intermediaries:
        M = reg.intermediaries
        extra_access = inn.intermediary_access * (M / (M + sc.costs.intermediaries_half * world.scale))
    else:
        extra_access = np.zeros(reg.R)
    exponent, trying = kernels.absorption_exponent(
        f.xi, f.rd, f.alpha, degree, f.region, reg.wage, inn.researcher_wage_premium, inn.tie_access,
        sc.costs.ties_ref, inn.information_access, reg.information, extra_access, inn.zeta2)
    # one uniform per firm against 1 - exp(-zeta2 N_im alpha access) where N_im > 0 (NumPy's
    # vectorised exp: a fraction of the C library's per value)
    p_success = np.subtract(1.0, np.exp(exponent, out=exponent), out=exponent)
    idx, attempts = kernels.absorbing_firms(kernels.uniform(rng, n), p_success, trying, f.region, reg.R)
    ctr.absorption_attempts += attempts
    if idx.size == 0:
        return success
    k = idx.size
    C = N_CANDIDATES
    # candidate sources (ties, same-region firms, other regions, the research institute)
    # and the choice among them, compiled (kernels.absorption_sources), on uniforms drawn
    # in one call: per firm one per candidate slot (its kind and, within the kind, the
    # firm), the institute switch, the pick
    inst = mech.research_institutes
    src, A_target, has_target = kernels.absorption_sources(
        kernels.uniform(rng, k * (C + 2)), idx, C, f.region, reg.R, world.network.keys, degree, f.x, f.y, f.A,
        inn.external_search, inn.geo_decay, reg.institute if inst else np.zeros(0), inn.institute_collaboration)
    # every firm with a source closes eta of its gap, from this year's technologies before
    # absorption; re-creation follows with probability p_re (one uniform per absorber)
    successes, ridx = kernels.catch_up(f.A, idx, A_target, has_target, inn.catch_up, f.region, reg.R,
                                       kernels.uniform(rng, k), inn.recreation)
    ctr.absorption_successes += successes
    success[idx[has_target]] = True
    # re-creation: an incremental own improvement on what was absorbed, patentable; a
    # successful collaboration can create a trust tie to the source firm (kernels.recreate)
    jump = _jump(rng, ridx.size, inn)
    u_patent = kernels.uniform(rng, ridx.size)
    world.network.add(*kernels.recreate(f.A, f.patents_new, ridx, jump, u_patent, _patent_probability(world),
                                        f.region, idx, src, has_target, kernels.uniform(rng, k), inn.tie_from_collaboration))
    return success


def absorptive_capacity(world: World, rng: np.random.Generator) -> None:
    """Update alpha and R&D-unit adoption (step 4c)."""
    f = world.firms
    inn = world.scenario.innovation
    reg = world.regions
    if f.n == 0:
        return
    # SMEs set up R&D units over time; training makes it likelier (one uniform per firm,
    # in the compiled pass that updates alpha)
    p = inn.rd_unit_adoption * (1.0 + 10.0 * reg.training)
    adopt = kernels.update_absorptive_capacity(f.alpha, f.rd, f.revenue, f.region, reg.training, inn.alpha_rd,
                                               inn.alpha_training, inn.alpha_decay, kernels.uniform(rng, f.n), p,
                                               f.has_rd_unit)
    if adopt.size:
        fin = world.scenario.finance
        f.rd_intensity[adopt] = (fin.rd_intensity * np.exp(
            rng.normal(-0.5 * fin.rd_intensity_sd**2, fin.rd_intensity_sd, adopt.size))).astype(np.float32)


def institutes(world: World) -> None:
    """Research institutes' knowledge grows at their own rate (ITRI, IISc)."""
    reg = world.regions
    if world.scenario.mechanisms.research_institutes:
        reg.institute = reg.institute + reg.institute_growth
