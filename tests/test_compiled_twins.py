"""Every compiled twin against its NumPy rule (``innocluster.model.compiled``).

The inputs are the ones the model really passes: short runs of scenarios that switch
every mechanism on (one region, two regions, five regions) record each call of each
twin; the twin and the NumPy rule then run on the same inputs and must agree (integer
and boolean results exactly, floating-point ones up to rounding). Edge cases (nothing
to do) and random inputs of the tie list's operations come on top.
"""

from __future__ import annotations

import importlib.util
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from conftest import small
from hypothesis import given
from hypothesis import strategies as st

from innocluster.model import compiled, network
from innocluster.model.engine import ClusterModel

DATA = Path(__file__).parent / "data"


def _five_regions():
    spec = importlib.util.spec_from_file_location("make_engine_reference", DATA / "make_engine_reference.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.five_regions()


RUNS = [  # scenario, firms, years: every mechanism on somewhere, one to five regions
    (lambda: small("core"), 800, 6),
    (lambda: small("hsinchu", "relocation.mne_rate=3", "relocation.sample_share=0.2"), 900, 6),
    (lambda: small("china-sme-baseline"), 900, 5),
    (_five_regions, 900, 5),
    (lambda: small("pinghu", "mechanisms.stage_programme=true"), 700, 6),
]


def _copy(value):
    return value.copy() if isinstance(value, np.ndarray) else value


@pytest.fixture(scope="module")
def captured():
    """The keyword arguments of every call of every twin during the runs."""
    calls = defaultdict(list)
    originals = dict(compiled.TWINS)

    def recorder(rule, twin):
        def record(**kwargs):
            calls[rule].append({k: _copy(v) for k, v in kwargs.items()})
            return twin(**kwargs)
        return record

    for rule, twin in originals.items():
        compiled.TWINS[rule] = recorder(rule, twin)
    try:
        for scenario, firms, years in RUNS:
            ClusterModel(scenario(), seed=3, firms=firms).run(years)
    finally:
        compiled.TWINS.update(originals)
    return calls


def _agree(a, b, where):
    if a is None:  # a rule that works in place
        assert b is None, where
        return
    if isinstance(a, tuple):
        assert isinstance(b, tuple) and len(a) == len(b), where
        for k, (x, y) in enumerate(zip(a, b)):
            _agree(x, y, f"{where}[{k}]")
        return
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (where, a.shape, b.shape)
    if a.dtype.kind in "biu":
        assert b.dtype.kind in "biu" and np.array_equal(a, b), where
    else:
        assert np.allclose(a, b, rtol=1e-11, atol=1e-12, equal_nan=True), (where, np.abs(a - b).max())


def test_compiled_code_is_on_by_default():
    assert compiled.ENABLED, "set INNOCLUSTER_NUMPY_ONLY=0 (or unset it) to test the twins"
    assert len(compiled.TWINS) >= 10


def test_every_twin_runs_in_the_model(captured):
    missing = {rule.__qualname__ for rule in compiled.TWINS} - {rule.__qualname__ for rule in captured}
    assert not missing, f"twins no run called: {sorted(missing)}"


@pytest.mark.parametrize("rule", list(compiled.TWINS), ids=lambda r: f"{r.__module__.rsplit('.', 1)[-1]}.{r.__name__}")
def test_twin_equals_its_numpy_rule_on_the_models_inputs(captured, rule):
    calls = captured[rule]
    twin = compiled.TWINS[rule]
    # the first calls (small tables, first years) and the largest ones
    picked = calls[:3] + sorted(calls, key=lambda kw: sum(np.size(v) for v in kw.values()))[-3:]
    for k, kwargs in enumerate(picked):
        rule_args = {n: _copy(v) for n, v in kwargs.items()}
        twin_args = {n: _copy(v) for n, v in kwargs.items()}
        _agree(rule(**rule_args), twin(**twin_args), f"{rule.__name__} call {k}")
        for name in kwargs:  # rules that work in place leave the same arrays
            if isinstance(kwargs[name], np.ndarray):
                _agree(rule_args[name], twin_args[name], f"{rule.__name__} call {k}, argument {name}")


@pytest.mark.parametrize("rule", list(compiled.TWINS), ids=lambda r: r.__name__)
def test_twin_equals_its_rule_with_nothing_to_do(captured, rule):
    """The same inputs with every per-firm, per-tie and per-event array emptied where
    the rule allows it (no absorbers, no ties, no new keys, no firms)."""
    kwargs = {n: _copy(v) for n, v in captured[rule][0].items()}
    empty_fields = {
        "source_choice": ("absorbers",), "merge_keys": ("new",), "remap_keys": ("keys",),
        "neighbour_lists": ("keys", "rows"), "nearest_candidate": ("firm",),
    }.get(rule.__name__)
    if empty_fields is None:  # per-firm rules: a table of no firms
        n = next(np.size(v) for v in kwargs.values() if isinstance(v, np.ndarray) and v.ndim == 1)
        kwargs = {k: (v[:0] if isinstance(v, np.ndarray) and v.shape[:1] == (n,) else v) for k, v in kwargs.items()}
    else:
        for field in empty_fields:
            kwargs[field] = kwargs[field][:0]
        if rule.__name__ == "source_choice":
            for field in ("kind", "pick", "u_institute", "u_choice"):
                kwargs[field] = kwargs[field][:0]
            kwargs["neighbour_start"] = np.zeros(1, dtype=np.int64)
        if rule.__name__ == "nearest_candidate":
            kwargs["candidates"] = kwargs["candidates"][:0]
        if rule.__name__ == "neighbour_lists":
            kwargs["degree"] = np.zeros_like(kwargs["degree"])
    _agree(rule(**kwargs), compiled.TWINS[rule](**kwargs), rule.__name__)


keys_of = st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=60).map(
    lambda pairs: network.tie_keys(np.array([p[0] for p in pairs], dtype=np.int64),
                                   np.array([p[1] for p in pairs], dtype=np.int64)))


