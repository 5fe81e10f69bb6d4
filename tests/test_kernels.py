"""Compiled kernels (innocluster.model.kernels) against the NumPy formulations they replace.

The engine's results must not depend on whether a step is compiled: every kernel is
checked here against the plain NumPy expression (bit for bit where the engine relies
on it: group sums in row order, random draws from the same stream), on random inputs
(hypothesis) and on edge cases (empty arrays, one group, ties to self).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from innocluster.model import kernels
from innocluster.model.kernels.sampling import _COMPILED_DRAWS_FROM
from innocluster.model.network import TrustNetwork
from innocluster.model.state import COLUMNS, FirmTable

SHIFT = np.int64(32)
COLUMNS_ROW_A = [name for name, dt in COLUMNS.items() if dt == np.dtype(float)].index("A")


def groups_and_weights(max_groups=12, max_n=200):
    return st.integers(1, max_groups).flatmap(lambda G: st.tuples(
        st.just(G),
        hnp.arrays(np.int16, st.integers(0, max_n), elements=st.integers(0, G - 1)),
    )).flatmap(lambda t: st.tuples(st.just(t[0]), st.just(t[1]),
                                   hnp.arrays(np.float64, t[1].size,
                                              elements=st.floats(-1e6, 1e6, allow_nan=False))))


# ----------------------------------------------------------------------------- group totals
@settings(max_examples=80, deadline=None)
@given(groups_and_weights())
def test_group_sums_equal_bincount_bit_for_bit(case):
    G, group, w = case
    assert np.array_equal(kernels.group_sum(group, w, G), np.bincount(group, weights=w, minlength=G))
    assert np.array_equal(kernels.group_count(group, G), np.bincount(group, minlength=G))
    stage = (np.arange(group.size) % 3).astype(np.int8)
    expect = np.bincount(group.astype(np.int64) * 3 + stage, minlength=G * 3).reshape(G, 3)
    assert np.array_equal(kernels.cross_count(group, G, stage, 3), expect)


@settings(max_examples=40, deadline=None)
@given(groups_and_weights(), st.randoms(use_true_random=False))
def test_exited_flows_equal_masked_bincounts(case, rnd):
    G, group, w = case
    mask = np.array([rnd.random() < 0.3 for _ in range(group.size)], dtype=bool)
    cols = [w, w * 2, w + 1, (w > 0).astype(np.int32), w * 3, w - 1, -w]
    alive = np.array([rnd.random() < 0.9 for _ in range(group.size)], dtype=bool)
    expect_alive = alive & ~mask
    out = kernels.exited_flows(group, mask, G, *cols, 4 * w, alive)
    for k, c in enumerate(cols):
        assert np.array_equal(out[k], np.bincount(group[mask], weights=c[mask], minlength=G))
    assert np.array_equal(out[7], np.bincount(group[mask], minlength=G))
    assert np.array_equal(out[8], np.bincount(group[mask], weights=4 * w[mask], minlength=G))
    assert np.array_equal(alive, expect_alive), "the exiting firms are marked dead, the others keep their flag"


@pytest.mark.parametrize("R", [1, 3])
def test_region_totals_match_numpy(R):
    rng = np.random.default_rng(4)
    n, S = 500, 4
    region = rng.integers(0, R, n)
    cols = dict(
        stage=rng.integers(0, S, n).astype(np.int8), revenue=rng.random(n) * (rng.random(n) > 0.1),
        rd=rng.random(n), employees=rng.random(n).astype(np.float32), patents_new=rng.integers(0, 3, n).astype(np.int32),
        A=rng.normal(size=n), rd_wanted=rng.random(n) * (rng.random(n) > 0.5), credit_constrained=rng.random(n) > 0.7,
        profit=rng.normal(size=n), subsidy=rng.random(n) * (rng.random(n) > 0.5), unit_cost=rng.random(n) + 0.5,
        is_mne=rng.random(n) > 0.9, value_added=rng.random(n), exports=rng.random(n),
        patents_cum=rng.integers(0, 3, n).astype(np.int32), has_rd_unit=rng.random(n) > 0.6,
        rd_active=rng.random(n) > 0.4, vc_backed=rng.random(n) > 0.8, alpha=rng.random(n).astype(np.float32))
    net = TrustNetwork()
    net.add(rng.integers(0, n, 900), rng.integers(0, n, 900))
    c = cols
    tot, stage_counts = kernels.region_totals(
        region, R, c["stage"], S, c["revenue"], c["rd"], c["employees"], c["patents_new"], c["A"], c["rd_wanted"],
        c["credit_constrained"], c["profit"], c["subsidy"], c["unit_cost"], c["is_mne"], c["value_added"],
        c["exports"], c["patents_cum"], c["has_rd_unit"], c["rd_active"], c["vc_backed"], c["alpha"], net.keys)
    t = dict(zip(kernels.TOTALS, tot))

    def bc(w):
        return np.bincount(region, weights=w, minlength=R)

    producing = ~c["is_mne"] & (c["revenue"] > 0)
    emp = bc(c["employees"])
    expect = {
        "firms": np.bincount(region, minlength=R), "revenue": bc(c["revenue"]), "rd": bc(c["rd"]),
        "employees": emp, "patents_new": bc(c["patents_new"]), "A": bc(c["A"]), "A2": bc(c["A"] ** 2),
        "rd_wanting": bc(c["rd_wanted"] > 0), "rd_wanted": bc(c["rd_wanted"]),
        "credit_constrained": bc(c["credit_constrained"]), "profit": bc(c["profit"]),
        "sme_cost": bc(np.where(producing, c["unit_cost"] * c["revenue"], 0.0)),
        "sme_output": bc(np.where(producing, c["revenue"], 0.0)),
        "zombies": bc((c["profit"] < 0) & (c["subsidy"] > 0)), "firms_sme": bc(~c["is_mne"]),
        "firms_mne": bc(c["is_mne"]), "value_added": bc(c["value_added"]), "exports": bc(c["exports"]),
        "with_patent": bc(c["patents_cum"] > 0), "rd_unit": bc(c["has_rd_unit"]), "rd_active": bc(c["rd_active"]),
        "vc_backed": bc(c["vc_backed"]), "alpha": bc(c["alpha"]),
        "employment_share_sq": bc((c["employees"] / np.maximum(emp[region], 1e-12)) ** 2),
    }
    for name, value in expect.items():
        assert np.array_equal(t[name], value), name
    src, dst = net.directed()
    assert np.array_equal(t["tie_ends"], np.bincount(region[src], minlength=R))
    assert np.array_equal(t["ties_within"], np.bincount(region[src], weights=region[src] == region[dst], minlength=R))
    assert np.array_equal(stage_counts, np.bincount(region * S + c["stage"], minlength=R * S).reshape(R, S))


# ----------------------------------------------------------------------------- sorting
@settings(max_examples=80, deadline=None)
@given(hnp.arrays(np.float32, st.integers(0, 300),
                  elements=st.floats(allow_nan=False, allow_infinity=False, width=32) | st.sampled_from([0.0, -0.0, np.inf, -np.inf])))
def test_radix_sort_equals_numpy_sort(x):
    out = kernels.sort_float32(x)
    assert out.dtype == np.float32
    assert np.array_equal(out, np.sort(x))
    assert np.array_equal(x, x.copy()), "input untouched"


@settings(max_examples=80, deadline=None)
@given(st.integers(1, 62).flatmap(lambda bits: st.tuples(
    st.just(bits), hnp.arrays(np.int64, st.integers(0, 300), elements=st.integers(0, 2**bits - 1)))))
def test_radix_sort_of_keys_equals_numpy_sort(case):
    bits, x = case
    out = kernels.sort_nonnegative(x, bits)
    assert np.array_equal(out, np.sort(x))
    assert np.array_equal(x, x.copy()), "input untouched"


def test_radix_sort_of_keys_refuses_keys_out_of_range():
    with pytest.raises(ValueError):
        kernels.sort_nonnegative(np.array([3, -1], dtype=np.int64), 8)
    with pytest.raises(ValueError):
        kernels.sort_nonnegative(np.array([3, 256], dtype=np.int64), 8)


# ----------------------------------------------------------------------------- network
pairs = st.lists(st.tuples(st.integers(-1, 40), st.integers(-1, 40)), max_size=120)
# small ends (many duplicates) and large ones (keys of several radix digits)
wide_ends = st.integers(-1, 40) | st.integers(0, 3_000_000)
wide_pairs = st.lists(st.tuples(wide_ends, wide_ends), max_size=120)


@settings(max_examples=80, deadline=None)
@given(wide_pairs, wide_pairs)
def test_tie_keys_and_merge_equal_set_union(first, second):
    def keys_of(batch):
        a = np.array([p[0] for p in batch], dtype=np.int64)
        b = np.array([p[1] for p in batch], dtype=np.int64)
        return a, b, sorted({(min(x, y) << 32) | max(x, y) for x, y in batch if x != y and x >= 0 and y >= 0})

    a, b, expect1 = keys_of(first)
    k1 = kernels.tie_keys(a, b)
    assert k1.tolist() == expect1
    a2, b2, expect2 = keys_of(second)
    k2 = kernels.tie_keys(a2, b2)
    out = np.empty(k1.size + k2.size, dtype=np.int64)
    m = kernels.merge_ties(out, k1, k2)
    assert out[:m].tolist() == sorted(set(expect1) | set(expect2))


@settings(max_examples=60, deadline=None)
@given(pairs, st.randoms(use_true_random=False))
def test_in_place_tie_updates(batch, rnd):
    a = np.array([p[0] for p in batch], dtype=np.int64)
    b = np.array([p[1] for p in batch], dtype=np.int64)
    key = kernels.tie_keys(a, b)
    T = key.size
    # decay: keep where u >= p
    u = np.array([rnd.random() for _ in range(T)])
    buf = key.copy()
    m = kernels.keep_ties(buf, T, ~(u < 0.3))
    assert np.array_equal(buf[:m], key[~(u < 0.3)])
    # renumbering after removing every third firm, as a stable compaction and as a swap-remove
    alive = np.arange(41) % 3 != 0
    uu, vv = key >> SHIFT, key & 0xFFFFFFFF
    stable = np.full(41, -1, dtype=np.int64)
    stable[alive] = np.arange(alive.sum())
    swapped = kernels.fill_holes(alive)[0]
    for old_to_new in (stable, swapped):
        buf = key.copy()
        kept, ea, eb = kernels.split_remapped_ties(buf, T, old_to_new)
        fixed = (old_to_new[uu] == uu) & (old_to_new[vv] == vv)
        assert np.array_equal(buf[:kept], key[fixed]), "ties of rows that keep their numbers stay in order"
        moved = key[alive[uu] & alive[vv] & ~fixed]
        assert sorted(zip(ea.tolist(), eb.tolist())) == sorted(zip(old_to_new[moved >> SHIFT].tolist(),
                                                                    old_to_new[moved & 0xFFFFFFFF].tolist()))
        out = np.empty(T, dtype=np.int64)
        m = kernels.merge_ties(out, buf[:kept], kernels.tie_keys(ea, eb))
        ok = alive[uu] & alive[vv]
        a2, b2 = old_to_new[uu[ok]], old_to_new[vv[ok]]
        assert out[:m].tolist() == sorted(((np.minimum(a2, b2) << SHIFT) | np.maximum(a2, b2)).tolist())
    # degree and CSR agree with SciPy's canonical CSR
    import scipy.sparse as sp

    n = 41
    src, dst = np.concatenate([uu, vv]), np.concatenate([vv, uu])
    adj = sp.csr_array((np.ones(src.size), (src, dst)), shape=(n, n))
    adj.sort_indices()
    indptr, indices = kernels.tie_csr(key, n)
    assert np.array_equal(indptr, adj.indptr) and np.array_equal(indices, adj.indices)
    assert np.array_equal(kernels.tie_degree(key, n), np.diff(adj.indptr))


@settings(max_examples=60, deadline=None)
@given(pairs, st.lists(st.integers(0, 40), max_size=30), st.integers(1, 4))
def test_neighbour_lists_follow_csr_order(batch, who, repeat):
    """The neighbour lists of the asked-for firms are their CSR rows (repeats in ``who``
    share one list)."""
    a = np.array([p[0] for p in batch], dtype=np.int64)
    b = np.array([p[1] for p in batch], dtype=np.int64)
    key = kernels.tie_keys(a, b)
    n = 41
    who = np.repeat(np.array(who, dtype=np.int64), repeat)
    slot, start, lists = kernels.neighbour_lists(key, n, who)
    indptr, indices = kernels.tie_csr(key, n)
    for i in range(n):
        if i in set(who.tolist()):
            s = slot[i]
            assert np.array_equal(lists[start[s]:start[s + 1]], indices[indptr[i]:indptr[i + 1]])
        else:
            assert slot[i] == -1
    assert start[-1] == lists.size == sum(indptr[i + 1] - indptr[i] for i in set(who.tolist()))
    # with the degrees known: one pass, the same lists
    from innocluster.model.kernels.network import neighbour_lists_of_degree

    deg = kernels.tie_degree(key, n)
    for got, want in zip(neighbour_lists_of_degree(key, n, who, deg), (slot, start, lists)):
        assert np.array_equal(got, want)
    if who.size and deg[who].sum():  # a degree off by one either way is caught, never written past
        for off in (-1, 1):
            bad = deg.copy()
            bad[who[np.argmax(deg[who])]] += off
            with pytest.raises(ValueError, match="degree says"):
                neighbour_lists_of_degree(key, n, who, bad)


@settings(max_examples=60, deadline=None)
@given(pairs, pairs, st.lists(st.booleans(), min_size=41, max_size=41))
def test_remap_with_pending_ties_equals_merge_then_remap(first, second, alive):
    def ends(batch):
        return (np.array([p[0] for p in batch], dtype=np.int64), np.array([p[1] for p in batch], dtype=np.int64))

    alive = np.array(alive)
    old_to_new = np.full(41, -1, dtype=np.int64)
    old_to_new[alive] = np.arange(alive.sum())
    lazy, eager = TrustNetwork(), TrustNetwork()
    for net in (lazy, eager):
        net.add(*ends(first))
        _ = net.n_ties  # merged
        net.add(*ends(second))
    _ = eager.n_ties  # eager merges before the remap, lazy merges during it
    lazy.remap(old_to_new)
    eager.remap(old_to_new)
    assert lazy.keys.tolist() == eager.keys.tolist()
    from innocluster.model.kernels.network import renumber_ends

    ends = np.array([-1, 0, 40, 3])
    assert renumber_ends(ends, old_to_new).tolist() == [-1, *old_to_new[[0, 40, 3]].tolist()]
    with pytest.raises(ValueError, match="outside the firm table"):
        renumber_ends(np.array([41]), old_to_new)
    assert np.all(np.diff(lazy.keys) > 0)


def test_network_defers_merges_but_reads_see_every_tie():
    net = TrustNetwork()
    net.add(np.array([0, 1]), np.array([1, 2]))
    net.add(np.array([2, 5, 3]), np.array([1, 4, 3]))  # a duplicate and a self-tie
    assert net.n_ties == 3
    assert net.keys.tolist() == [(0 << 32) | 1, (1 << 32) | 2, (4 << 32) | 5]
    a = np.array([7, 8])
    net.add(a, np.array([9, 9]))
    a[:] = 0  # the caller reuses its array before the merge: the network kept a copy
    assert (7, 9) in set(zip(net.u.tolist(), net.v.tolist()))
    with pytest.raises(ValueError, match="different lengths"):
        net.add(np.array([1, 2]), np.array([3]))


# ----------------------------------------------------------------------------- sampling
@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4).flatmap(lambda G: st.tuples(
    st.just(G), hnp.arrays(np.int16, st.integers(0, 60), elements=st.integers(0, G - 1)),
    hnp.arrays(np.int64, st.integers(0, 40), elements=st.integers(0, G - 1)))))
def test_random_member_equals_stable_sort_formulation(case):
    G, group, want = case
    rows = np.arange(group.size)
    u = np.random.default_rng(group.size).random(want.size)
    got = kernels.random_member(group, G, rows, want, u)
    order = rows[np.argsort(group[rows], kind="stable")]
    counts = np.bincount(group, minlength=G)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    pos = starts[want] + np.floor(u * counts[want]).astype(np.int64)
    expect = np.where(counts[want] > 0, order[np.minimum(pos, max(order.size - 1, 0))] if order.size else -1, -1)
    assert np.array_equal(got, expect)


@pytest.mark.parametrize("bit_generator", [np.random.PCG64, np.random.PCG64DXSM, np.random.MT19937, np.random.Philox,
                                           np.random.SFC64])
@pytest.mark.parametrize("size", [0, 5, _COMPILED_DRAWS_FROM - 1, _COMPILED_DRAWS_FROM, 400_000])
def test_compiled_normals_equal_numpy_draw_for_draw(bit_generator, size):
    """kernels.normal draws what rng.normal(loc, scale, size) draws, tails included, and
    leaves the generator (also integers()' buffered half-output) where NumPy leaves it."""
    r1, r2 = (np.random.Generator(bit_generator(5)) for _ in range(2))
    assert np.array_equal(r1.integers(0, 100, 3), r2.integers(0, 100, 3))  # leaves half an output buffered
    for loc, scale in ((0.0, 1.0), (0.3, 0.1), (-2.5, 0.0)):
        got = kernels.normal(r1, loc, scale, size)
        expect = r2.normal(loc, scale, size)
        assert got.dtype == expect.dtype and np.array_equal(got, expect)
    if size == 400_000:  # the ziggurat's rare paths (wedges, the tail beyond 3.44) were taken
        assert (np.abs(got - (-2.5)) == 0).all() and (np.abs(r1.normal(0, 1, 400_000)) > 3.6).sum() > 50
        r2.normal(0, 1, 400_000)
        z1 = kernels.normal(r1, 0.0, 1.0, 2_000_000)
        z2 = r2.normal(0.0, 1.0, 2_000_000)
        assert (np.abs(z2) > 3.6).sum() > 300 and np.array_equal(z1, z2)
    assert np.array_equal(r1.integers(0, 100, 5), r2.integers(0, 100, 5))
    assert r1.random() == r2.random()


@pytest.mark.parametrize("bit_generator", [np.random.SFC64, np.random.PCG64])
@pytest.mark.parametrize("size", [0, 1, 7, 16_000, 1_000_003])
def test_compiled_uniforms_equal_numpy_draw_for_draw(bit_generator, size):
    """kernels.uniform draws what rng.random(size) draws and leaves the generator where
    NumPy leaves it (the SFC64 words advanced in compiled code; integers()' buffered
    half-output untouched); other bit generators are NumPy's call."""
    r1, r2 = (np.random.Generator(bit_generator(np.random.SeedSequence(77))) for _ in range(2))
    assert np.array_equal(r1.integers(0, 100, 3), r2.integers(0, 100, 3))  # leaves half an output buffered
    for _ in range(3):
        got, expect = kernels.uniform(r1, size), r2.random(size)
        assert got.dtype == expect.dtype and got.shape == expect.shape and np.array_equal(got, expect)
    # what NumPy draws next, of every kind, is the same
    assert np.array_equal(r1.integers(0, 2**40, 5), r2.integers(0, 2**40, 5))
    assert np.array_equal(r1.normal(size=9), r2.normal(size=9)) and r1.random() == r2.random()
    assert _same_state(r1.bit_generator.state, r2.bit_generator.state)


@pytest.mark.parametrize("bit_generator", [np.random.SFC64, np.random.PCG64])
@pytest.mark.parametrize("a, b", [(3.0, 3.0), (1.01, 60.0), (45.0, 1.2), (0.5, 0.7), (1.0, 3.0), (3.0, 0.9)])
def test_compiled_betas_equal_numpy_draw_for_draw(bit_generator, a, b):
    """kernels.beta is ``low + (high - low) * rng.beta(a, b, size)`` draw for draw, with the
    generator where NumPy leaves it: compiled for SFC64 and shapes above 1 (Marsaglia and
    Tsang's gammas, squeeze and log tests both taken over 200,000 draws), NumPy's call
    otherwise."""
    r1, r2 = (np.random.Generator(bit_generator(np.random.SeedSequence(3))) for _ in range(2))
    for size, low, high in ((0, 0.0, 1.0), (1, 0.0, 1.0), (7, -0.05, 0.12), (200_000, -0.05, 0.12)):
        got, expect = kernels.beta(r1, a, b, size, low, high), low + (high - low) * r2.beta(a, b, size)
        assert got.shape == expect.shape and np.array_equal(got, expect)
    assert r1.random() == r2.random() and np.array_equal(r1.normal(size=5), r2.normal(size=5))
    assert _same_state(r1.bit_generator.state, r2.bit_generator.state)


def test_compiled_draws_run_on_the_engines_generator():
    """The compiled samplers are what the tests above compare on SFC64 (not NumPy's own
    calls compared with themselves): active for SFC64, NumPy's calls for other bit
    generators; the kernels on a state view draw NumPy's numbers directly."""
    import ctypes

    from innocluster.model.kernels import sampling

    assert sampling.compiled_draws(np.random.Generator(np.random.SFC64(1)))
    assert not sampling.compiled_draws(np.random.Generator(np.random.PCG64(1)))
    assert sampling.sfc64_normals is not None and sampling.sfc64_betas is not None
    mine, ref = np.random.SFC64(9), np.random.Generator(np.random.SFC64(9))
    words = np.ctypeslib.as_array((ctypes.c_uint64 * 4).from_address(mine.ctypes.state_address))
    out = np.empty(50_000)
    sampling.sfc64_normals(words, 0.3, 0.1, out)
    assert np.array_equal(out, ref.normal(0.3, 0.1, 50_000))
    sampling.sfc64_betas(words, 3.0, 3.0, -0.05, 0.17, out)
    assert np.array_equal(out, -0.05 + 0.17 * ref.beta(3.0, 3.0, 50_000))
    sampling.sfc64_uniforms(words, out)
    assert np.array_equal(out, ref.random(50_000))
    # shapes and per-draw parameters are NumPy's calls, as NumPy takes them
    g1, g2 = np.random.Generator(np.random.SFC64(4)), np.random.Generator(np.random.SFC64(4))
    assert np.array_equal(kernels.uniform(g1, (2, 3)), g2.random((2, 3)))
    assert np.array_equal(kernels.normal(g1, np.zeros(4), 1.0, 4), g2.normal(np.zeros(4), 1.0, 4))
    assert np.array_equal(kernels.beta(g1, np.full(3, 2.0), 3.0, 3), g2.beta(np.full(3, 2.0), 3.0, 3))
    assert g1.random() == g2.random()


def test_year_accounts_follow_their_rules():
    """operating_accounts, year_profit and close_books against the accounts written out in
    NumPy; the ledger's totals are the flows' sums (labels in OPERATING_FLOWS' order)."""
    g = np.random.default_rng(21)
    n = 3000
    revenue = np.where(g.random(n) < 0.1, 0.0, g.gamma(2.0, 3.0, n))
    labour, wages, inputs, fixed, transaction, rent = (g.gamma(2.0, 1.0, n) for _ in range(6))
    total = wages + inputs + fixed + transaction + rent
    debt = g.gamma(1.0, 2.0, n)
    employees, unit_cost, value_added = np.zeros(n, np.float32), np.full(n, 7.0), np.zeros(n)
    operating, flows = kernels.operating_accounts(revenue, labour, wages, inputs, fixed, transaction, rent, total,
                                                  debt, 0.05, employees, unit_cost, value_added)
    assert np.array_equal(employees, labour.astype(np.float32))
    assert np.array_equal(unit_cost, np.where(revenue > 0, total / np.maximum(revenue, 1e-12), 7.0))
    assert np.array_equal(value_added, revenue - inputs)
    assert np.array_equal(operating, revenue - total - 0.05 * debt)
    expect = dict(zip(kernels.OPERATING_FLOWS, (revenue.sum(), -wages.sum(), -inputs.sum(), -fixed.sum(),
                                                -transaction.sum(), -rent.sum(), -(0.05 * debt).sum())))
    assert kernels.OPERATING_FLOWS == ("revenue", "wages", "inputs", "fixed_costs", "transaction_costs", "rent",
                                       "interest")
    for name, got in zip(kernels.OPERATING_FLOWS, flows):
        assert got == pytest.approx(expect[name], rel=1e-12), name
    rd, profit = g.gamma(1.0, 0.5, n), np.empty(n)
    assert kernels.year_profit(operating, rd, profit) == pytest.approx(rd.sum(), rel=1e-12)
    assert np.array_equal(profit, operating - rd)
    vc_pay = np.where(g.random(n) < 0.2, g.random(n), 0.0)
    nw, debt2, capital, subsidy = g.normal(0, 3, n), debt.copy(), np.zeros(n), np.ones(n)
    nw0 = nw.copy()
    owners, vc = kernels.close_books(profit, 0.3, vc_pay, nw, debt2, capital, subsidy)
    paid = 0.3 * np.maximum(profit, 0.0)
    assert owners == pytest.approx(paid.sum(), rel=1e-12) and vc == pytest.approx(vc_pay.sum(), rel=1e-12)
    assert np.array_equal(nw, nw0 + profit - paid - vc_pay) and np.array_equal(debt2, debt * 0.85)
    assert np.array_equal(capital, np.maximum(nw + debt2, 0.0)) and not subsidy.any()


def test_exit_mask_follows_the_rule():
    """exit_mask: past the grace period and negative net worth or a share below
    min_share / (firms of the stage)."""
    g = np.random.default_rng(5)
    n, S = 4000, 5
    stage = g.integers(0, S - 1, n).astype(np.int8)  # the last stage stays empty
    age = g.integers(0, 8, n).astype(np.int16)
    nw, share = g.normal(0.5, 1.0, n), g.random(n) / 500
    f_min = 0.4 / np.maximum(np.bincount(stage, minlength=S), 1.0)
    expect = (age >= 3) & ((nw < 0) | (share < f_min[stage]))
    got = kernels.exit_mask(age, 3, nw, share, stage, S, 0.4)
    assert np.array_equal(got, expect) and 0 < got.sum() < n


def _same_state(a, b) -> bool:
    """Equality of two bit-generator state dicts (arrays compared by value)."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same_state(a[k], b[k]) for k in a)
    return np.array_equal(a, b) if isinstance(a, np.ndarray) else a == b


def test_compiled_uniforms_follow_the_sfc64_rule():
    """sfc64_uniforms against SFC64 written out in Python integers (the rule, not NumPy)."""
    words = np.array([0x243F6A8885A308D3, 0x13198A2E03707344, 0xA4093822299F31D0, 1], dtype=np.uint64)
    a, b, c, w = (int(v) for v in words)
    m = (1 << 64) - 1
    expect = []
    for _ in range(50):
        t = (a + b + w) & m
        w = (w + 1) & m
        a = b ^ (b >> 11)
        b = (c + (c << 3)) & m
        c = (((c << 24) | (c >> 40)) + t) & m
        expect.append((t >> 11) * 2.0**-53)
    out = np.empty(50)
    kernels.sfc64_uniforms(words, out)
    assert out.tolist() == expect and [int(v) for v in words] == [a, b, c, w]


@pytest.mark.parametrize("lam", [[0.0], [1100.0], [0.5, 40.0, 3e5], list(np.linspace(0, 50, 20))])
def test_poisson_by_region_draws_what_numpy_draws(lam):
    """kernels.poisson_by_region: NumPy's counts and generator state, a bad rate raises as in NumPy."""
    r1, r2 = np.random.default_rng(12), np.random.default_rng(12)
    for _ in range(5):
        assert np.array_equal(kernels.poisson_by_region(r1, np.array(lam)), r2.poisson(np.array(lam)))
    assert r1.random() == r2.random()
    with pytest.raises(ValueError):
        kernels.poisson_by_region(r1, np.array([1.0, -1.0]))


@pytest.mark.parametrize("lam", [0.02, 0.7, 3.0, 9.9, 25.0])
def test_poisson_counts_follow_the_poisson_law(lam):
    """kernels.poisson gives Poisson(lam) counts: chi-square goodness of fit against the
    Poisson pmf on 200,000 draws (cells with an expected count of at least 20, the rest
    pooled), below and above the rate where NumPy's sampler takes over."""
    from scipy import stats

    got = kernels.poisson(np.random.default_rng(11), np.full(200_000, lam))
    top = int(stats.poisson.ppf(1 - 1e-4, lam))
    lo = int(stats.poisson.ppf(1e-4, lam))
    cells = np.arange(lo, top + 1)
    observed = np.array([(got <= lo).sum()] + [(got == k).sum() for k in cells[1:-1]] + [(got >= top).sum()])
    expected = got.size * np.concatenate([[stats.poisson.cdf(lo, lam)], stats.poisson.pmf(cells[1:-1], lam),
                                          [stats.poisson.sf(top - 1, lam)]])
    keep = expected >= 20
    observed = np.append(observed[keep], observed[~keep].sum())
    expected = np.append(expected[keep], expected[~keep].sum())
    if expected[-1] == 0:
        observed, expected = observed[:-1], expected[:-1]
    assert stats.chisquare(observed, expected * observed.sum() / expected.sum()).pvalue > 1e-3
    assert abs(got.mean() - lam) < 4 * np.sqrt(lam / got.size)


def test_poisson_inverts_one_uniform_per_firm():
    """Below rate 10 each count is the Poisson quantile of the firm's own uniform (the
    generator's next n uniforms): common random numbers, and the generator moves by
    exactly n uniforms whatever the counts."""
    from scipy import stats

    lam = np.random.default_rng(3).uniform(0.0, 9.9, 100_000)
    lam[::5] = 0.0
    r1, r2 = np.random.default_rng(4), np.random.default_rng(4)
    got = kernels.poisson(r1, lam)
    u = r2.random(lam.size)
    expect = stats.poisson.ppf(u, lam).astype(np.int64)  # smallest k with F(k) >= u
    assert (got != expect).sum() <= 2, "rounding of the CDF at most decides a tie or two"
    assert (got[lam == 0] == 0).all()
    assert r1.random() == r2.random()
    # a firm's count is monotone in its uniform alone: raising one rate moves no other count
    lam2 = lam.copy()
    lam2[10] += 2.0
    again = kernels.poisson(np.random.default_rng(4), lam2)
    assert np.array_equal(np.delete(again, 10), np.delete(got, 10)) and again[10] >= got[10]
    # a uniform above where the CDF's floating-point sum levels off (just below 1) ends
    # in the far tail, not at the count where the terms underflow (about 270 at rate 6.7)
    from innocluster.model.kernels.sampling import _poisson_counts

    top = np.array([np.nextafter(1.0, 0.0)] * 3)
    rates = np.array([6.71, 0.5, 9.9])
    tail = np.zeros(3, dtype=np.int64)
    assert _poisson_counts(top, rates, np.exp(-rates), tail, np.empty(3, dtype=np.int64)) == (0, 3)  # none to NumPy
    assert (tail > rates).all() and (tail < rates + 12 * np.sqrt(rates) + 20).all(), tail
    with pytest.raises(ValueError):
        kernels.poisson(r1, np.array([1.0, -1.0]))
    with pytest.raises(ValueError):
        kernels.poisson(r1, np.array([1.0, np.nan]))


@pytest.mark.parametrize("top", [9.9, 40.0])
def test_poisson_events_are_the_counts_and_their_positive_rows(top):
    """kernels.poisson_events draws what kernels.poisson draws and returns the rows of the
    positive counts (np.flatnonzero), also when some rates are left to NumPy's sampler."""
    lam = np.random.default_rng(5).uniform(0.0, 0.3, 20_000)
    lam[::97] = top
    counts, rows = kernels.poisson_events(np.random.default_rng(6), lam)
    assert np.array_equal(counts, kernels.poisson(np.random.default_rng(6), lam))
    assert np.array_equal(rows, np.flatnonzero(counts)) and rows.size > 1000
    with pytest.raises(ValueError, match="1-D"):
        kernels.poisson_events(np.random.default_rng(6), lam.reshape(100, 200))


def test_absorbing_firms_follow_the_success_rule():
    """kernels.absorption_exponent and kernels.absorbing_firms: firms with imitation
    researchers try; they succeed where their uniform is below
    1 - exp(-zeta2 N_im alpha access) (innovation's rule written out in NumPy); attempts
    are counted per region."""
    g = np.random.default_rng(5)
    n, R = 20_000, 3
    xi = g.uniform(0, 1, n).astype(np.float32)
    xi[::7] = 1.0  # all R&D on own research: no imitation researchers
    rd = np.where(g.random(n) < 0.3, 0.0, g.exponential(0.5, n))
    alpha = g.uniform(0, 1, n).astype(np.float32)
    degree = g.integers(0, 8, n)
    region = g.integers(0, R, n).astype(np.int16)
    wage, information, extra = g.uniform(0.5, 2, R), g.uniform(0, 1, R), g.uniform(0, 0.3, R)
    u = g.random(n)
    exponent, trying = kernels.absorption_exponent(xi, rd, alpha, degree, region, wage, 1.5, 0.4, 5.0, 0.3,
                                                   information, extra, 0.8)
    rows, attempts = kernels.absorbing_firms(u, 1.0 - np.exp(exponent), trying, region, R)
    n_im = (np.float32(1.0) - xi).astype(np.float64) * rd / (wage[region] * 1.5)  # 1 - xi in float32, as xi
    access = 1.0 + 0.4 * degree / 5.0 + 0.3 * information[region] + extra[region]
    p = 1.0 - np.exp(-0.8 * n_im * alpha.astype(np.float64) * access)
    assert np.array_equal(trying, n_im > 0)
    assert np.allclose(exponent, -0.8 * n_im * alpha.astype(np.float64) * access, rtol=1e-13, atol=0)
    assert np.array_equal(rows, np.flatnonzero((n_im > 0) & (u < p)))
    assert np.array_equal(attempts, np.bincount(region[n_im > 0], minlength=R).astype(float))
    assert 0.05 < rows.size / (n_im > 0).sum() < 0.95  # the rule bites both ways on these inputs


def test_compiled_normals_refuse_what_numpy_refuses():
    with pytest.raises(ValueError):
        kernels.normal(np.random.default_rng(0), 0.0, -1.0, 5000)
    assert np.isnan(kernels.normal(np.random.default_rng(0), np.nan, 1.0, 5000)).all()
    # one location per draw is NumPy's broadcasting: left to NumPy, same draws
    loc = np.arange(5000.0)
    assert np.array_equal(kernels.normal(np.random.default_rng(1), loc, 0.5, 5000),
                          np.random.default_rng(1).normal(loc, 0.5, 5000))


# ----------------------------------------------------------------------------- firm table
def test_firm_table_blocks_append_compact_and_assign():
    f = FirmTable(5)
    assert f.n == 5 and f.id.tolist() == [0, 1, 2, 3, 4] and f.alive.all() and (f.parent == -1).all()
    f.A = np.arange(5, dtype=float)
    rows = f.append(7, A=np.full(7, 9.0), region=1, parent=np.arange(7))
    assert rows.tolist() == list(range(5, 12)) and f.n == 12 and f.capacity >= 12
    assert f.A.tolist() == [0, 1, 2, 3, 4] + [9.0] * 7
    assert f.region.tolist() == [0] * 5 + [1] * 7 and f.parent[5:].tolist() == list(range(7))
    assert all(getattr(f, c).dtype == dt for c, dt in COLUMNS.items())
    f.alive[[1, 6, 11]] = False
    old_to_new = f.compact()
    assert f.n == 9
    # swap-remove: the last survivors (rows 9, 10) fill the holes below the new end (rows 1, 6)
    assert f.id.tolist() == [0, 9, 2, 3, 4, 5, 10, 7, 8]
    assert old_to_new.tolist() == [0, -1, 2, 3, 4, 5, -1, 7, 8, 1, 6, -1]
    assert f.A.tolist() == [0, 9.0, 2, 3, 4] + [9.0] * 4
    with pytest.raises(ValueError, match="3 values for 9 firms"):
        f.A = np.zeros(3)
    with pytest.raises(KeyError, match="unknown firm columns"):
        f.append(1, not_a_column=1)
    # many appends grow the blocks geometrically and keep every value
    for k in range(50):
        f.append(3, A=float(k))
    assert f.n == 159 and f.A[-3:].tolist() == [49.0] * 3 and f.A[:4].tolist() == [0, 9, 2, 3]
    assert f.id[-1] == f.next_id - 1


@settings(max_examples=60, deadline=None)
@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(0, 50))), st.randoms(use_true_random=False))
def test_swap_remove_keeps_every_survivor_and_moves_only_rows_beyond_the_new_end(block, rnd):
    n = block.shape[1]
    alive = np.array([rnd.random() < 0.6 for _ in range(n)], dtype=bool)
    old_to_new, src, dst, m = kernels.fill_holes(alive)
    assert m == alive.sum()
    assert np.array_equal(old_to_new < 0, ~alive)
    assert sorted(old_to_new[alive].tolist()) == list(range(m)), "survivors fill rows 0..m-1 exactly"
    assert np.array_equal(old_to_new[:m][alive[:m]], np.flatnonzero(alive[:m])), "survivors below m stay"
    assert src.size == dst.size == (~alive[:m]).sum(), "one move per hole, no more"
    work = block.copy()
    kernels.move_rows(work, src, dst)
    assert np.array_equal(work[:, old_to_new[alive]], block[:, alive], equal_nan=True)


