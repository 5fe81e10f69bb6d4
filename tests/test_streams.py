"""One random stream per mechanism (``innocluster.model.streams``).

Switching a mechanism off, or changing how many numbers it draws, must leave every
other mechanism's draws as they were: the paper's experiments compare mechanisms on
and off, and policy arms, with common random numbers.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import small

from innocluster.model import streams
from innocluster.model.engine import ClusterModel
from innocluster.scenario.schema import Mechanisms

FIRMS = 900


class Recorder:
    """A generator that logs every draw it hands a mechanism: (method, values)."""

    def __init__(self, gen, log):
        self._gen, self._log = gen, log

    def __getattr__(self, name):
        method = getattr(self._gen, name)

        def draw(*args, **kwargs):
            out = method(*args, **kwargs)
            self._log.append((name, np.array(out, copy=True)))
            return out
        return draw


def year_one_draws(*overrides):
    """Every mechanism's draws in year 1, and the state of its generator when it first drew."""
    m = ClusterModel(small("hsinchu", *overrides), seed=5, firms=FIRMS)
    logs: dict[str, list] = {}
    first_state: dict[str, dict] = {}
    plain = m.streams

    class RecordingStreams:
        def rng(self, mechanism):
            g = plain.rng(mechanism)
            first_state.setdefault(mechanism, str(g.bit_generator.state))
            return Recorder(g, logs.setdefault(mechanism, []))
    m.streams = RecordingStreams()
    m.step()
    return logs, first_state


def test_stream_keys_are_fixed_and_distinct():
    assert len(set(streams.KEYS.values())) == len(streams.KEYS)
    draws = {name: streams.generator(7, name).random(4) for name in streams.KEYS}
    assert len({tuple(v) for v in draws.values()}) == len(draws), "every mechanism has its own stream"
    again = streams.generator(7, "startups").random(4)
    assert np.array_equal(again, draws["startups"]), "a stream is a function of the seed and the mechanism"
    with pytest.raises(KeyError, match="no random stream"):
        streams.generator(7, "telepathy")


def test_year_one_startups_identical_with_own_research_off():
    """Own research changes technology before entry, not the number of firms: with it
    off the year-1 start-ups are the same firms (counts, stages, sites, traits)."""
    def startups(*overrides):
        m = ClusterModel(small("hsinchu", *overrides), seed=3, firms=FIRMS)
        before = m.world.firms.next_id
        m.step()
        f = m.world.firms
        new = (f.id >= before) & (f.parent < 0) & ~f.is_mne
        order = np.argsort(f.id[new])
        return m.world.history[0]["startups"], {c: getattr(f, c)[new][order] for c in
                                                ("region", "stage", "x", "y", "has_rd_unit", "rd_intensity", "xi")}

    busy = "entry.startup_rate=0.05"
    (n_on, on), (n_off, off) = startups(busy), startups(busy, "mechanisms.own_research=false")
    assert n_on == n_off and n_on > 0
    for column in on:
        assert np.array_equal(on[column], off[column]), column


@pytest.mark.parametrize("switched_off", ["own_research", "absorption", "startups", "spinoffs", "diffusion",
                                          "finance", "market", "relocation", "government"])
def test_draws_of_each_mechanism_do_not_depend_on_the_others(switched_off):
    """Year 1 with one mechanism off: every other mechanism starts from its own stream
    in the same state, and the numbers it draws are the same stream (the same values
    for the same number of draws; where the others changed what it draws for, its
    first call still begins with the same numbers)."""
    base_logs, base_state = year_one_draws()
    logs, state = year_one_draws(f"mechanisms.{switched_off}=false")
    fresh = {name: str(streams.generator(5, name).bit_generator.state) for name in streams.KEYS}
    for mechanism in set(state) & set(base_state):
        assert state[mechanism] == base_state[mechanism] == fresh[mechanism], mechanism
        if not (logs.get(mechanism) and base_logs.get(mechanism)):
            continue  # asked for its stream, drew nothing this year
        first, base_first = logs[mechanism][0][1].ravel(), base_logs[mechanism][0][1].ravel()
        k = min(first.size, base_first.size)
        if logs[mechanism][0][0] in ("random", "normal", "standard_normal"):
            assert np.array_equal(first[:k], base_first[:k]), mechanism


