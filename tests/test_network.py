"""The firm table and the trust network: the model's two data structures."""

from __future__ import annotations

import copy
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from innocluster.model.network import TrustNetwork
from innocluster.model.record import entropy_bits, gini
from innocluster.model.state import COLUMNS, FirmTable


def pairs_of(net):
    return set(zip(net.u.tolist(), net.v.tolist()))


# ----------------------------------------------------------------------------- firm table
def test_firm_table_appends_removes_and_assigns():
    f = FirmTable(5)
    assert f.n == 5 and f.id.tolist() == [0, 1, 2, 3, 4] and (f.parent == -1).all()
    f.A = np.arange(5, dtype=float)
    rows = f.append(7, A=np.full(7, 9.0), region=1, parent=np.arange(7))
    assert rows.tolist() == list(range(5, 12)) and f.n == 12 and f.capacity >= 12
    assert f.A.tolist() == [0, 1, 2, 3, 4] + [9.0] * 7
    assert f.region.tolist() == [0] * 5 + [1] * 7 and f.parent[5:].tolist() == list(range(7))
    assert all(getattr(f, c).dtype == dt for c, dt in COLUMNS.items())
    leaving = np.zeros(12, dtype=bool)
    leaving[[1, 6, 11]] = True
    old_to_new = f.remove(leaving)
    # swap-remove: the last survivors (rows 9, 10) fill the holes below the new end (rows 1, 6)
    assert f.n == 9 and f.id.tolist() == [0, 9, 2, 3, 4, 5, 10, 7, 8]
    assert old_to_new.tolist() == [0, -1, 2, 3, 4, 5, -1, 7, 8, 1, 6, -1]
    assert f.A.tolist() == [0, 9.0, 2, 3, 4] + [9.0] * 4
    with pytest.raises(ValueError, match="3 values for 9 firms"):
        f.A = np.zeros(3)
    with pytest.raises(KeyError, match="unknown firm columns"):
        f.append(1, not_a_column=1)
    with pytest.raises(ValueError, match="2 values for 9 firms"):
        f.remove(np.zeros(2, dtype=bool))
    for k in range(50):  # growth keeps every value
        f.append(3, A=float(k))
    assert f.n == 159 and f.A[-3:].tolist() == [49.0] * 3 and f.A[:4].tolist() == [0, 9, 2, 3]
    assert f.id[-1] == f.next_id - 1


@given(st.lists(st.booleans(), max_size=60))
def test_swap_remove_keeps_every_survivor_and_moves_only_rows_beyond_the_new_end(leaving):
    leaving = np.array(leaving, dtype=bool)
    f = FirmTable(leaving.size)
    f.A = np.arange(leaving.size, dtype=float)
    before = f.A.copy()
    old_to_new = f.remove(leaving)
    m = int((~leaving).sum())
    assert f.n == m and np.array_equal(old_to_new < 0, leaving)
    assert sorted(old_to_new[~leaving].tolist()) == list(range(m)), "survivors fill rows 0..m-1"
    assert np.array_equal(old_to_new[:m][~leaving[:m]], np.flatnonzero(~leaving[:m])), "survivors below m stay"
    assert np.array_equal(f.A[old_to_new[~leaving]], before[~leaving])


def test_append_validates_before_changing_anything_and_zeroes_what_it_is_not_given():
    f = FirmTable(4)
    f.A = np.ones(4)
    f.remove(np.array([True, True, False, False]))  # stale values stay in the spare capacity
    with pytest.raises(ValueError, match="3 values for 2 new firms"):
        f.append(2, x=np.zeros(3))
    assert f.n == 2
    f.append(2, x=np.array([0.1, 0.2]))
    assert f.A.tolist() == [1.0, 1.0, 0.0, 0.0] and f.parent[2:].tolist() == [-1, -1]
    for name in COLUMNS.keys() - {"id", "parent", "x", "A"}:
        assert (getattr(f, name)[2:] == 0).all(), name


def test_copied_and_unpickled_firm_tables_keep_their_own_columns():
    f = FirmTable(3)
    f.A = np.array([1.0, 2.0, 3.0])
    _ = f.rd, f.A  # cache views
    for g in (copy.deepcopy(f), pickle.loads(pickle.dumps(f))):
        g.rd = np.ones(3)
        g.A[:] = 5.0
        g.append(1, A=7.0)
        assert g.rd.tolist() == [1.0, 1.0, 1.0, 0.0] and g.A.tolist() == [5.0, 5.0, 5.0, 7.0]
    assert f.A.tolist() == [1.0, 2.0, 3.0] and f.rd.tolist() == [0.0] * 3


# ----------------------------------------------------------------------------- trust network
pairs = st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=80)


