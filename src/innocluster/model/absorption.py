"""Absorption (step 4b): the paper's *graft-type* innovation, "the original
technology-based through digestion, absorption and re-creation".

Rule
----
The imitation budget pays ``N_i = (1 - xi_i) RD_i / (w_r k_R)`` researchers. A firm
absorbs this year with probability

``1 - exp(-zeta2 N_i alpha_i access_i)``,
``access_i = 1 + d_tie deg_i / k_ref + d_info info_r + d_int M_r / (M_r + M_half)``

(absorptive capacity ``alpha_i``: Cohen & Levinthal 1990; trust ties, the
government's information services and S&T intermediaries ease access, the paper).

An absorbing firm looks at ``C`` candidate sources. A candidate is a random firm of the
whole economy with probability ``external_search``, a random trust tie of the firm
with probability ``tie_search`` (when it has ties; ``external_search + tie_search <= 1``
keeps these shares), and a random firm of its own region otherwise. A candidate better than the firm, ``A_j > A_i``, weighs

``w_ij = exp(-dist_ij / lambda_geo) / (1 + |A_j - A_i|)``, times ``tie_source_weight`` when drawn from the ties

(closer in space and in technology is easier to learn from: Jaffe, Trajtenberg &
Henderson 1993; Cohen & Levinthal 1990); worse candidates weigh 0. With research
institutes on, the region's institute (distance 0) is one more candidate with
probability ``institute_collaboration``, weighing ``1 / (1 + |K_r - A_i|)`` when ahead.
The source is drawn with probability proportional to the weights, and the firm closes
a share ``eta`` of the gap: ``A_i += eta (A_source - A_i)``, all from the technologies
before this year's absorption (firms absorb simultaneously).

Re-creation follows with probability ``p_re exp(-beta (A_i - A0))`` (new ideas built on
the absorbed ones are harder to find the further the firm has advanced, as in own
research, :mod:`.research`): one more productivity jump
(:func:`innocluster.model.research.productivity_jumps`), adopted if positive and then
patentable with the same probability as an invention (a gain, not a loss, is patented). A successful collaboration with a firm creates a trust
tie to it with probability ``tie_from_collaboration``.

Parameters (schema names): ``innovation.zeta2``, ``absorption_candidates``,
``tie_search``, ``tie_source_weight``, ``external_search``, ``geo_decay``,
``catch_up``, ``recreation``, ``fishing_out``, ``tie_access``, ``information_access``,
``intermediary_access``, ``institute_collaboration``, ``tie_from_collaboration``,
``researcher_wage_premium``; ``costs.ties_ref``, ``costs.intermediaries_half``.
Switches: ``mechanisms.absorption``, ``research_institutes``, ``intermediaries``.
Records: ``absorption_success_rate`` (and patents, technology).
Random stream: ``absorption`` (one uniform per firm doing R&D for success; per absorbing firm
two per candidate, the institute switch, the choice, re-creation and the tie; per
re-creating firm a Beta jump and the patent uniform).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from innocluster.model.compiled import fast, twin
from innocluster.model.research import patent_probability, productivity_jumps
from innocluster.model.world import GroupMembers, World


@dataclass
class Sources:
    """The sources absorbing firms drew (one entry per absorbing firm)."""

    source: np.ndarray  # row of the source firm; -1 for the research institute or none
    target_A: np.ndarray  # the source's technology (the firm's own where none)
    found: np.ndarray  # False where no candidate was better than the firm


def absorbing_firms(world: World, degree: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Rows that absorb this year (ascending); counts the attempts per region. Firms
    without R&D spending have no imitation researchers and do not try."""
    f = world.firms
    sc = world.scenario
    inn = sc.innovation
    reg = world.regions
    trying = np.flatnonzero(f.rd_active & (f.xi < 1.0))
    region = f.region[trying]
    researchers = (1.0 - f.xi[trying]) * f.rd[trying] / (world.at_firms(reg.wage, region) * inn.researcher_wage_premium)
    access = 1.0 + inn.tie_access * degree[trying] / sc.costs.ties_ref + inn.information_access * world.at_firms(reg.information, region)
    if sc.mechanisms.intermediaries:
        M = reg.intermediaries
        access = access + world.at_firms(inn.intermediary_access * M / (M + sc.costs.intermediaries_half * world.scale), region)
    p_success = 1.0 - np.exp(-inn.zeta2 * researchers * f.alpha[trying] * access)
    world.counters.absorption_attempts += np.bincount(region, minlength=reg.R)
    return trying[rng.random(trying.size) < p_success]


