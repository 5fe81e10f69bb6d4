"""The trust / social network among firms (sparse, undirected).

Ties stand for the paper's "blood, marriage, classmates, friends" and former
colleagues. They are stored as an edge list of unique pairs ``(u, v)`` with
``u < v`` (row indices into the firm table) and turned into a CSR adjacency
(:class:`scipy.sparse.csr_array` layout: ``indptr``, ``indices``) once per step.
"""

from __future__ import annotations

import numpy as np


class TrustNetwork:
    """Undirected tie list with a cached CSR view."""

    __slots__ = ("u", "v", "_n", "_indptr", "_indices", "_dirty")

    def __init__(self):
        self.u = np.zeros(0, dtype=np.int64)
        self.v = np.zeros(0, dtype=np.int64)
        self._n = 0
        self._indptr = np.zeros(1, dtype=np.int64)
        self._indices = np.zeros(0, dtype=np.int64)
        self._dirty = True

    @property
    def n_ties(self) -> int:
        return int(self.u.size)

    def add(self, a: np.ndarray, b: np.ndarray) -> None:
        """Add ties ``a[k] -- b[k]``; self-ties and duplicates are dropped."""
        a = np.asarray(a, dtype=np.int64)
        b = np.asarray(b, dtype=np.int64)
        ok = a != b
        if not ok.any():
            return
        lo = np.minimum(a[ok], b[ok])
        hi = np.maximum(a[ok], b[ok])
        self.u = np.concatenate([self.u, lo])
        self.v = np.concatenate([self.v, hi])
        self._dedupe()
        self._dirty = True

    def _dedupe(self) -> None:
        if self.u.size == 0:
            return
        key = self.u * (int(max(self.u.max(), self.v.max())) + 1) + self.v
        _, first = np.unique(key, return_index=True)
        if first.size != key.size:
            first.sort()
            self.u = self.u[first]
            self.v = self.v[first]

    def drop(self, mask: np.ndarray) -> None:
        """Remove ties where ``mask`` is True."""
        keep = ~mask
        self.u = self.u[keep]
        self.v = self.v[keep]
        self._dirty = True

    def remap(self, old_to_new: np.ndarray) -> None:
        """Follow a compaction of the firm table; ties of removed firms vanish."""
        if self.u.size:
            nu = old_to_new[self.u]
            nv = old_to_new[self.v]
            keep = (nu >= 0) & (nv >= 0)
            self.u = nu[keep]
            self.v = nv[keep]
        self._dirty = True

    def csr(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``(indptr, indices)`` of the symmetric adjacency for ``n`` firms."""
        if self._dirty or n != self._n:
            src = np.concatenate([self.u, self.v])
            dst = np.concatenate([self.v, self.u])
            order = np.argsort(src, kind="stable")
            counts = np.bincount(src, minlength=n)
            self._indptr = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(counts, out=self._indptr[1:])
            self._indices = dst[order]
            self._n = n
            self._dirty = False
        return self._indptr, self._indices

    def degree(self, n: int) -> np.ndarray:
        """Number of ties of each firm."""
        indptr, _ = self.csr(n)
        return np.diff(indptr)

    def directed(self) -> tuple[np.ndarray, np.ndarray]:
        """Both directions of every tie as ``(src, dst)`` arrays."""
        return np.concatenate([self.u, self.v]), np.concatenate([self.v, self.u])

    def random_neighbour(self, i: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
        """A uniformly random neighbour of each firm in ``i`` (-1 where it has none)."""
        indptr, indices = self.csr(n)
        deg = indptr[i + 1] - indptr[i]
        pick = indptr[i] + np.floor(rng.random(i.size) * np.maximum(deg, 1)).astype(np.int64)
        out = np.full(i.size, -1, dtype=np.int64)
        has = deg > 0
        out[has] = indices[pick[has]]
        return out