@given(pairs, pairs, st.lists(st.booleans(), min_size=31, max_size=31))
def test_ties_stay_unique_and_sorted_and_follow_removals(first, second, leaving):
    net = TrustNetwork()
    expect = set()
    for batch in (first, second):
        if batch:
            net.add(*np.array(batch).T)
            expect |= {(min(x, y), max(x, y)) for x, y in batch if x != y}
        _ = net.n_ties  # the first batch merged before the second arrives
    assert pairs_of(net) == expect and net.n_ties == len(expect)
    assert np.all(np.diff(net.keys) > 0), "sorted by (u, v), no duplicates"
    n = 31
    deg = net.degree(n)
    indptr, indices = net.csr(n)
    assert np.array_equal(np.diff(indptr), deg)
    for i in range(n):
        assert set(indices[indptr[i]:indptr[i + 1]].tolist()) == (
            {v for u, v in expect if u == i} | {u for u, v in expect if v == i})
    table = FirmTable(n)
    old_to_new = table.remove(np.array(leaving))
    # pending ties (added, not merged yet) follow the renumbering too, those of leaving
    # firms vanish, duplicates of merged ties and self-ties stay out
    extra = [(0, 1)] + [(i, (7 * i + 3) % n) for i in range(0, n, 2)] + sorted(expect)[:3]
    net.add(*np.array(extra).T)
    expect |= {(min(x, y), max(x, y)) for x, y in extra if x != y}
    net.remap(old_to_new)
    remapped = {(min(old_to_new[u], old_to_new[v]), max(old_to_new[u], old_to_new[v]))
                for u, v in expect if old_to_new[u] >= 0 and old_to_new[v] >= 0}
    assert pairs_of(net) == remapped and np.all(np.diff(net.keys) > 0)


@given(pairs, st.sampled_from([0.0, 0.3, 1.0]))
def test_each_tie_decays_with_its_probability(batch, p):
    net = TrustNetwork()
    if batch:
        net.add(*np.array(batch).T)
    before = pairs_of(net)
    net.decay(p, np.random.default_rng(1))
    assert pairs_of(net) <= before
    if p == 0.0:
        assert pairs_of(net) == before
    if p == 1.0:
        assert not pairs_of(net)


@given(pairs, pairs, st.sampled_from([0.0, 0.3, 1.0]))
def test_decay_does_not_depend_on_when_added_ties_were_merged(first, second, p):
    """Ties added this year decay like the others, whether or not something read the
    network (and merged them into the list) before the decay."""
    merged, pending = TrustNetwork(), TrustNetwork()
    for net in (merged, pending):
        if first:
            net.add(*np.array(first).T)
        _ = net.n_ties
        if second:
            net.add(*np.array(second).T)
    _ = merged.n_ties
    a, b = np.random.default_rng(5), np.random.default_rng(5)
    merged.decay(p, a)
    pending.decay(p, b)
    assert np.array_equal(merged.keys, pending.keys) and a.random() == b.random()


def test_decay_rate_is_the_probability_per_tie():
    net = TrustNetwork()
    g = np.random.default_rng(2)
    net.add(g.integers(0, 5000, 40000), g.integers(0, 5000, 40000))
    T = net.n_ties
    net.decay(0.05, np.random.default_rng(3))
    share = 1 - net.n_ties / T
    assert abs(share - 0.05) < 4 * np.sqrt(0.05 * 0.95 / T)


def test_network_rejects_bad_ties_and_masks():
    net = TrustNetwork()
    net.add(0, 5)
    net.add(np.array([[1, 2]]), np.array([[3, 4]]))  # 2-D ends are flattened
    assert net.n_ties == 3
    with pytest.raises(ValueError, match="outside the firm table"):
        net.degree(3)
    with pytest.raises(ValueError, match="a mask of 1 values for 3 ties"):
        net.drop(np.array([True]))
    with pytest.raises(ValueError, match="different lengths"):
        net.add(np.array([1, 2]), np.array([3]))
    net.add(np.array([-1]), np.array([2]))
    with pytest.raises(ValueError, match="not a row of the firm table"):
        _ = net.keys
    with pytest.raises(ValueError, match="must be in"):
        TrustNetwork().decay(1.5, np.random.default_rng(0))


# ----------------------------------------------------------------------------- record measures
def test_gini_and_entropy_worked_examples():
    """Equal sizes: 0; one firm holding everything among n: (n - 1) / n; {1, 2, 3, 4}:
    mean absolute difference 1.25 over twice the mean 2.5 = 0.25; four firms in four
    0.1-wide technology bins: 2 bits."""
    assert gini(np.ones(4)) == 0.0
    assert gini(np.array([0.0, 0, 0, 5])) == pytest.approx(0.75)
    assert gini(np.array([4.0, 1, 3, 2])) == pytest.approx(0.25)
    assert gini(np.zeros(0)) == 0.0
    assert entropy_bits(np.array([0.05, 0.15, 0.25, 0.35])) == pytest.approx(2.0)
    assert entropy_bits(np.array([0.05, 0.06])) == 0.0


@given(st.lists(st.floats(-5, 5), max_size=200))
def test_entropy_is_that_of_the_bin_shares(values):
    values = np.array(values)
    _, c = np.unique(np.floor(values / 0.1), return_counts=True)
    p = c / max(c.sum(), 1)
    assert entropy_bits(values) == pytest.approx(float(-(p * np.log2(p)).sum()), abs=1e-12)


def test_the_records_entropy_and_gini_are_those_of_each_regions_firms():
    """The record's technology entropy (from one histogram of every region) and size Gini
    equal the definitions applied to each region's firms."""
    from conftest import small

    from innocluster.model.engine import ClusterModel
    from innocluster.model.record import region_totals

    m = ClusterModel(small("hsinchu"), seed=3, firms=900)
    for _ in range(4):
        m.step()
    f = m.world.firms
    t = region_totals(m.world)
    for r in range(m.world.regions.R):
        assert t["tech_entropy"][r] == pytest.approx(entropy_bits(f.A[f.region == r]), abs=1e-12)
        assert t["size_gini"][r] == pytest.approx(gini(f.employees[f.region == r]), abs=1e-12)
