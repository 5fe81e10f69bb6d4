"""The trust / social network among firms (sparse, undirected).

Ties stand for the paper's "blood, marriage, classmates, friends" and former
colleagues. They are stored as an edge list of unique pairs ``(u, v)`` with
``u < v`` (row indices into the firm table), kept sorted by ``(u, v)``, and turned
into a CSR adjacency (``indptr``, ``indices``) when needed.

Keeping the list sorted makes every update linear: new ties are sorted among
themselves and merged into the list in one pass (deferred until the network is
next read, so consecutive additions share one merge); removing ties preserves the
order; after exits the ties between rows that kept their numbers stay in order and
only the ties of the few rows moved into the holes (the firm table's swap-remove)
are sorted and merged back; the CSR view is a counting sort. No step ever re-sorts
the whole list. The loops are compiled (:mod:`innocluster.model.kernels`).
"""

from __future__ import annotations

import numpy as np

from innocluster.model import kernels
from innocluster.model.kernels.network import (  # key = u << 32 | v orders ties by (u, v)
    _LOW,
    _SHIFT,
    renumber_ends,
)


class TrustNetwork:
    """Undirected, duplicate-free tie list; degree, CSR and directed views on demand.

    The sorted keys live in a buffer with spare capacity (grown by doubling), so
    dropping and remapping ties work in place. Added ties are collected and merged
    into the list in one pass the next time the network is read, so several
    additions in a row (new ties of a year, then spin-off ties) cost one merge.
    """

    __slots__ = ("_T", "_buf", "_pending", "_spare")

    def __init__(self):
        self._buf = np.zeros(1024, dtype=np.int64)
        self._spare = np.zeros(1024, dtype=np.int64)
        self._T = 0
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []

    @property
    def n_ties(self) -> int:
        self._flush()
        return self._T

    @property
    def keys(self) -> np.ndarray:
        """The sorted tie keys ``u << 32 | v`` (a view: valid until the next change)."""
        self._flush()
        return self._buf[: self._T]

    @property
    def u(self) -> np.ndarray:
        """Lower end of each tie (row index)."""
        return self.keys >> _SHIFT

    @property
    def v(self) -> np.ndarray:
        """Upper end of each tie (row index)."""
        return self.keys & _LOW

    def add(self, a: np.ndarray, b: np.ndarray) -> None:
        """Add ties ``a[k] -- b[k]``; self-ties and existing ties are ignored."""
        a = np.array(a, dtype=np.int64).ravel()  # copies: the caller may reuse its arrays before the merge
        b = np.array(b, dtype=np.int64).ravel()
        if a.size != b.size:
            raise ValueError(f"tie ends of different lengths: {a.size} and {b.size}")
        if a.size:
            self._pending.append((a, b))

    def _take_pending(self) -> tuple[np.ndarray, np.ndarray]:
        """The pending additions as two arrays of ends (and none pending any more)."""
        pending, self._pending = self._pending, []
        if len(pending) == 1:
            return pending[0]
        return np.concatenate([p[0] for p in pending]), np.concatenate([p[1] for p in pending])

    def _spare_for(self, need: int) -> np.ndarray:
        """The second key buffer, with room for ``need`` keys."""
        if need > self._spare.size:
            self._spare = np.empty(max(need, 2 * self._spare.size), dtype=np.int64)
        return self._spare

    def _take_over(self, T: int) -> None:
        """The second buffer, now holding ``T`` sorted keys, becomes the list."""
        self._buf, self._spare = self._spare, self._buf
        self._T = T

    def _keep(self, keep: np.ndarray) -> None:
        """Keep the ties where ``keep`` is True, in order, in place."""
        self._T = kernels.keep_ties(self._buf, self._T, keep)

    def _pending_keys(self) -> np.ndarray | None:
        """The pending additions as sorted, duplicate-free keys (and none pending any
        more); None when nothing was pending."""
        return kernels.tie_keys(*self._take_pending()) if self._pending else None

    def _flush(self) -> None:
        """Merge the pending additions into the sorted list."""
        new = self._pending_keys()
        if new is None or new.size == 0:
            return
        T = kernels.merge_ties(self._spare_for(self._T + new.size), self._buf[: self._T], new)
        if T > self._T:  # else every tie existed already
            self._take_over(T)

    def drop(self, mask: np.ndarray) -> None:
        """Remove ties where ``mask`` is True (``mask`` indexes the :attr:`n_ties` ties)."""
        self._flush()
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != (self._T,):
            raise ValueError(f"drop: a mask of {mask.size} values for {self._T} ties")
        self._keep(~mask)

    def decay(self, p: float, rng: np.random.Generator) -> None:
        """Each tie dissolves with probability ``p`` (:func:`kernels.decay_ties`: one
        uniform per dissolving tie, found by geometric skips in key order). Pending
        additions are merged in the same pass (:func:`kernels.merge_decay_ties`: the same
        ties and draws as merging first)."""
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"tie decay probability {p}: must be in [0, 1]")
        new = self._pending_keys()
        if new is None or new.size == 0:
            self._T = kernels.decay_ties(rng, self._buf, self._T, float(p))
            return
        T = kernels.merge_decay_ties(rng, self._spare_for(self._T + new.size), self._buf[: self._T], new, float(p))
        self._take_over(T)

    def remap(self, old_to_new: np.ndarray) -> None:
        """Follow a renumbering of the firm table (a removal: ``old_to_new`` is the new
        row of each old row, -1 for removed rows); ties of removed firms vanish.

        Ties between rows that keep their numbers stay in place and in order; the ties
        of renumbered rows (after a swap-remove, the few rows moved into holes) are
        sorted and merged back together with the pending additions, which follow the
        renumbering too (:func:`kernels.split_remapped_ties`).
        """
        old_to_new = np.asarray(old_to_new, dtype=np.int64)
        self._T, a, b = kernels.split_remapped_ties(self._buf, self._T, old_to_new)
        if self._pending:
            pa, pb = self._take_pending()
            a = np.concatenate([a, renumber_ends(pa, old_to_new)])
            b = np.concatenate([b, renumber_ends(pb, old_to_new)])
        if a.size:
            self._pending.append((a, b))
        self._flush()

    def csr(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``(indptr, indices)`` of the symmetric adjacency for ``n`` firms (rows' indices sorted)."""
        return kernels.tie_csr(self.keys, n)

    def degree(self, n: int) -> np.ndarray:
        """Number of ties of each firm."""
        return kernels.tie_degree(self.keys, n)

    def directed(self) -> tuple[np.ndarray, np.ndarray]:
        """Both directions of every tie as ``(src, dst)`` arrays."""
        u, v = self.u, self.v
        return np.concatenate([u, v]), np.concatenate([v, u])