def test_compiled_kernels_are_cached_on_disk():
    """After a run the kernels are cached next to the package: the next process loads them."""
    from innocluster import load_scenario, simulate
    from innocluster.model.kernels import cache_is_warm

    simulate(load_scenario("core"), seed=1, years=2, firms=100)
    assert cache_is_warm()


# ----------------------------------------------------------------------------- bad use raises, never corrupts
def test_remove_rejects_a_mask_of_the_wrong_length():
    """exit.remove's compiled pass reads the mask unchecked: a mask that does not fit the
    table raises before anything changes."""
    from innocluster import load_scenario
    from innocluster.model import exit as exit_
    from innocluster.model.engine import ClusterModel

    m = ClusterModel(load_scenario("core"), seed=1, firms=50)
    m.step()
    n, ids = m.world.firms.n, m.world.firms.id.copy()
    for bad in (np.zeros(n - 1, dtype=bool), np.ones(n + 1, dtype=bool)):
        with pytest.raises(ValueError, match=f"values for {n} firms"):
            exit_.remove(m.world, bad)
    assert m.world.firms.n == n and np.array_equal(m.world.firms.id, ids)


def test_network_rejects_ties_outside_the_table_and_bad_masks():
    net = TrustNetwork()
    net.add(0, 5)  # scalars are one tie
    net.add(np.array([[1, 2]]), np.array([[3, 4]]))  # 2-D ends are flattened
    assert net.n_ties == 3
    with pytest.raises(ValueError, match="outside the firm table"):
        net.degree(3)
    with pytest.raises(ValueError, match="outside the firm table"):
        net.csr(3)
    with pytest.raises(ValueError, match="outside the firm table"):
        kernels.neighbour_lists(net.keys, 3, np.array([0]))
    with pytest.raises(ValueError, match="a mask of 1 values for 3 ties"):
        net.drop(np.array([True]))
    assert net.n_ties == 3