def choose_sources(world: World, absorbers: np.ndarray, degree: np.ndarray, rng: np.random.Generator) -> Sources:
    """Each absorbing firm's source among its candidates (the rule above): draws the
    uniforms and hands them to :func:`source_choice` (or its compiled twin)."""
    f = world.firms
    inn = world.scenario.innovation
    reg = world.regions
    k, C = absorbers.size, inn.absorption_candidates
    members = GroupMembers.of(f.region, reg.R)
    neighbour_start, neighbours = world.network.neighbours(absorbers, degree)
    institutes = world.scenario.mechanisms.research_institutes
    source, target_A, found = fast(source_choice)(
        absorbers=absorbers, A=f.A, x=f.x, y=f.y, region=f.region,
        members_order=np.arange(f.n) if members.order is None else members.order, members_start=members.start,
        members_count=members.count,
        neighbour_start=neighbour_start, neighbours=neighbours,
        institute_A=reg.institute if institutes else np.full(reg.R, -np.inf),
        kind=rng.random((k, C)), pick=rng.random((k, C)), u_institute=rng.random(k), u_choice=rng.random(k),
        external_search=inn.external_search, tie_search=inn.tie_search, tie_weight=inn.tie_source_weight,
        geo_decay=inn.geo_decay, institute_collaboration=inn.institute_collaboration)
    return Sources(source, target_A, found)


def source_choice(*, absorbers, A, x, y, region, members_order, members_start, members_count, neighbour_start,
                  neighbours, institute_A, kind, pick, u_institute, u_choice, external_search, tie_search,
                  tie_weight, geo_decay, institute_collaboration):
    """The source choice of :func:`choose_sources` on arrays (the rule above).

    Absorbing firm ``j`` (row ``absorbers[j]``) looks at candidate ``c``: from anywhere
    when ``kind[j, c] < external_search``, from its ties (neighbours
    ``neighbours[neighbour_start[j]:neighbour_start[j + 1]]``) when
    ``kind[j, c] >= 1 - tie_search`` and it has ties, else from its own region (rows
    ``members_order[members_start[r]:members_start[r] + members_count[r]]``); the firm
    within that pool is ``floor(pick[j, c] size)``. The institute (``institute_A[r]``,
    ``-inf`` for none) is one more candidate when ``u_institute[j] < institute_collaboration``.
    The source is the first candidate whose cumulative weight exceeds
    ``u_choice[j]`` times the total.

    Returns
    -------
    source : int64 array
        Row of the source firm; -1 for the institute or none.
    target_A : float64 array
        The source's technology (the firm's own where none).
    found : bool array
        False where no candidate was better than the firm.
    """
    k, C = kind.shape
    n = A.size
    firm = np.repeat(absorbers, C).reshape(k, C)
    ties = (neighbour_start[1:] - neighbour_start[:-1])[:, None]
    external = kind < external_search
    tied = ~external & (kind >= 1.0 - tie_search) & (ties > 0)
    local = ~external & ~tied
    size = np.where(external, n, np.where(tied, ties, members_count[region[firm]]))
    position = np.minimum((pick * size).astype(np.int64), size - 1)
    candidate = np.where(external, position, 0)
    candidate[local] = members_order[members_start[region[firm[local]]] + position[local]]
    slot = np.broadcast_to(np.arange(k)[:, None], (k, C))
    candidate[tied] = neighbours[neighbour_start[slot[tied]] + position[tied]]
    # better candidates weigh more the nearer they are in space and technology; ties count more
    A_i = A[absorbers]
    gap = A[candidate] - A_i[:, None]
    dx = x[candidate] - x[firm]
    dy = y[candidate] - y[firm]
    weight = np.where(gap > 0, np.exp(-np.sqrt(dx * dx + dy * dy) / geo_decay) / (1.0 + np.abs(gap)), 0.0)
    weight = np.where(tied, weight * tie_weight, weight)
    inst_A = institute_A[region[absorbers]]
    ahead = (u_institute < institute_collaboration) & (inst_A > A_i)
    institute_weight = np.where(ahead, 1.0 / (1.0 + np.abs(np.where(ahead, inst_A, 0.0) - A_i)), 0.0)
    cumulative = np.cumsum(np.column_stack([weight, institute_weight]), axis=1)
    total = cumulative[:, -1]
    choice = np.argmax(cumulative > (u_choice * total)[:, None], axis=1)
    found = total > 0
    is_firm = found & (choice < C)
    source = np.where(is_firm, candidate[np.arange(k), np.minimum(choice, C - 1)], -1)
    target_A = np.where(is_firm, A[source], np.where(found, inst_A, A_i))
    return source, target_A, found