@given(keys=keys_of, new=keys_of)
def test_merged_tie_lists_are_the_union(keys, new):
    twin = compiled.TWINS[network.merge_keys]
    union = np.union1d(keys, new)
    assert np.array_equal(network.merge_keys(keys=keys, new=new), union)
    assert np.array_equal(twin(keys=keys, new=new), union)


@given(keys=keys_of, leaving=st.lists(st.booleans(), min_size=41, max_size=41))
def test_remapped_tie_lists_follow_a_swap_remove(keys, leaving):
    from innocluster.model.state import FirmTable

    table = FirmTable(41)
    old_to_new = table.remove(np.array(leaving))
    for rule in (network.remap_keys, compiled.TWINS[network.remap_keys]):
        kept, a, b = rule(keys=keys, old_to_new=old_to_new)
        u, v = keys >> 32, keys & 0xFFFFFFFF
        survivors = {(min(old_to_new[x], old_to_new[y]), max(old_to_new[x], old_to_new[y]))
                     for x, y in zip(u.tolist(), v.tolist()) if old_to_new[x] >= 0 and old_to_new[y] >= 0}
        got = {(int(k >> 32), int(k & 0xFFFFFFFF)) for k in kept} | {(min(x, y), max(x, y)) for x, y in zip(a, b)}
        assert got == survivors
        assert np.all(np.diff(kept) > 0), "the keys that stay keep their order"


@given(keys=keys_of, rows=st.sets(st.integers(0, 40), max_size=20))
def test_neighbour_lists_and_degrees(keys, rows):
    """Degrees count both ends of every tie; the neighbour lists hold exactly each firm's
    tie partners, and a degree that does not fit the ties is refused."""
    rows = np.array(sorted(rows), dtype=np.int64)
    net = network.TrustNetwork()
    net.add(keys >> 32, keys & 0xFFFFFFFF)
    deg = net.degree(41)
    indptr_expected = {}
    for k in keys.tolist():
        indptr_expected.setdefault(k >> 32, []).append(k & 0xFFFFFFFF)
        indptr_expected.setdefault(k & 0xFFFFFFFF, []).append(k >> 32)
    for rule in (network.neighbour_lists, compiled.TWINS[network.neighbour_lists]):
        start, lists = rule(keys=keys, rows=rows, degree=deg)
        for j, r in enumerate(rows.tolist()):
            assert sorted(lists[start[j]:start[j + 1]].tolist()) == sorted(indptr_expected.get(r, []))
    with pytest.raises(ValueError, match="degree does not match"):
        compiled.TWINS[network.neighbour_lists](keys=network.tie_keys(np.array([0]), np.array([1])),
                                                rows=np.array([0]), degree=np.zeros(41, dtype=np.int64))


def test_a_run_on_the_numpy_rules_equals_the_compiled_run(monkeypatch):
    """Whole years on the NumPy rules alone give the compiled run's numbers (up to
    rounding; no decision of these years falls within rounding of its threshold)."""
    sc = small("hsinchu", "relocation.mne_rate=3")
    fast = ClusterModel(sc, seed=4, firms=600).run(4).timeseries
    monkeypatch.setattr(compiled, "ENABLED", False)
    plain = ClusterModel(sc, seed=4, firms=600).run(4).timeseries
    num = fast.select_dtypes("number").columns
    assert np.allclose(fast[num].to_numpy(float), plain[num].to_numpy(float), rtol=1e-9, atol=1e-9, equal_nan=True)


def test_group_twins_on_many_groups_and_non_finite_values():
    """The per-group totals agree with bincount for a few groups (one pass each) and for
    many (one pass over all), with infinite and NaN values, and refuse labels outside
    0..G-1 instead of writing past the totals."""
    from innocluster.model.world import group_count, group_sum

    g = np.random.default_rng(3)
    for G in (1, 2, 3, 9, 40):
        group = g.integers(0, G, 500)
        values = g.normal(size=500)
        values[::97] = np.inf
        values[::131] = np.nan
        assert np.array_equal(group_count(group=group, G=G), compiled.TWINS[group_count](group=group, G=G))
        assert np.allclose(group_sum(group=group, values=values, G=G),
                           compiled.TWINS[group_sum](group=group, values=values, G=G), equal_nan=True)
        for bad in (np.append(group, G), np.append(group, -1)):
            for rule in (group_count, compiled.TWINS[group_count]):
                with pytest.raises(ValueError):
                    rule(group=bad, G=G)
            for rule in (group_sum, compiled.TWINS[group_sum]):
                with pytest.raises(ValueError):
                    rule(group=bad, values=np.ones(bad.size), G=G)