def test_firm_table_append_writes_given_columns_cast_and_zeroes_the_rest():
    f = FirmTable(6)
    f.A = np.arange(6, dtype=float) + 1.0
    f.x = np.full(6, 7.5)
    f.alive[[0, 1, 2]] = False
    f.compact()  # rows 3..5 move to the front; stale values stay in the spare capacity
    rows = f.append(3, x=np.array([0.1, 0.2, 0.3]), region=np.array([1, 2, 3], dtype=np.int64),
                    has_rd_unit=np.array([1.0, 0.0, 2.0]), parent=np.array([4, 5, 6]), alive=np.array([1, 1, 0]))
    assert rows.tolist() == [3, 4, 5]
    # given columns cast as np.asarray(value, dtype) casts them
    assert f.x[3:].tolist() == np.array([0.1, 0.2, 0.3], dtype=np.float32).tolist()
    assert f.region[3:].tolist() == [1, 2, 3] and f.has_rd_unit[3:].tolist() == [True, False, True]
    assert f.parent[3:].tolist() == [4, 5, 6] and f.alive[3:].tolist() == [True, True, False]
    # columns not given are zero (no stale values of compacted rows), ids are new
    assert f.A[3:].tolist() == [0.0, 0.0, 0.0] and f.id[3:].tolist() == [6, 7, 8]
    assert f.A[:3].tolist() == [4.0, 5.0, 6.0]
    given = {"x", "region", "has_rd_unit", "parent", "alive", "id"}
    for name in COLUMNS.keys() - given:
        assert (getattr(f, name)[3:] == 0).all(), name
    # every block's runs of defaults, whichever columns an append is given
    for k, names in enumerate([["A"], ["x", "y", "alpha"], ["age", "stage", "relocated", "vc_stake"], []]):
        g = FirmTable(4)
        for name in COLUMNS:
            if name not in ("id", "alive", "parent"):
                setattr(g, name, np.ones(4, dtype=COLUMNS[name]))
        g.alive[:2] = False
        g.compact()  # the spare rows now hold ones
        g.append(2, **{name: np.full(2, 7, dtype=COLUMNS[name]) for name in names})
        for name in COLUMNS.keys() - {"id", "alive", "parent", *names}:
            assert (getattr(g, name)[2:] == 0).all(), (k, name)
        assert (g.parent[2:] == -1).all() and g.alive[2:].all() and g.id[2:].tolist() == [4, 5]
        for name in names:
            assert (getattr(g, name)[2:] == np.array(7).astype(COLUMNS[name])).all(), (k, name)


