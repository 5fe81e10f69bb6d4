"""Random streams: one per mechanism, spawned from the run's seed.

Each mechanism draws only from its own :class:`numpy.random.Generator`, built from

``SeedSequence(entropy=seed, spawn_key=(KEYS[m],))``

the child that ``SeedSequence(seed).spawn`` gives at position ``KEYS[m]`` (NumPy's
construction of independent streams; NumPy NEP 19). The keys are fixed numbers, never
positions in a list that could shift, so adding a mechanism leaves every other
stream as it was.

Consequences (tested in ``tests/test_streams.py``):

* switching a mechanism off, or changing how many numbers it draws, leaves the draws
  of every other mechanism unchanged: common random numbers survive ablations, which
  paired comparisons of policies and of mechanisms on versus off rely on (from the
  year the switched mechanism first changes the state the others read, their draws
  go to other firms, as in any agent-based model);
* ``(innocluster version, scenario, seed)`` gives identical output.

A generator is built on its mechanism's first draw (a mechanism switched off costs
nothing), with NumPy's SFC64 bit generator (chosen for speed: docs/performance.md).
"""

from __future__ import annotations

import numpy as np

#: mechanism -> fixed spawn key. Never renumber: a new mechanism takes a new number.
KEYS: dict[str, int] = {
    "initial_population": 0,
    "market": 1,
    "finance": 2,
    "own_research": 3,
    "absorption": 4,
    "capabilities": 5,
    "ties": 6,
    "startups": 7,
    "spinoffs": 8,
    "relocation": 9,
    "mne_inflow": 10,
    "upgrading": 11,
    "government": 12,
    "productivity_shocks": 13,
}


def generator(seed: int, mechanism: str) -> np.random.Generator:
    """A new generator of ``mechanism``'s stream in the run with root ``seed``."""
    if mechanism not in KEYS:
        raise KeyError(f"no random stream for {mechanism!r}; streams: {', '.join(KEYS)}")
    return np.random.Generator(np.random.SFC64(np.random.SeedSequence(entropy=seed, spawn_key=(KEYS[mechanism],))))


class RandomStreams:
    """The run's random streams: :meth:`rng` gives a mechanism its generator.

    Parameters
    ----------
    seed : int
        The run's root seed.
    """

    __slots__ = ("_generators", "seed")

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._generators: dict[str, np.random.Generator] = {}

    def rng(self, mechanism: str) -> np.random.Generator:
        """``mechanism``'s generator (the same object all run long)."""
        g = self._generators.get(mechanism)
        if g is None:
            g = self._generators[mechanism] = generator(self.seed, mechanism)
        return g
