"""New firms: the traits every entrant draws and how it joins the firm table.

Used by the initial population (:mod:`.initial`), start-ups (:mod:`.startups`),
spin-offs (:mod:`.spinoffs`) and MNE subsidiaries (:mod:`.mne_inflow`); the draws come
from the stream of the mechanism that creates the firms.

Rule
----
An entrant in region ``r``

* has an R&D unit with probability ``rd_unit_share_r`` (the paper: 25% of China's SMEs
  have R&D institutions); without one it still does informal R&D with probability
  ``informal_rd_share`` (30% do R&D);
* wants R&D intensity ``rho exp(s z0 - s^2 / 2)`` with a unit, ``informal_rd_intensity``
  times that for informal R&D, 0 otherwise (:func:`.capabilities.wanted_intensity`);
* has absorptive capacity ``alpha = clip(alpha_r + alpha_sd z1, 0, 1)`` and own-research
  share ``xi = clip(xi_own + xi_sd z2, 0, 1)``;
* draws its first passing productivity shock from the stationary distribution of
  :mod:`.shocks` (:func:`.shocks.entry_luck`), added to its technology unless the
  creating mechanism says the luck is already in it (the initial population) or
  imposes the shock (a spin-off inherits its parent's);
* enters with a share ``entrant_share / n_s`` of its stage (:func:`.market.entrant_share`)
  times a log-normal size of mean one, ``exp(s_e z - s_e^2 / 2)``
  (:func:`.market.entry_size`: entrants differ widely in size, and the small ones fail
  first), founder capital as net worth and capital, and unit cost ``entrant_unit_cost`` (no
  sales yet: the cost its first year's competitiveness reads).

A mechanism may impose the R&D unit (an MNE has one, a spin-off may inherit its
parent's): the intensity then follows the imposed unit by the same rule (a unit's
drawn intensity with one; without one, the informal share of it or 0 by the firm's own
informal-R&D draw).

Parameters (schema names): ``regions.*.rd_unit_share``, ``regions.*.alpha_mean``,
``finance.informal_rd_share``, ``informal_rd_intensity``, ``rd_intensity``,
``rd_intensity_sd``; ``innovation.alpha_sd``, ``rd_share_own``, ``rd_share_own_sd``;
``market.entrant_share``, ``market.entrant_size_sd``, ``market.entrant_unit_cost``;
``innovation.productivity_shock_sd``, ``productivity_shock_persistence``.
"""

from __future__ import annotations

import numpy as np

from innocluster.model import nascent
from innocluster.model.capabilities import wanted_intensity
from innocluster.model.market import entrant_share, entry_size
from innocluster.model.shocks import entry_luck
from innocluster.model.world import World


def traits(world: World, region: np.ndarray, rng: np.random.Generator, has_rd_unit=None) -> dict:
    """R&D unit, wanted R&D intensity, absorptive capacity and R&D split of entrants
    in ``region`` (the rule above); ``has_rd_unit`` imposes the R&D unit."""
    sc = world.scenario
    fin, inn, reg = sc.finance, sc.innovation, world.regions
    k = region.size
    u_unit, u_informal = rng.random((2, k))
    z_intensity, z_alpha, z_xi, z_luck, z_size = rng.standard_normal((5, k))
    has_unit = u_unit < reg.rd_unit_share[region] if has_rd_unit is None else np.broadcast_to(has_rd_unit, k)
    informal = u_informal < fin.informal_rd_share
    share_of_unit = np.where(has_unit, 1.0, np.where(informal, fin.informal_rd_intensity, 0.0))
    intensity = wanted_intensity(world, z_intensity) * share_of_unit
    alpha = np.clip(reg.alpha_mean[region] + inn.alpha_sd * z_alpha, 0.0, 1.0)
    xi = np.clip(inn.rd_share_own + inn.rd_share_own_sd * z_xi, 0.0, 1.0)
    return {"has_rd_unit": has_unit, "rd_intensity": intensity, "alpha": alpha, "xi": xi,
            "shock": entry_luck(world, z_luck), "size": entry_size(world, z_size)}


def add_firms(world: World, rng: np.random.Generator, *, region, stage, A, x, y, employees, net_worth,
              share_multiplier: float = 1.0, luck_in_technology: bool = False, planned_ties=None,
              **columns) -> np.ndarray:
    """Append firms with drawn traits, founder capital and entrant market shares.
    ``columns`` set other columns (``parent``, ``is_mne`` ...) or impose traits
    (``has_rd_unit``: the intensity follows it; ``shock``: the passing shock, already
    part of ``A``; the rule above). The drawn first shock is added to ``A`` unless
    ``luck_in_technology`` says ``A`` already holds it.

    With ``planned_ties`` (the trust ties each entrant will have, 0 for none) the
    founders first price their plans (:mod:`.nascent`) and those whose plan does not
    pay give up; without it (the initial population) every firm is added.

    Returns
    -------
    rows : int array, one per would-be entrant
        The new firms' rows, -1 for a founder who gave up. Every trait is drawn for
        every would-be entrant, so the draws do not depend on who gives up (common
        random numbers)."""
    region = np.asarray(region, dtype=np.int64)
    k = region.size
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    imposed = columns.pop("has_rd_unit", None)
    drawn = traits(world, region, rng, None if imposed is None else np.asarray(imposed, dtype=bool))
    size = drawn.pop("size")
    if "shock" in columns:
        drawn.pop("shock")
    elif not luck_in_technology:
        A = A + drawn["shock"]
    stage = np.asarray(stage, dtype=np.int64)
    values = {"region": region, "stage": stage, "A": A, "x": x, "y": y, "employees": employees,
              "net_worth": net_worth, "capital": net_worth, "share": entrant_share(world, stage) * share_multiplier * size,
              "founded_year": world.year, "unit_cost": world.scenario.market.entrant_unit_cost, **drawn}
    values.update(columns)
    if planned_ties is None:
        return world.firms.append(k, **values)
    # an MNE subsidiary's plan is its parent's, priced without a founder's optimism
    optimism = 1.0 if columns.get("is_mne", False) else world.scenario.entry.founder_optimism
    started = nascent.starts(world, region=region, stage=stage, technology=values["A"], share=values["share"],
                             degree=np.broadcast_to(np.asarray(planned_ties, dtype=float), k), optimism=optimism)
    if started.all():  # the rule off, or every plan pays
        return world.firms.append(k, **values)
    rows = np.full(k, -1, dtype=np.int64)
    if started.any():
        per_entrant = {name: (v[started] if isinstance(v, np.ndarray) and v.shape[:1] == (k,) else v)
                       for name, v in values.items()}
        rows[started] = world.firms.append(int(started.sum()), **per_entrant)
    return rows