def test_firm_table_columns_follow_appends_growth_and_removals():
    """Column views are kept between changes of the table (FirmTable caches them): a
    column read after an append, a growth of the capacity or a removal is the current
    column, and writes through it reach the table."""
    f = FirmTable(4)
    f.A = np.arange(4, dtype=float)
    a = f.A
    assert a is f.A  # the same view while nothing changes
    f.A[1] = 10.0  # in-place writes through a view land in the table
    assert f.A.tolist() == [0.0, 10.0, 2.0, 3.0]
    for k in (1, 50):  # within the capacity, then beyond it (new blocks)
        f.append(k, A=np.full(k, 7.0))
        assert f.A.size == f.n and f.A[-k:].tolist() == [7.0] * k
        assert np.shares_memory(f.A, f._blocks[np.dtype(float).str])
    assert f.A[:4].tolist() == [0.0, 10.0, 2.0, 3.0]
    f.alive[0] = False
    f.compact()  # the last row moves into row 0
    assert f.n == 54 and f.A.size == 54 and f.A[0] == 7.0
    old = f.A
    f.compact()  # nothing removed: the size and the view stay
    assert f.A is old
    f.A = np.ones(54)
    assert f.A.sum() == 54.0 and f._blocks[np.dtype(float).str][COLUMNS_ROW_A, :54].sum() == 54.0


