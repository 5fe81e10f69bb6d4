"""Market: demand per GVC stage and replicator dynamics of market shares.

``D_s(t) = D_s(0) (1 + g_s)^t``. Competitiveness ``E_i = A_i - log c_i`` with ``c_i``
last year's average cost per USD of output. Shares follow the replicator equation
``f_i <- f_i (1 + chi (E_i - Ebar_s))`` (Dosi et al. 2010, K+S model), times a
log-normal demand shock, renormalised within the stage; revenue ``R_i = f_i D_s``
and exports ``X_i = x_r R_i``. Stages may pass productivity gains on as lower output
prices (:func:`stage_prices`), so physical output is ``Q_i = R_i / p_s``.
"""

from __future__ import annotations

import numpy as np

from innocluster.model import kernels
from innocluster.model.world import World


def stage_sums(values: np.ndarray, stage: np.ndarray, S: int) -> np.ndarray:
    """Sum of ``values`` per GVC stage."""
    return kernels.group_sum(stage, values, S)


def replicator_shares(world: World, rng: np.random.Generator) -> None:
    """Update market shares ``f_i`` in place (step 1)."""
    f = world.firms
    if f.n == 0:
        return
    sc = world.scenario
    S = world.S
    if not sc.mechanisms.market:
        kernels.normalise_within(f.share, f.stage, S, f.share)
        return
    # E_i = A_i - log c_i; f_i (1 + chi (E_i - Ebar_s)) times the log-normal demand shock,
    # renormalised within the stage: one compiled call (kernels.replicator); the shock's
    # normals and the exponentials and logarithm stay NumPy's
    if sc.market.replication_noise > 0:
        shock = kernels.normal(rng, 0.0, sc.market.replication_noise, f.n)
        factor = np.exp(shock, out=shock)
    else:
        factor = np.zeros(0)
    log_cost = np.maximum(f.unit_cost, 1e-9)
    kernels.replicator(f.share, f.A, np.log(log_cost, out=log_cost), f.stage, S, sc.market.chi, factor, f.share)


def stage_technology(world: World) -> np.ndarray:
    """Share-weighted mean technology of each GVC stage."""
    f = world.firms
    tot = stage_sums(f.share, f.stage, world.S)
    return stage_sums(f.share * f.A, f.stage, world.S) / np.maximum(tot, 1e-300)


def stage_prices(world: World) -> None:
    """Output price of each stage relative to t = 0.

    ``p_s(t) = exp(-pi_s (Abar_s(t) - Abar_s(0)))``: a share ``pi_s`` of the stage's
    productivity gains is passed on to buyers as lower prices. Near 1 in commodity
    stages, where competition on cost hands the gains to lead firms and consumers
    ("immiserising growth", Kaplinsky 2000); 0 (the default) keeps prices fixed.
    """
    pt = world.price_pass_through
    if not np.any(pt):
        return
    A = stage_technology(world)
    empty = kernels.group_count(world.firms.stage, world.S) == 0
    world.price = np.where(empty, world.price, np.exp(-pt * (A - world.stage_A0)))


def revenues(world: World) -> None:
    """Revenue and exports from shares and stage demand."""
    f = world.firms
    kernels.stage_revenues(f.share, world.demand(), f.stage, world.regions.export_share, f.region, f.revenue,
                           f.exports)


def entrant_share(world: World, stage: np.ndarray) -> np.ndarray:
    """Initial (pre-normalisation) share of entrants: a fraction of the stage's mean share."""
    return kernels.entrant_shares(world.firms.stage, world.S, np.asarray(stage, dtype=np.int64),
                                  world.scenario.market.entrant_share)
