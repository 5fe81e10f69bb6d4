"""Market (step 1): demand per GVC stage and replicator dynamics of market shares.

Rule
----
Demand ``D_s(t) = D_s(0) (1 + g_s)^t``. Competitiveness ``E_i = A_i - log c_i`` with
``c_i`` last year's average cost per USD of output. Shares follow the replicator
equation times a log-normal demand shock ``e_i ~ N(0, sigma_D)``, renormalised within
the stage::

    f_i <- f_i max(0, 1 + chi (E_i - Ebar_s)) exp(e_i) / sum_{j in s}(...)

with ``Ebar_s`` the share-weighted mean competitiveness of stage ``s``. Revenue
``R_i = f_i D_s``, exports ``X_i = x_r R_i``. Stages may pass productivity gains on as
lower output prices (:func:`stage_prices`), so physical output is ``q_i = R_i / p_s``.

Source: Dosi, Fagiolo & Roventini (2010), the K+S model's replicator; Metcalfe (1994);
price pass-through: Nordhaus (2004), Kaplinsky (2000).

Parameters (schema names): ``market.chi``, ``market.replication_noise``,
``market.demand_scale``, ``market.entrant_share``, ``market.entrant_size_sd``, ``stages.*.demand``,
``stages.*.demand_growth``, ``stages.*.price_pass_through``, ``regions.*.export_share``.

Records: ``revenue``, ``exports`` per firm (region totals in the time series).
Random stream: ``market`` (one normal per firm: the demand shock).
"""

from __future__ import annotations

import numpy as np

from innocluster.model.compiled import fast, twin
from innocluster.model.world import World, group_count, group_sum


def stage_sums(values: np.ndarray, stage: np.ndarray, S: int) -> np.ndarray:
    """Sum of ``values`` per GVC stage."""
    return fast(group_sum)(group=stage, values=values, G=S)


def replicator_shares(world: World, rng: np.random.Generator) -> None:
    """Update market shares ``f_i`` in place (the rule above)."""
    f = world.firms
    sc = world.scenario
    if f.n == 0:
        return
    if sc.mechanisms.market:
        noise = sc.market.replication_noise
        shock = np.exp(noise * rng.standard_normal(f.n)) if noise > 0 else np.ones(f.n)
        chi = sc.market.chi
    else:  # shares stay as they are (renormalised)
        shock, chi = np.ones(f.n), 0.0
    f.share = fast(replicator)(share=f.share, competitiveness=f.A - np.log(np.maximum(f.unit_cost, 1e-9)),
                               stage=f.stage, S=world.S, chi=chi, shock=shock)


def replicator(*, share, competitiveness, stage, S, chi, shock):
    """The replicator rule on arrays: new shares from ``share``, ``competitiveness``
    ``E_i``, GVC ``stage`` (of ``S``), selection strength ``chi`` and demand shock
    factors ``exp(e_i)``."""
    total = np.bincount(stage, weights=share, minlength=S)
    mean_competitiveness = np.bincount(stage, weights=share * competitiveness, minlength=S) / np.maximum(total, 1e-300)
    grown = share * np.maximum(0.0, 1.0 + chi * (competitiveness - mean_competitiveness[stage])) * shock
    return grown / np.maximum(np.bincount(stage, weights=grown, minlength=S), 1e-300)[stage]


@twin(replicator)
def _replicator_compiled(*, share, competitiveness, stage, S, chi, shock):
    total = np.zeros(S)
    weighted = np.zeros(S)
    for i in range(share.size):
        total[stage[i]] += share[i]
        weighted[stage[i]] += share[i] * competitiveness[i]
    mean = weighted / np.maximum(total, 1e-300)
    grown = np.empty(share.size)
    new_total = np.zeros(S)
    for i in range(share.size):
        grown[i] = share[i] * max(0.0, 1.0 + chi * (competitiveness[i] - mean[stage[i]])) * shock[i]
        new_total[stage[i]] += grown[i]
    for i in range(share.size):
        grown[i] /= max(new_total[stage[i]], 1e-300)
    return grown


def stage_technology(world: World) -> np.ndarray:
    """Share-weighted mean technology of each GVC stage (NaN for a stage without firms)."""
    f = world.firms
    total = stage_sums(f.share, f.stage, world.S)
    return np.where(total > 0, stage_sums(f.share * f.A, f.stage, world.S) / np.maximum(total, 1e-300), np.nan)


def stage_prices(world: World) -> None:
    """Output price of each stage relative to t = 0.

    ``p_s(t) = exp(-pi_s (Abar_s(t) - Abar_s(0)))``: a share ``pi_s`` of the stage's
    productivity gains is passed on to buyers as lower prices. 1 (the default) is the
    competitive norm: producers capture about 2% of the social returns to their
    innovations (Nordhaus 2004, NBER WP 10433), so a firm at the stage's mean technology
    keeps its margin and one that falls behind loses it at any age (Hopenhayn 1992;
    Melitz 2003; Klepper 1996); in commodity stages it is Kaplinsky's (2000)
    "immiserising growth". 0 keeps prices fixed: a stage whose lead firms keep the
    rents. Wages follow revenue productivity (:mod:`.costs`), so the gains are not also
    paid out as higher wages.
    """
    pass_through = world.price_pass_through
    if not np.any(pass_through):
        return
    A = stage_technology(world)
    occupied = ~np.isnan(A)  # firms with a share in the stage
    # a stage that was empty at t = 0 takes its base when its first firms arrive (price 1)
    new = occupied & np.isnan(world.stage_A0)
    world.stage_A0[new] = A[new]
    world.price = np.where(occupied, np.exp(-pass_through * (A - np.nan_to_num(world.stage_A0))), world.price)


def revenues(world: World) -> None:
    """Revenue ``R_i = f_i D_s`` and exports ``X_i = x_r R_i``."""
    f = world.firms
    f.revenue = f.share * world.demand()[f.stage]
    f.exports = world.at_firms(world.regions.export_share) * f.revenue


def entry_size(world: World, z: np.ndarray) -> np.ndarray:
    """Entrants' size multipliers from standard normals ``z``: log-normal with mean one,
    ``exp(s_e z - s_e^2 / 2)``, ``s_e = market.entrant_size_sd``.

    Entrants differ widely in size from the start, their size distribution strongly
    right-skewed (Cabral & Mata 2003, *American Economic Review* 93: young cohorts are
    skewed even in logs; the log-normal here is an approximation that understates that
    skew), and survival rises with size
    at entry: a small entrant carries its fixed costs on little revenue (Mata &
    Portugal 1994, *Journal of Industrial Economics* 42; Audretsch & Mahmood 1995;
    Geroski 1995, *International Journal of Industrial Organization* 13, stylised
    results 3-4). With the learning exit (:mod:`.learning`) this makes the exit hazard
    highest in a cohort's first years."""
    s = world.scenario.market.entrant_size_sd
    return np.exp(s * z - 0.5 * s * s)


def entrant_share(world: World, stage: np.ndarray) -> np.ndarray:
    """Initial (pre-renormalisation) share of entrants into ``stage``:
    ``market.entrant_share`` times the stage's mean share ``1 / n_s``."""
    counts = fast(group_count)(group=world.firms.stage, G=world.S)
    return world.scenario.market.entrant_share / np.maximum(counts[np.asarray(stage, dtype=np.int64)], 1)