@settings(max_examples=60, deadline=None)
@given(groups_and_weights(max_groups=4, max_n=300))
def test_group_gini_and_entropy_match_their_numpy_formulas(case):
    """kernels.group_gini is the sorted-form Gini of each group's values and
    kernels.group_entropy the Shannon entropy (bits) of each group's 0.1-wide bins,
    written out in NumPy (the same values up to the order of the sums)."""
    G, group, w = case
    v = np.abs(w).astype(np.float32)
    gini, ent = kernels.group_gini(v, group, G), kernels.group_entropy(w, 0.1, group, G)
    for g in range(G):
        x = np.sort(v[group == g]).astype(np.float64)
        n = x.size
        expect = 2.0 * (np.arange(1, n + 1) * x).sum() / (n * x.sum()) - (n + 1) / n if n and x.sum() > 0 else 0.0
        assert gini[g] == pytest.approx(expect, rel=1e-12, abs=1e-12)
        _, c = np.unique(np.floor(w[group == g] / 0.1), return_counts=True)
        p = c / max(c.sum(), 1)
        assert ent[g] == pytest.approx(-(p * np.log2(p)).sum(), rel=1e-12, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(hnp.arrays(np.float64, st.integers(0, 300), elements=st.floats(-50, 50)), st.integers(0, 2**31))
def test_weighted_total_is_the_two_sums_of_a_weighted_mean(values, seed):
    w = np.random.default_rng(seed).random(values.size).astype(np.float32) * 30
    num, den = kernels.weighted_total(values, w)
    assert num == pytest.approx(float((values * w.astype(float)).sum()), rel=1e-9, abs=1e-9)
    assert den == pytest.approx(float(w.astype(float).sum()), rel=1e-12, abs=1e-12)


def test_group_gini_worked_examples():
    """Equal sizes: 0; one firm holding everything among n: (n - 1) / n; {1, 2, 3, 4}:
    mean absolute difference 1.25 over twice the mean 2.5 = 0.25."""
    one = np.zeros(4, dtype=np.int16)
    assert kernels.group_gini(np.ones(4, dtype=np.float32), one, 1)[0] == 0.0
    assert kernels.group_gini(np.array([0, 0, 0, 5], dtype=np.float32), one, 1)[0] == pytest.approx(0.75)
    assert kernels.group_gini(np.array([4, 1, 3, 2], dtype=np.float32), one, 1)[0] == pytest.approx(0.25)
    two = np.array([0, 1, 0, 1], dtype=np.int16)  # {1, 3} and {2, 4}: (b - a) / (2 (a + b)); empty: 0
    assert kernels.group_gini(np.array([1, 2, 3, 4], dtype=np.float32), two, 3).tolist() == pytest.approx(
        [0.25, 1 / 6, 0.0])
    assert kernels.group_entropy(np.array([0.05, 0.15, 0.25, 0.35]), 0.1, one, 1)[0] == pytest.approx(2.0)


def test_entrant_shares_inventions_and_counts_match_numpy():
    """kernels.entrant_shares is s_e / max(n_stage, 1) by the entrant's stage;
    kernels.adopt_inventions adds max(x, 0) to the inventors' technology and returns
    their inventions and regional patenting probabilities; kernels.add_counts adds."""
    g = np.random.default_rng(9)
    firm_stage = g.integers(0, 4, 500).astype(np.int8)  # stage 4 has no firms
    stage = g.integers(0, 5, 60)
    counts = np.bincount(firm_stage, minlength=5).astype(float)
    assert np.array_equal(kernels.entrant_shares(firm_stage, 5, stage, 0.3), 0.3 * (1.0 / np.maximum(counts, 1.0))[stage])
    A = g.random(500)
    before = A.copy()
    inventions = g.poisson(0.5, 500)
    rows = np.flatnonzero(inventions)
    jump = g.normal(0, 0.1, rows.size)
    region = g.integers(0, 3, 500).astype(np.int16)
    p_region = np.array([0.1, 0.2, 0.3])
    trials, p = kernels.adopt_inventions(A, rows, jump, inventions, region, p_region)
    expect = before.copy()
    expect[rows] += np.maximum(jump, 0.0)
    assert np.array_equal(A, expect) and np.array_equal(trials, inventions[rows]) and np.array_equal(p, p_region[region[rows]])
    pats = np.zeros(500, dtype=np.int32)
    kernels.add_counts(pats, rows, trials)
    assert np.array_equal(pats, inventions) and pats.dtype == np.int32


def test_copied_and_unpickled_firm_tables_keep_their_own_columns():
    """A deep copy or an unpickled table makes its own column views: writes through its
    columns reach its blocks (not a copy of the original's cached views), and appends
    and reads agree."""
    import copy
    import pickle

    f = FirmTable(3)
    f.A = np.array([1.0, 2.0, 3.0])
    _ = f.rd, f.A, f.x  # cache views
    for g in (copy.deepcopy(f), pickle.loads(pickle.dumps(f))):
        g.rd = np.ones(3)
        g.A[:] = 5.0
        assert g.rd.tolist() == [1.0] * 3 and g.A.tolist() == [5.0] * 3
        g.append(1, A=7.0)
        assert g.rd.tolist() == [1.0, 1.0, 1.0, 0.0] and g.A.tolist() == [5.0, 5.0, 5.0, 7.0]
        assert np.shares_memory(g.A, g._blocks[np.dtype(float).str])
    assert f.A.tolist() == [1.0, 2.0, 3.0] and f.rd.tolist() == [0.0] * 3  # the original is untouched
    # NumPy scalars are cast as np.asarray(value, dtype) casts them
    f.append(1, founded_year=np.float64(2005.7), age=np.int64(70000))
    assert f.founded_year[-1] == 2005 and f.age[-1] == np.asarray(np.int64(70000), dtype=np.int16)


def test_review_guards_raise_instead_of_reading_wrong_memory():
    """group_gini reads float32 bits (other dtypes raise), poisson_by_region checks the
    rates before drawing, absorption needs one degree per firm."""
    with pytest.raises(TypeError, match="float32"):
        kernels.group_gini(np.array([1.0, 2.0]), np.zeros(2, dtype=np.int16), 1)
    with pytest.raises(ValueError, match="group labels"):
        kernels.group_gini(np.ones(3, dtype=np.float32), np.zeros(2, dtype=np.int16), 1)
    r1, r2 = np.random.default_rng(4), np.random.default_rng(4)
    with pytest.raises(ValueError):
        kernels.poisson_by_region(r1, np.array([3.0, np.nan]))
    assert r1.random() == r2.random(), "nothing drawn before the error"
    from innocluster import load_scenario
    from innocluster.model import innovation
    from innocluster.model.engine import ClusterModel

    m = ClusterModel(load_scenario("core"), seed=1, firms=50)
    with pytest.raises(ValueError, match="degrees for"):
        innovation.absorption(m.world, np.zeros(3, dtype=np.int64), m.rng)


def test_stage_revenues_absorptive_capacity_and_rd_unit_adoption_match_numpy():
    """kernels.stage_revenues is R = f D[stage], X = x[region] R;
    kernels.update_absorptive_capacity moves alpha by R&D intensity, training and decay
    (clipped to [0, 1]) and sets up units where a firm has none and its uniform is below
    its region's rate."""
    g = np.random.default_rng(8)
    n = 5_000
    share, stage, region = g.random(n), g.integers(0, 5, n).astype(np.int8), g.integers(0, 3, n).astype(np.int16)
    D, xs = g.random(5) * 100, g.random(3)
    rev, exp = np.empty(n), np.empty(n)
    kernels.stage_revenues(share, D, stage, xs, region, rev, exp)
    assert np.array_equal(rev, share * D[stage]) and np.array_equal(exp, xs[region] * (share * D[stage]))
    has = g.random(n) < 0.4
    u, p = g.random(n), np.array([0.1, 0.5, 0.0])
    expect = ~has & (u < p[region])
    unit = has.copy()
    alpha = g.random(n).astype(np.float32)
    rd, revenue = g.random(n) * (g.random(n) < 0.7), g.random(n) * 10 * (g.random(n) < 0.9)
    training = np.array([0.0, 0.2, 0.05])
    intensity = np.where(revenue > 0, rd / np.maximum(revenue, 1e-12), 0.0)
    a = alpha.astype(float) + 0.3 * intensity + 0.1 * training[region] - (np.float32(0.05) * alpha).astype(float)
    expect_alpha = np.clip(a, 0.0, 1.0).astype(np.float32)
    rows = kernels.update_absorptive_capacity(alpha, rd, revenue, region, training, 0.3, 0.1, 0.05, u, p, unit)
    assert np.array_equal(alpha, expect_alpha) and (alpha == 1.0).any()
    assert np.array_equal(rows, np.flatnonzero(expect)) and np.array_equal(unit, has | expect)
    assert not expect[region == 2].any() and expect.sum() > 100


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.floats(0, 1), min_size=5, max_size=5), min_size=1, max_size=3),
       st.integers(0, 2**31), st.integers(0, 40))
