"""Figure 1 of the paper from the model's own cost functions.

The same SME — same technology, same GVC stage, same number of trust ties it would
have locally — is priced with the periphery's and with the cluster's regional cost
factors (wages, supplier base, infrastructure, intermediaries, congestion rent) after
``burn_in`` simulated years, over a grid of outputs:
``AC(Q) = (w L(Q) + m(Q) + T(Q) + F + rent) / Q`` (:func:`innocluster.model.costs.average_cost_curve`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from innocluster.errors import InputError
from innocluster.model.costs import average_cost_curve, region_factors
from innocluster.model.engine import ClusterModel
from innocluster.scenario.schema import Scenario


def cost_curves(scenario: Scenario, seed: int | None = None, burn_in: int = 10, firms: int | None = None,
                cluster: str | None = None, n_points: int = 60,
                progress: Callable[[int], object] | None = None) -> tuple[pd.DataFrame, dict]:
    """Average-cost curves of one representative SME outside and inside a cluster.

    ``progress``, when given, is called with 1 after each burn-in year.

    Returns
    -------
    curves : DataFrame
        Columns ``where`` ("outside the cluster (<periphery>)" / "inside the cluster (<name>)"),
        ``output`` (USD million), ``average_cost`` (per USD of output).
    meta : dict
        The SME's technology, stage and ties, the regions and the burn-in.
    """
    model = ClusterModel(scenario, seed=seed, firms=firms)
    for _ in range(max(0, burn_in)):
        model.step()
        if progress is not None:
            progress(1)
    w = model.world
    reg = w.regions
    names = reg.names
    clusters = [i for i in range(reg.R) if reg.is_cluster[i]]
    outside = [i for i in range(reg.R) if not reg.is_cluster[i]]
    if not clusters or not outside:
        raise InputError(f"scenario {scenario.name!r}: Figure 1 needs one cluster and one periphery region")
    if cluster is not None:
        if cluster not in names or not reg.is_cluster[names.index(cluster)]:
            raise InputError(f"cluster {cluster!r}: not a cluster region of {scenario.name!r}; have "
                             + ", ".join(names[i] for i in clusters), param="cluster")
        c = names.index(cluster)
    else:
        c = clusters[0]
    p = outside[0]
    A, ties_in = representative_sme(w, c)
    factors = region_factors(w)
    Q = output_grid(n_points)
    ac_out = average_cost_curve(w, Q, A, 0, p, 0.0, factors)
    ac_in = average_cost_curve(w, Q, A, 0, c, ties_in, factors)
    curves = pd.concat([
        pd.DataFrame({"where": f"outside the cluster ({names[p]})", "output": Q, "average_cost": ac_out}),
        pd.DataFrame({"where": f"inside the cluster ({names[c]})", "output": Q, "average_cost": ac_in}),
    ], ignore_index=True)
    meta = {"technology": A, "stage": w.stage_names[0], "ties_inside": ties_in, "cluster": names[c],
            "periphery": names[p], "burn_in_years": burn_in,
            "min_ac_outside": float(ac_out.min()), "min_ac_inside": float(ac_in.min()),
            "note": f"same SME: A={A:.2f}, stage={w.stage_names[0]}, ties inside={ties_in:.0f}; "
                    f"regional cost factors after {burn_in} simulated years"}
    return curves, meta


def representative_sme(world, cluster: int) -> tuple[float, float]:
    """The SME Figure 1 prices: the median technology of assembly-stage SMEs and the
    median ties of such SMEs in region ``cluster`` (0 where there are none)."""
    f = world.firms
    sme = ~f.is_mne & (f.stage == 0)
    A = float(np.median(f.A[sme])) if sme.any() else 0.0
    inside = sme & (f.region == cluster)
    ties = float(np.median(world.network.degree(f.n)[inside])) if inside.any() else 0.0
    return A, ties


def output_grid(n_points: int) -> np.ndarray:
    """Outputs (USD million) at which Figure 1 draws its curves: 0.05 to 100, log-spaced."""
    return np.logspace(np.log10(0.05), 2.0, n_points)
