"""Own research (step 4a): the paper's *endogenous* innovation, "research and
development through the formation of major technological inventions".

Rule
----
A firm's researchers are what its own-research budget pays,
``N_i = xi_i RD_i / (w_r k_R)`` (``k_R`` the researchers' wage premium). Inventions
arrive as a Poisson process,

``inventions_i ~ Poisson(zeta1 N_i (1 + b_sp S_r) exp(-beta (A_i - A0)))``

so a firm invents with probability ``1 - exp(-rate_i)``; the regional spillover pool
``S_r`` (:mod:`.knowledge`) makes research more productive, and ideas get harder to find
as the firm's technology ``A_i`` advances beyond the economy's starting level ``A0``
(Jones 1995; Bloom, Jones, Van Reenen & Webb 2020: research productivity falls with
the technology it builds on). Because the firms that spend most on R&D are the
technological leaders, patents then rise less than proportionally with R&D across
firms, as in firm panels (Cincera 1997), without a concave form imposed on R&D. An
inventing firm draws one productivity jump ``x = x_inf + (x_sup - x_inf) Beta(a1, b1)``
and adopts it only if it is an improvement, ``A_i += max(x, 0)``. Each invention is an
invention whether or not it raises the firm's own productivity, and is patented with
probability ``pi_pat (ip_floor + (1 - ip_floor) IP_r)``, rising with the
region's IP protection.

Source: Dosi, Fagiolo & Roventini (2010), the K+S model (Poisson innovation, Beta
jumps); Nelson & Winter (1982); fishing out: Jones (1995), Bloom et al. (2020); patent
propensity: Arundel & Kabla (1998).

Parameters (schema names): ``innovation.rd_share_own``, ``researcher_wage_premium``,
``zeta1``, ``fishing_out`` (``beta``), ``spillover_effect``, ``jump_low``, ``jump_high``, ``beta_a``, ``beta_b``,
``patent_propensity``, ``ip_floor``; ``regions.*.ip_strength``.
Switch: ``mechanisms.own_research``.
Records: ``patents_new``, ``patents_cum``, ``patents_per_firm``, ``patents_per_rd``,
``tech_mean``. Random stream: ``own_research`` (one Poisson count per firm doing R&D, one Beta
jump per inventing firm, one uniform per invention for its patent).
"""

from __future__ import annotations

import numpy as np

from innocluster.model.world import World


def patent_probability(world: World) -> np.ndarray:
    """Chance an invention is patented in each region: ``pi_pat (ip_floor + (1 - ip_floor) IP_r)``."""
    inn = world.scenario.innovation
    return inn.patent_propensity * (inn.ip_floor + (1.0 - inn.ip_floor) * world.regions.ip_strength)


def productivity_jumps(world: World, size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` draws of ``x_inf + (x_sup - x_inf) Beta(a1, b1)``."""
    inn = world.scenario.innovation
    return inn.jump_low + (inn.jump_high - inn.jump_low) * rng.beta(inn.beta_a, inn.beta_b, size)


def own_research(world: World, rng: np.random.Generator) -> np.ndarray:
    """Inventions, technology jumps and patents of own research. Returns the rows of the
    firms that invented."""
    f = world.firms
    sc = world.scenario
    inn = sc.innovation
    if not sc.mechanisms.own_research or f.n == 0:
        return np.zeros(0, dtype=np.int64)
    reg = world.regions
    researching = np.flatnonzero(f.rd_active)
    region = f.region[researching]
    researchers = f.xi[researching] * f.rd[researching] / (world.at_firms(reg.wage, region) * inn.researcher_wage_premium)
    harder_to_find = np.exp(-inn.fishing_out * (f.A[researching] - world.A0))
    rate = inn.zeta1 * researchers * (1.0 + inn.spillover_effect * world.at_firms(reg.spillover, region)) * harder_to_find
    inventions = rng.poisson(rate)
    invented = np.flatnonzero(inventions)
    inventing, inventions = researching[invented], inventions[invented]
    f.A[inventing] += np.maximum(productivity_jumps(world, inventing.size, rng), 0.0)
    # each invention is patented with its region's probability: one uniform per invention
    invention_region = np.repeat(region[invented], inventions)
    patented = rng.random(invention_region.size) < world.at_firms(patent_probability(world), invention_region)
    f.patents_new[inventing] += np.add.reduceat(patented, np.cumsum(inventions) - inventions).astype(np.int32)
    return inventing