def test_stage_from_mix_is_the_count_of_cumulative_shares_below_the_draw(mixes, seed, k):
    from types import SimpleNamespace

    from innocluster.model.entry import stage_from_mix

    mixes = [np.array(m) / max(sum(m), 1e-9) for m in mixes]
    world = SimpleNamespace(S=5, regions=SimpleNamespace(stage_cumulative=np.cumsum(np.array(mixes), axis=1)))
    rng = np.random.default_rng(seed)
    region = rng.integers(0, len(mixes), k)
    u = rng.random(k)
    cum = np.cumsum(np.array(mixes), axis=1)[region]
    expect = np.minimum((u[:, None] > cum).sum(axis=1), 4)
    assert stage_from_mix(u, region, world).tolist() == expect.tolist()
    # a draw equal to a cumulative share belongs to that share's stage; empty stages are skipped
    one = SimpleNamespace(S=5, regions=SimpleNamespace(stage_cumulative=np.cumsum([[0.5, 0.25, 0.25, 0, 0]], axis=1)))
    u = np.array([0.0, 0.5, 0.5000001, 0.75, 0.9, 1.0])
    assert stage_from_mix(u, np.zeros(6, dtype=np.int64), one).tolist() == [0, 0, 1, 1, 2, 2]


def test_regions_keep_the_scenarios_entrant_constants():
    """The per-region constants entry reads every year are the scenario's (built once)."""
    from innocluster import load_scenario
    from innocluster.model.world import build_regions

    sc = load_scenario("hsinchu")
    reg = build_regions(sc, 1.0, np.array([r.initial_firms for r in sc.regions]))
    for name in ("tech_sd", "rd_unit_share", "alpha_mean"):
        assert getattr(reg, name).tolist() == [getattr(r, name) for r in sc.regions]
    assert np.array_equal(reg.stage_cumulative, np.cumsum([r.stage_mix for r in sc.regions], axis=1))


def test_entrant_traits_follow_their_rules():
    """kernels.entrant_traits against the rules written out in NumPy."""
    g = np.random.default_rng(8)
    k, R = 5000, 3
    region = g.integers(0, R, k)
    u, z = g.random((2, k)), g.standard_normal((3, k))
    share, alpha_mean = np.array([0.2, 0.5, 0.9]), np.array([0.1, 0.3, 0.95])
    has_unit, rho, alpha, xi = kernels.entrant_traits(u, z, region, share, 0.4, 0.02, 0.5, alpha_mean, 0.6)
    unit = u[0] < share[region]
    informal = ~unit & (u[1] < 0.4)
    wanted = 0.02 * np.exp(-0.5 * 0.25 + 0.5 * z[0])
    assert np.array_equal(has_unit, unit)
    assert np.allclose(rho, np.where(unit, wanted, np.where(informal, 0.25 * wanted, 0.0)), rtol=1e-14, atol=0)
    assert np.array_equal(alpha, np.clip(alpha_mean[region] + 0.1 * z[1], 0, 1))
    assert np.array_equal(xi, np.clip(0.6 + 0.1 * z[2], 0, 1))
    assert 0 < (rho == 0).sum() < k and (alpha == 1).any() and (alpha == 0).any()


