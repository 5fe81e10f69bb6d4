"""The trust network: unique undirected ties that follow the firm table."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from innocluster.model import kernels
from innocluster.model.network import TrustNetwork


def pairs_of(net):
    return set(zip(net.u.tolist(), net.v.tolist()))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=80),
       st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=40),
       st.lists(st.booleans(), min_size=31, max_size=31))
def test_ties_unique_sorted_and_follow_compaction(first, second, alive):
    net = TrustNetwork()
    expect = set()
    for batch in (first, second):
        if batch:
            a, b = np.array(batch).T
            net.add(a, b)
            expect |= {(min(x, y), max(x, y)) for x, y in batch if x != y}
    assert pairs_of(net) == expect
    assert net.n_ties == len(expect)
    key = net.u * 1000 + net.v
    assert np.all(np.diff(key) > 0), "sorted by (u, v), no duplicates"
    n = 31
    deg = net.degree(n)
    indptr, indices = net.csr(n)
    assert np.array_equal(np.diff(indptr), deg)
    for i in range(n):
        assert set(indices[indptr[i]:indptr[i + 1]].tolist()) == {v for u, v in expect if u == i} | {u for u, v in expect if v == i}
    # removal: dead firms lose their ties, survivors are renumbered (a swap-remove, as
    # the firm table does, or a stable compaction: any renumbering of the survivors)
    alive = np.array(alive)
    stable = np.full(n, -1)
    stable[alive] = np.arange(alive.sum())
    swapped = kernels.fill_holes(alive)[0]
    for old_to_new in (swapped, stable):
        moved = TrustNetwork()
        a, b = (np.array(sorted(expect)).T if expect else (np.zeros(0, int), np.zeros(0, int)))
        moved.add(a[::2], b[::2])
        _ = moved.n_ties  # half the ties merged into the list, half pending (with a repeat)
        moved.add(np.r_[a[1::2], a[:1]], np.r_[b[1::2], b[:1]])
        moved.remap(old_to_new)
        remapped = {(min(old_to_new[u], old_to_new[v]), max(old_to_new[u], old_to_new[v]))
                    for u, v in expect if alive[u] and alive[v]}
        assert pairs_of(moved) == remapped
        assert np.all(np.diff(moved.keys) > 0)
    net.remap(old_to_new)
    # dropping keeps the rest
    if net.n_ties:
        mask = np.zeros(net.n_ties, dtype=bool)
        mask[0] = True
        gone = (int(net.u[0]), int(net.v[0]))
        net.drop(mask)
        assert pairs_of(net) == remapped - {gone}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=120),
       st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=60),
       st.sampled_from([0.0, 0.2, 0.7, 1.0]))
def test_decay_with_pending_ties_equals_merging_first(first, second, p):
    """Decay merges pending ties in the same pass as it dissolves ties: the ties left,
    and the generator's state after, are those of reading the network (merging) first."""
    fused, merged = TrustNetwork(), TrustNetwork()
    for net in (fused, merged):
        if first:
            net.add(*np.array(first).T)
        _ = net.n_ties  # the first batch is in the list
        if second:
            net.add(*np.array(second).T)  # the second pending
    _ = merged.n_ties  # merged before the decay; `fused` merges it in the decay's pass
    a, b = np.random.Generator(np.random.SFC64(3)), np.random.Generator(np.random.SFC64(3))
    fused.decay(p, a)
    merged.decay(p, b)
    assert np.array_equal(fused.keys, merged.keys)
    assert a.random() == b.random()