#: the mechanisms that draw, in the order of a year's steps (ties form in step 5 and
#: dissolve after exits)
STEP_ORDER = ("market", "finance", "own_research", "absorption", "capabilities", "ties", "startups", "spinoffs",
              "relocation", "mne_inflow", "upgrading", "government")


@pytest.mark.parametrize("switched_off", ["own_research", "absorption", "startups", "spinoffs", "relocation",
                                          "mne_inflow", "upgrading"])
def test_draws_upstream_of_a_switched_mechanism_are_identical(switched_off):
    """Every mechanism that runs before the switched one in the year sees the same world,
    so every number it draws in year 1 (uniforms, normals, log-normals, Poisson counts,
    Beta jumps, whatever the method) is the same."""
    base_logs, _ = year_one_draws()
    logs, _ = year_one_draws(f"mechanisms.{switched_off}=false")
    upstream = STEP_ORDER[:STEP_ORDER.index(switched_off)]
    for mechanism in upstream:
        a, b = logs.get(mechanism, []), base_logs.get(mechanism, [])
        if mechanism == "ties":  # ties also dissolve at the end of the year: compare their formation's draws
            a, b = a[:2], b[:2]
        assert len(a) == len(b), (switched_off, mechanism)
        for (name, values), (base_name, base_values) in zip(a, b):
            assert name == base_name and np.array_equal(values, base_values), (switched_off, mechanism, name)


def test_each_mechanism_is_handed_its_own_stream(monkeypatch):
    """The engine hands each mechanism the generator of its own key (and no other)."""
    from innocluster.model import (
        absorption,
        capabilities,
        finance,
        government,
        market,
        mne_inflow,
        relocation,
        research,
        spinoffs,
        startups,
        ties,
        upgrading,
    )

    functions = {"market": (market, "replicator_shares"), "finance": (finance, "fund_rd"),
                 "own_research": (research, "own_research"), "absorption": (absorption, "absorption"),
                 "capabilities": (capabilities, "update"), "ties": (ties, "form_ties"),
                 "startups": (startups, "startups"), "spinoffs": (spinoffs, "spinoffs"),
                 "relocation": (relocation, "relocate"), "mne_inflow": (mne_inflow, "mne_inflow"),
                 "upgrading": (upgrading, "upgrade"), "government": (government, "govern")}
    m = ClusterModel(small("hsinchu"), seed=5, firms=FIRMS)
    received = {}
    for key, (module, name) in functions.items():
        original = getattr(module, name)

        def spy(*args, _key=key, _original=original):
            received[_key] = args[-1]
            return _original(*args)
        monkeypatch.setattr(module, name, spy)
    m.step()
    assert set(received) == set(functions)
    for key, rng in received.items():
        assert rng is m.streams.rng(key), key
    assert len({id(rng) for rng in received.values()}) == len(received)


def test_every_mechanism_with_a_switch_that_draws_has_a_stream():
    """The stream keys cover the mechanisms of the schema that draw random numbers."""
    drawing = {"market", "finance", "own_research", "absorption", "startups", "spinoffs", "relocation",
               "mne_inflow", "upgrading", "government"}
    assert drawing <= set(Mechanisms.model_fields) and drawing <= set(streams.KEYS)


def test_same_seed_same_run_and_the_streams_differ_by_seed():
    a = ClusterModel(small("hsinchu"), seed=11, firms=600).run(3)
    b = ClusterModel(small("hsinchu"), seed=11, firms=600).run(3)
    c = ClusterModel(small("hsinchu"), seed=12, firms=600).run(3)
    num = a.timeseries.select_dtypes("number").columns
    assert a.timeseries[num].equals(b.timeseries[num])
    assert not a.timeseries[num].equals(c.timeseries[num])