def test_startup_sites_follow_their_rules():
    """kernels.startup_sites: stage from the cumulative mix, technology below the local
    mean, a site next to a uniformly random firm of the region or, for a region without
    firms, around its centre."""
    g = np.random.default_rng(9)
    R, n, k = 3, 400, 3000
    firm_region = g.choice([0, 1], n).astype(np.int16)  # region 2 has no firms
    fx, fy = g.normal(0, 5, n).astype(np.float32), g.normal(0, 5, n).astype(np.float32)
    region = g.integers(0, R, k)
    u, z = g.random((2, k)), g.standard_normal((3, k))
    cum = np.cumsum(np.array([[0.6, 0.25, 0.1, 0.04, 0.01], [0.2] * 5, [0, 0, 1.0, 0, 0]]), axis=1)
    Abar, sd = np.array([1.0, 2.0, 0.0]), np.array([0.2, 0.4, 0.1])
    cx, cy, radius = np.array([0.0, 10.0, 20.0]), np.array([0.0, -10.0, 5.0]), np.array([1.0, 2.0, 3.0])
    stage, A, x, y = kernels.startup_sites(u, z, region, R, firm_region, fx, fy, cum, Abar, 0.3, sd, cx, cy, radius)
    assert np.array_equal(stage, np.minimum((u[0][:, None] > cum[region]).sum(axis=1), 4))
    assert np.array_equal(A, Abar[region] - 0.3 + 0.5 * sd[region] * z[0])
    members = [np.flatnonzero(firm_region == r) for r in range(R)]
    for j in range(k):
        r = region[j]
        if r == 2:
            assert (x[j], y[j]) == (cx[r] + radius[r] * z[1, j], cy[r] + radius[r] * z[2, j])
        else:
            a = members[r][int(u[1, j] * members[r].size)]
            assert (x[j], y[j]) == (float(fx[a]) + radius[r] / 5 * z[1, j], float(fy[a]) + radius[r] / 5 * z[2, j])


def test_spinoff_children_follow_their_parents():
    """kernels.spinoff_children against the rules written out in NumPy: technology lost,
    a site near the parent, the parent's stage, region and id, its R&D unit or a coin
    flip, and the spin-offs per region."""
    g = np.random.default_rng(4)
    n, k, R = 300, 120, 3
    A = g.normal(1.0, 0.3, n)
    fx, fy = g.normal(0, 5, n).astype(np.float32), g.normal(0, 5, n).astype(np.float32)
    stage, region = g.integers(0, 5, n).astype(np.int8), g.integers(0, 2, n).astype(np.int16)  # region 2: none
    ids, unit = g.permutation(10 * n)[:n].astype(np.int64), g.random(n) < 0.3
    parents = g.integers(0, n, k)
    z, u = g.standard_normal((3, k)), g.random(k)
    cA, cx, cy, cs, cr, pid, cu, per_region = kernels.spinoff_children(parents, z, u, A, fx, fy, stage, region, ids,
                                                                      unit, 0.2, 1.5, R)
    assert np.array_equal(cA, A[parents] - 0.2 * np.abs(z[0]))
    assert np.array_equal(cx, fx[parents] + 1.5 * z[1]) and np.array_equal(cy, fy[parents] + 1.5 * z[2])
    assert np.array_equal(cs, stage[parents]) and np.array_equal(cr, region[parents]) and np.array_equal(pid, ids[parents])
    assert np.array_equal(cu, unit[parents] | (u < 0.5))
    assert np.array_equal(per_region, np.bincount(region[parents], minlength=R))


def test_firm_table_append_and_assignment_validate_before_changing_anything():
    f = FirmTable(2)
    with pytest.raises(ValueError, match="'A' has 2 values for 3 new firms"):
        f.append(3, A=np.zeros(2))
    assert f.n == 2 and f.id.tolist() == [0, 1], "nothing appended"
    with pytest.raises(TypeError, match="holds int16, got float64"):
        f.age = f.age + 1.5
    f.employees = np.array([1.0, 2.0])  # float64 into float32: same kind
    assert f.employees.dtype == np.float32 and f.employees.tolist() == [1.0, 2.0]
    with pytest.raises(AttributeError):
        f.revenu = np.zeros(2)  # a misspelt column is an error, not a new attribute
    # a value that cannot be cast (NaN into an integer column, text into a float column)
    # fails after other columns were written: the table is still as it was
    for bad in ({"A": np.ones(2), "age": [np.nan, 1.0]}, {"x": np.ones(2), "A": ["abc", 1]}):
        with pytest.raises((ValueError, TypeError)):
            f.append(2, **bad)
        assert f.n == 2 and f.next_id == 2
    f.append(1)
    assert f.id.tolist() == [0, 1, 2], "ids stay unique after a failed append"


def test_kernels_keep_numpy_nan_handling():
    """NaN propagates through the fused arithmetic as through the NumPy expressions."""
    share = np.array([0.5, 0.5])
    out = np.empty(2)
    kernels.replicator(share, np.array([np.nan, 0.0]), np.zeros(2), np.zeros(2, dtype=np.int8), 1, 0.5,
                       np.zeros(0), out)
    expect_E = np.array([np.nan, 0.0])
    tot = share.sum()
    Ebar = (share * expect_E).sum() / tot
    new = share * np.maximum(0.0, 1.0 + 0.5 * (expect_E - Ebar))
    assert np.array_equal(out, new / new.sum(), equal_nan=True)
    assert np.isnan(out).all()


@pytest.mark.parametrize("S", [1, 3, 5])
@pytest.mark.parametrize("noise", [False, True])
def test_replicator_is_the_replicator_equation_renormalised(S, noise):
    """kernels.replicator against the rule written out in NumPy (stage totals by
    bincount, the shock factor multiplied in, renormalised within the stage), bit for
    bit, also when it writes over the shares it reads."""
    g = np.random.default_rng(S + 10 * noise)
    n = 500
    share, A = g.random(n), g.normal(0, 0.3, n)
    log_cost, stage = np.log(g.uniform(0.5, 1.5, n)), g.integers(0, S, n).astype(np.int8)
    factor = np.exp(g.normal(0, 0.1, n)) if noise else np.zeros(0)
    E = A - log_cost
    tot = np.bincount(stage, weights=share, minlength=S)
    Ebar = np.bincount(stage, weights=share * E, minlength=S) / np.maximum(tot, 1e-300)
    new = share * np.maximum(0.0, 1.0 + 0.7 * (E - Ebar[stage]))
    if noise:
        new *= factor
    expect = new / np.maximum(np.bincount(stage, weights=new, minlength=S), 1e-300)[stage]
    kernels.replicator(share, A, log_cost, stage, S, 0.7, factor, share)  # in place
    assert np.array_equal(share, expect)
    assert np.allclose(np.bincount(stage, weights=share, minlength=S)[np.bincount(stage, minlength=S) > 0], 1.0)
    with pytest.raises(ValueError, match="one shock factor per firm"):
        kernels.replicator(share, A, log_cost, stage, S, 0.7, np.ones(3), share)


# ----------------------------------------------------------------------------- event-driven tie draws
@pytest.mark.parametrize("p", [0.0, 0.05, 0.5, 1.0])
def test_decay_ties_drops_each_tie_with_probability_p_in_order(p):
    """Geometric skips: the kept keys are an ordered subset; over 200,000 ties the share
    dropped is p within four standard errors, and the runs of kept ties between drops
    have the geometric mean (1 - p) / p; the same seed drops the same ties."""
    T = 200_000
    keys = np.arange(T, dtype=np.int64) * 3
    buf = keys.copy()
    m = kernels.decay_ties(np.random.default_rng(1), buf, T, p)
    kept = buf[:m]
    assert np.all(np.diff(kept) > 0) and np.isin(kept, keys).all()
    dropped = (T - m) / T
    assert abs(dropped - p) <= 4 * np.sqrt(p * (1 - p) / T) + 1e-12
    if 0 < p < 1:
        gaps = np.diff(np.flatnonzero(~np.isin(keys, kept))) - 1  # kept ties between two drops
        assert abs(gaps.mean() - (1 - p) / p) < 4 * np.sqrt((1 - p) / p**2 / gaps.size)
        again = keys.copy()
        assert kernels.decay_ties(np.random.default_rng(1), again, T, p) == m and np.array_equal(again[:m], kept)


