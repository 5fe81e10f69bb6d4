"""The trust / social network among firms (sparse, undirected).

Ties stand for the paper's "blood, marriage, classmates, friends" and former
colleagues. They are stored as an edge list of unique pairs ``(u, v)`` with
``u < v`` (row indices into the firm table), kept sorted by ``(u, v)``, and turned
into a CSR adjacency (``indptr``, ``indices``) when needed.

Keeping the list sorted makes every update linear: new ties are checked against the
existing ones by binary search and inserted in place; removing ties and following a
compaction of the firm table (which keeps surviving rows in order) preserve the
order. No step ever re-sorts the whole list.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

_SHIFT = np.int64(32)  # key = u << 32 | v orders ties by (u, v)


def _keys(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return (u.astype(np.int64) << _SHIFT) | v.astype(np.int64)


class TrustNetwork:
    """Undirected, duplicate-free tie list with cached CSR and directed views."""

    __slots__ = ("u", "v", "_key", "_n", "_indptr", "_indices", "_dirty", "_directed")

    def __init__(self):
        self.u = np.zeros(0, dtype=np.int64)
        self.v = np.zeros(0, dtype=np.int64)
        self._key = np.zeros(0, dtype=np.int64)
        self._n = 0
        self._indptr = np.zeros(1, dtype=np.int64)
        self._indices = np.zeros(0, dtype=np.int64)
        self._dirty = True
        self._directed = None

    @property
    def n_ties(self) -> int:
        return int(self.u.size)

    def _changed(self) -> None:
        self._dirty = True
        self._directed = None

    def add(self, a: np.ndarray, b: np.ndarray) -> None:
        """Add ties ``a[k] -- b[k]``; self-ties and existing ties are ignored."""
        a = np.asarray(a, dtype=np.int64)
        b = np.asarray(b, dtype=np.int64)
        ok = (a != b) & (a >= 0) & (b >= 0)
        if not ok.any():
            return
        new = np.unique(_keys(np.minimum(a[ok], b[ok]), np.maximum(a[ok], b[ok])))
        pos = np.searchsorted(self._key, new)
        present = (pos < self._key.size) & (self._key[np.minimum(pos, self._key.size - 1)] == new) \
            if self._key.size else np.zeros(new.size, dtype=bool)
        new, pos = new[~present], pos[~present]
        if new.size == 0:
            return
        self._key = np.insert(self._key, pos, new)
        self.u = self._key >> _SHIFT
        self.v = self._key & np.int64(0xFFFFFFFF)
        self._changed()

    def drop(self, mask: np.ndarray) -> None:
        """Remove ties where ``mask`` is True (``mask`` indexes the :attr:`n_ties` ties)."""
        keep = ~np.asarray(mask, dtype=bool)
        self._key = self._key[keep]
        self.u = self.u[keep]
        self.v = self.v[keep]
        self._changed()

    def remap(self, old_to_new: np.ndarray) -> None:
        """Follow a compaction of the firm table; ties of removed firms vanish.

        ``old_to_new`` is increasing on surviving rows, so the order by ``(u, v)`` holds.
        """
        if self.u.size:
            nu = old_to_new[self.u]
            nv = old_to_new[self.v]
            keep = (nu >= 0) & (nv >= 0)
            self.u = nu[keep]
            self.v = nv[keep]
            self._key = _keys(self.u, self.v)
        self._changed()

    def csr(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``(indptr, indices)`` of the symmetric adjacency for ``n`` firms."""
        if self._dirty or n != self._n:
            src, dst = self.directed()
            # counting sort by source in C (scipy's COO -> CSR), O(ties + firms)
            adj = sp.csr_array((np.ones(src.size, dtype=np.int8), (src, dst)), shape=(n, n))
            self._indptr = adj.indptr.astype(np.int64, copy=False)
            self._indices = adj.indices.astype(np.int64, copy=False)
            self._n = n
            self._dirty = False
        return self._indptr, self._indices

    def degree(self, n: int) -> np.ndarray:
        """Number of ties of each firm."""
        return np.bincount(self.u, minlength=n) + np.bincount(self.v, minlength=n)

    def directed(self) -> tuple[np.ndarray, np.ndarray]:
        """Both directions of every tie as ``(src, dst)`` arrays (cached until a change)."""
        if self._directed is None:
            self._directed = (np.concatenate([self.u, self.v]), np.concatenate([self.v, self.u]))
        return self._directed

    def random_neighbour(self, i: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
        """A uniformly random neighbour of each firm in ``i`` (-1 where it has none)."""
        indptr, indices = self.csr(n)
        deg = indptr[i + 1] - indptr[i]
        pick = indptr[i] + np.floor(rng.random(i.size) * np.maximum(deg, 1)).astype(np.int64)
        out = np.full(i.size, -1, dtype=np.int64)
        has = deg > 0
        out[has] = indices[pick[has]]
        return out