@twin(source_choice)
def _source_choice_compiled(*, absorbers, A, x, y, region, members_order, members_start, members_count,
                            neighbour_start, neighbours, institute_A, kind, pick, u_institute, u_choice,
                            external_search, tie_search, tie_weight, geo_decay, institute_collaboration):
    k, C = kind.shape
    n = A.size
    source = np.full(k, -1, dtype=np.int64)
    target_A = np.empty(k)
    found = np.zeros(k, dtype=np.bool_)
    candidate = np.empty(C, dtype=np.int64)
    cumulative = np.empty(C + 1)
    for j in range(k):
        i = absorbers[j]
        r = region[i]
        ties = neighbour_start[j + 1] - neighbour_start[j]
        total = 0.0
        for c in range(C):
            u = kind[j, c]
            if u < external_search:
                size, where = n, 0
            elif u >= 1.0 - tie_search and ties > 0:
                size, where = ties, 1
            else:
                size, where = members_count[r], 2
            p = min(int(pick[j, c] * size), size - 1)
            if where == 0:
                s = p
            elif where == 1:
                s = neighbours[neighbour_start[j] + p]
            else:
                s = members_order[members_start[r] + p]
            candidate[c] = s
            gap = A[s] - A[i]
            if gap > 0:
                dx = x[s] - x[i]
                dy = y[s] - y[i]
                w = np.exp(-np.sqrt(dx * dx + dy * dy) / geo_decay) / (1.0 + abs(gap))
                total += w * tie_weight if where == 1 else w
            cumulative[c] = total
        if u_institute[j] < institute_collaboration and institute_A[r] > A[i]:
            total += 1.0 / (1.0 + abs(institute_A[r] - A[i]))
        cumulative[C] = total
        target_A[j] = A[i]
        if total > 0:
            found[j] = True
            threshold = u_choice[j] * total
            choice = C
            for c in range(C + 1):
                if cumulative[c] > threshold:
                    choice = c
                    break
            if choice < C:
                source[j] = candidate[choice]
                target_A[j] = A[candidate[choice]]
            else:
                target_A[j] = institute_A[r]
    return source, target_A, found


def absorption(world: World, degree: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Graft-type innovation (the rule above). Returns the rows that absorbed a technology.

    ``degree`` is every firm's number of trust ties now (``world.network.degree(n)``).
    """
    f = world.firms
    sc = world.scenario
    inn = sc.innovation
    if np.shape(degree) != (f.n,):
        raise ValueError(f"absorption: {np.size(degree)} degrees for {f.n} firms")
    if not sc.mechanisms.absorption or f.n == 0:
        return np.zeros(0, dtype=np.int64)
    absorbers = absorbing_firms(world, degree, rng)
    if absorbers.size == 0:
        return absorbers
    src = choose_sources(world, absorbers, degree, rng)
    learners = absorbers[src.found]
    f.A[learners] += inn.catch_up * (src.target_A[src.found] - f.A[learners])
    world.counters.absorption_successes += np.bincount(f.region[learners], minlength=world.regions.R)
    # re-creation: an own improvement on what was absorbed, patentable
    harder_to_find = np.exp(-inn.fishing_out * (f.A[absorbers] - world.A0))
    recreating = src.found & (rng.random(absorbers.size) < inn.recreation * harder_to_find)
    rows = absorbers[recreating]
    jump = productivity_jumps(world, rows.size, rng)
    f.A[rows] += np.maximum(jump, 0.0)
    patented = (jump > 0) & (rng.random(rows.size) < patent_probability(world)[f.region[rows]])
    f.patents_new[rows[patented]] += 1
    # a successful collaboration with a firm can become a trust tie
    tie = (src.source >= 0) & (rng.random(absorbers.size) < inn.tie_from_collaboration)
    world.network.add(absorbers[tie], src.source[tie])
    return learners