@pytest.mark.parametrize("p", [0.0, 0.1, 0.6, 1.0])
@pytest.mark.parametrize("sizes", [(0, 0), (0, 5), (5, 0), (1_000, 40), (50, 400), (3_000, 3_000)])
def test_merge_decay_ties_is_a_merge_then_a_decay(p, sizes):
    """The fused pass writes the keys, and leaves the generator in the state, of
    merge_ties followed by decay_ties on the union, including new keys that are tied
    already and the empty cases."""
    T, K = sizes
    rng = np.random.default_rng(T + K)
    old = np.unique(rng.integers(0, 8 * (T + K) + 1, T))
    new = np.unique(np.concatenate([rng.integers(0, 8 * (T + K) + 1, K), old[: K // 4]]))[:K]
    union = np.empty(old.size + new.size, dtype=np.int64)
    u = kernels.merge_ties(union, old, new)
    a, b = np.random.Generator(np.random.SFC64(7)), np.random.Generator(np.random.SFC64(7))
    expect = union[: kernels.decay_ties(a, union, u, p)]
    out = np.empty(old.size + new.size, dtype=np.int64)
    got = out[: kernels.merge_decay_ties(b, out, old, new, p)]
    assert np.array_equal(got, expect)
    assert a.random() == b.random()


def test_form_ties_picks_the_nearest_of_its_candidates_in_its_region():
    """Each tie starts at a firm of the forming region and ends at the closest of three
    random firms of that region (the firm itself excluded), or anywhere when external."""
    rng = np.random.default_rng(3)
    n = 2000
    region = rng.integers(0, 2, n).astype(np.int16)
    x, y = rng.random(n).astype(np.float32), rng.random(n).astype(np.float32)
    k = np.array([3000, 0])
    tries = 3
    u = rng.random(k.sum() * (tries + 3))
    a, b = kernels.form_ties(u, k, region, x, y, np.array([0.0, 0.0]), tries)
    members = np.flatnonzero(region == 0)
    assert a.size == 3000 and (region[a] == 0).all() and (region[b] == 0).all()
    U = u.reshape(-1, tries + 3)
    assert np.array_equal(a, members[(U[:, 0] * members.size).astype(int)])
    cand = members[(U[:, 1:tries + 1] * members.size).astype(int)]
    d = (x[cand] - x[a, None]) ** 2 + (y[cand] - y[a, None]) ** 2
    d[cand == a[:, None]] = np.inf
    expect = np.where(np.isinf(d).all(axis=1), a, cand[np.arange(a.size), np.argmin(d, axis=1)])
    assert np.array_equal(b, expect)
    # all external: partners anywhere, both regions
    _, b = kernels.form_ties(u, k, region, x, y, np.array([1.0, 1.0]), tries)
    assert set(region[b].tolist()) == {0, 1}
    with pytest.raises(ValueError):
        kernels.form_ties(u[:10], k, region, x, y, np.zeros(2), tries)
    # one region: its firms are every row, in row order
    one = np.zeros(n, dtype=np.int16)
    a1, b1 = kernels.form_ties(u, k[:1], one, x, y, np.zeros(1), tries)
    assert np.array_equal(a1, (U[:, 0] * n).astype(int))
    cand = (U[:, 1:tries + 1] * n).astype(int)
    d = (x[cand] - x[a1, None]) ** 2 + (y[cand] - y[a1, None]) ** 2
    d[cand == a1[:, None]] = np.inf
    assert np.array_equal(b1, np.where(np.isinf(d).all(axis=1), a1, cand[np.arange(a1.size), np.argmin(d, axis=1)]))


def test_new_ties_give_each_firm_a_poisson_number_of_ties():
    """One Poisson(lam n_r) count per region spread uniformly over its firms gives each
    firm a Poisson(lam_r) number of new ties: mean and variance lam_r per region."""
    from types import SimpleNamespace

    from innocluster.model.diffusion import new_ties

    rng = np.random.default_rng(5)
    n = 40_000
    f = FirmTable(n)
    f.region = (np.arange(n) % 2).astype(np.int16)
    f.x, f.y = rng.random(n), rng.random(n)
    world = SimpleNamespace(firms=f, regions=SimpleNamespace(R=2, external_links=np.array([0.0, 0.2])))
    lam = np.array([0.3, 1.5])
    per_firm = np.zeros((20, n))
    for rep in range(20):
        a, _ = new_ties(world, lam, rng)
        per_firm[rep] = np.bincount(a, minlength=n)
    for r in range(2):
        c = per_firm[:, f.region == r]
        assert abs(c.mean() - lam[r]) < 0.02 * lam[r] + 0.005
        assert abs(c.var() - lam[r]) < 0.05 * lam[r]


def _sources_by_the_rule(u, idx, C, region, key, x, y, A, external_search, geo_decay, institute_A, collab):
    """absorption_sources' documented rule, written out in Python (float64 weights);
    also returns how close each pick was to a slot boundary."""
    n = A.size
    a, b = key >> SHIFT, key & 0xFFFFFFFF
    nbrs = {i: sorted([int(v) for v in b[a == i]] + [int(v) for v in a[b == i]]) for i in set(idx.tolist())}
    # CSR order: lower ends (ties (u, i)) first, then upper ends, each ascending
    nbrs = {i: sorted(int(v) for v in a[b == i]) + sorted(int(v) for v in b[a == i]) for i in nbrs}
    stride = C + 2
    out = []
    for j, i in enumerate(idx):
        members = np.flatnonzero(region == region[i])
        row = u[j * stride:(j + 1) * stride]
        cands, weights = [], []
        for c in range(C):
            # one uniform per slot: its range gives the kind, its place in the range the firm
            kind = row[c]
            tied = kind > 0.5 and len(nbrs[i]) > 0
            if tied:
                pos = (kind - 0.5) / 0.5
                s = nbrs[i][min(int(pos * len(nbrs[i])), len(nbrs[i]) - 1)]
            elif kind < external_search:
                s = min(int(kind / external_search * n), n - 1)
            else:
                top = 0.5 if nbrs[i] else 1.0
                pos = (kind - external_search) / (top - external_search)
                s = members[min(int(pos * members.size), members.size - 1)]
            dist = float(np.hypot(np.float64(x[s] - x[i]), np.float64(y[s] - y[i])))
            w = np.exp(-dist / geo_decay) / (1 + abs(A[s] - A[i])) * (2 if tied else 1) if A[s] > A[i] else 0.0
            cands.append(s)
            weights.append(w)
        if institute_A.size:
            r = region[i]
            ok = row[C] < collab and institute_A[r] > A[i]
            cands.append(-1)
            weights.append(1 / (1 + abs(institute_A[r] - A[i])) if ok else 0.0)
        cum = np.cumsum(weights)
        if cum[-1] <= 0:
            out.append((None, None, 0.0))
            continue
        d = row[C + 1] * cum[-1]
        pick = int(np.searchsorted(cum, d, side="right"))
        s = cands[min(pick, len(cands) - 1)]
        target = institute_A[region[i]] if s < 0 else A[s]
        out.append((s, target, float(np.min(np.abs(cum - d)) / cum[-1])))
    return out


def test_catch_up_closes_the_gap_from_the_technologies_before_absorption():
    """kernels.catch_up: A_i += eta (A_s - A_i) for firms with a source, using each
    target as chosen (a firm that is both a source and an absorber does not pass its
    new level on), successes counted per region."""
    A = np.array([0.0, 1.0, 2.0, 0.5, 3.0])
    idx = np.array([0, 2, 3])
    target = np.array([2.0, 4.0, 9.0])  # firm 0 learns from firm 2 at its old level
    has = np.array([True, True, False])
    region = np.array([0, 1, 1, 1, 0], dtype=np.int16)
    got, recreating = kernels.catch_up(A, idx, target, has, 0.5, region, 2, np.array([0.9, 0.1, 0.0]), 0.5)
    assert A.tolist() == [1.0, 1.0, 3.0, 0.5, 3.0] and got.tolist() == [1, 1]
    assert recreating.tolist() == [2], "re-creation needs a source and a uniform below p_re (rows, not positions)"


def test_recreate_follows_its_rules():
    """kernels.recreate against the rules written out in NumPy: the positive part of the
    jump, a patent where the jump is positive and the uniform below the region's
    probability, and collaboration ties to firm sources only."""
    g = np.random.default_rng(12)
    n, k = 200, 80
    A, pats = g.normal(0, 1, n), g.integers(0, 3, n).astype(np.int32)
    region = g.integers(0, 2, n).astype(np.int16)
    idx = np.sort(g.choice(n, k, replace=False))
    rows = idx[g.random(k) < 0.5]
    jump, u_pat, u_tie = g.normal(0, 0.1, rows.size), g.random(rows.size), g.random(k)
    p_pat = np.array([0.3, 0.8])
    source, has = g.integers(-1, n, k), g.random(k) < 0.7
    A0, pats0 = A.copy(), pats.copy()
    a, b = kernels.recreate(A, pats, rows, jump, u_pat, p_pat, region, idx, source, has, u_tie, 0.4)
    expect_A = A0.copy()
    expect_A[rows] += np.maximum(jump, 0.0)
    expect_pats = pats0.copy()
    expect_pats[rows[(jump > 0) & (u_pat < p_pat[region[rows]])]] += 1
    assert np.array_equal(A, expect_A) and np.array_equal(pats, expect_pats)
    tie = has & (source >= 0) & (u_tie < 0.4)
    assert np.array_equal(a, idx[tie]) and np.array_equal(b, source[tie]) and tie.any()


@pytest.mark.parametrize(("institute", "R"), [(False, 3), (True, 3), (False, 1), (True, 1)])
def test_absorption_sources_follow_the_rule(institute, R):
    rng = np.random.default_rng(8)
    n, C = 300, 6
    region = rng.integers(0, R, n).astype(np.int16)
    x, y = (rng.random(n) * 30).astype(np.float32), (rng.random(n) * 30).astype(np.float32)
    A = rng.normal(0, 0.3, n)
    key = kernels.tie_keys(rng.integers(0, n, 500), rng.integers(0, n, 500))
    idx = np.sort(rng.choice(n, 120, replace=False))
    u = rng.random(idx.size * (C + 2))
    inst_A = np.array([0.2, 0.5, -1.0])[:R] if institute else np.zeros(0)
    deg = kernels.tie_degree(key, n)
    src, target, has = kernels.absorption_sources(u, idx, C, region, R, key, deg, x, y, A, 0.1, 15.0, inst_A, 0.4)
    expect = _sources_by_the_rule(u, idx, C, region, key, x, y, A, 0.1, 15.0, inst_A, 0.4)
    checked = 0
    for j, (s, t, margin) in enumerate(expect):
        assert has[j] == (s is not None)
        if s is not None and margin > 1e-6:  # float32 exponentials: skip picks on a slot boundary
            assert src[j] == s and target[j] == t
            checked += 1
        if not has[j]:
            assert target[j] == A[idx[j]]
    assert checked > 80 and has.sum() < idx.size  # some firms find no better candidate
    assert (src[has] == -1).any() == institute
    with pytest.raises(ValueError):
        kernels.absorption_sources(u[:5], idx, C, region, R, key, deg, x, y, A, 0.1, 15.0, inst_A, 0.4)
    with pytest.raises(ValueError, match="degree says"):  # a degree that does not match the ties
        kernels.absorption_sources(u, idx, C, region, R, key, deg + 1, x, y, A, 0.1, 15.0, inst_A, 0.4)
