"""Memory reuse for very large runs (innocluster.model.allocator): freed arrays are
reused without new page faults while a large run is on, the defaults come back
afterwards, results never depend on it, and simulate/run switch it on by size."""

from __future__ import annotations

import resource

import numpy as np
import pytest

from innocluster import load_scenario, simulate
from innocluster.model import allocator
from innocluster.model.engine import ClusterModel

needs_glibc = pytest.mark.skipif(not allocator.available(), reason="allocator tuning needs glibc")

N64MB = 8 * 1024 * 1024  # float64 values in 64 MiB: above glibc's largest mmap threshold (32 MiB)


def _faults_of_second_allocation() -> int:
    """Minor page faults of filling a 64 MiB array right after an equal one was freed."""
    a = np.ones(N64MB)
    del a
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    b = np.ones(N64MB)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    del b
    return faults


@pytest.fixture
def small_pages():
    """NumPy asks for huge pages on large arrays; count 4 KiB faults instead."""
    from numpy._core import multiarray

    old = multiarray._set_madvise_hugepage(False)
    yield
    multiarray._set_madvise_hugepage(old)


@needs_glibc
def test_freed_large_arrays_are_reused_only_inside_the_block(small_pages):
    outside = _faults_of_second_allocation()
    with allocator.keep_freed_memory() as on:
        assert on and allocator.in_force()
        inside = _faults_of_second_allocation()
    assert not allocator.in_force()
    after = _faults_of_second_allocation()
    # 64 MiB are 16,384 pages of 4 KiB: mapped afresh each time outside, reused inside
    assert outside > 8000 and after > 8000
    assert inside < 100


@needs_glibc
def test_after_a_block_freed_mid_size_arrays_are_reused_again(small_pages):
    """Setting malloc parameters switches glibc's adaptive threshold off for good; after
    the block the thresholds sit where that rule leaves them after large arrays, so
    later runs do not map and zero every 2 MiB temporary afresh."""
    with allocator.keep_freed_memory():
        pass
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(200):
        a = np.ones(256 * 1024)  # 2 MiB
        del a
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    assert faults < 20_000  # 200 fresh mappings of 512 pages would be about 100,000


def test_a_user_tuned_malloc_is_left_alone(monkeypatch):
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "65536")
    assert allocator._user_tuned()
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_")
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.malloc.trim_threshold=1000")
    assert allocator._user_tuned()
    monkeypatch.setenv("GLIBC_TUNABLES", "glibc.cpu.hwcaps=-AVX2")
    assert not allocator._user_tuned()


@needs_glibc
def test_nested_blocks_restore_on_the_outermost_exit():
    with allocator.keep_freed_memory():
        with allocator.keep_freed_memory():
            pass
        assert allocator.in_force()
    assert not allocator.in_force()
    with allocator.keep_freed_memory(enabled=False) as on:
        assert not on and not allocator.in_force()


def test_results_do_not_depend_on_the_allocator():
    sc = load_scenario("core")
    plain = ClusterModel(sc, seed=3, firms=300).run(years=4).timeseries
    with allocator.keep_freed_memory():
        kept = ClusterModel(sc, seed=3, firms=300).run(years=4).timeseries
    num = plain.select_dtypes("number").columns
    assert np.array_equal(plain[num].to_numpy(), kept[num].to_numpy(), equal_nan=True)


@needs_glibc
@pytest.mark.parametrize("threshold, expect", [(200, True), (10**9, False)])
def test_simulate_keeps_freed_memory_for_large_populations(monkeypatch, threshold, expect):
    seen = []
    step = ClusterModel.step
    monkeypatch.setattr(allocator, "LARGE_POPULATION", threshold)
    monkeypatch.setattr(ClusterModel, "step", lambda self: (seen.append(allocator.in_force()), step(self)))
    simulate(load_scenario("core"), seed=1, years=2, firms=300)
    assert seen == [expect, expect]
    assert not allocator.in_force()
