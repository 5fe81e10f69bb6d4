"""The trust / social network among firms (sparse, undirected).

Ties stand for the paper's "blood, marriage, classmates, friends" and former
colleagues. A tie between table rows ``u < v`` is stored as one int64 key
``u << 32 | v``; the keys are kept sorted and unique, which makes every update a
merge or a filter over the list:

* additions are collected and merged in when the network is next read (consecutive
  additions share one merge): new keys are sorted, those already present dropped
  (:func:`numpy.searchsorted`), the rest inserted in place (:func:`numpy.insert`);
* decay and removals filter the list, which keeps it sorted;
* after exits (the firm table's swap-remove, :meth:`FirmTable.remove`) the ties
  whose ends kept their rows stay in place and in order; the few ties of rows moved
  into holes are re-added with their new rows.
"""

from __future__ import annotations

import numpy as np

from innocluster.model.compiled import fast, twin

_SHIFT = np.int64(32)
_LOW = np.int64(0xFFFFFFFF)
_MAX_ROW = 2**31 - 1  # the lower end shifted by 32 must stay below int64's sign bit


def tie_keys(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Sorted, unique keys ``min << 32 | max`` of ties ``a[k] -- b[k]`` (self-ties dropped)."""
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    if lo.size and (lo.min() < 0 or hi.max() > _MAX_ROW):
        raise ValueError("a tie end is not a row of the firm table")
    keys = np.sort(((lo << _SHIFT) | hi)[lo != hi])
    return keys[np.concatenate(([True], keys[1:] != keys[:-1]))] if keys.size else keys


class TrustNetwork:
    """Undirected, duplicate-free tie list; degrees and views of the ends on demand."""

    __slots__ = ("_keys", "_pending")

    def __init__(self):
        self._keys = np.zeros(0, dtype=np.int64)
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []

    @property
    def keys(self) -> np.ndarray:
        """The sorted tie keys ``u << 32 | v`` (``u < v``)."""
        self._flush()
        return self._keys

    @property
    def n_ties(self) -> int:
        return self.keys.size

    @property
    def u(self) -> np.ndarray:
        """Lower end of each tie (row index)."""
        return self.keys >> _SHIFT

    @property
    def v(self) -> np.ndarray:
        """Upper end of each tie (row index)."""
        return self.keys & _LOW

    def add(self, a, b) -> None:
        """Add ties ``a[k] -- b[k]``; self-ties and existing ties are ignored."""
        a = np.array(a, dtype=np.int64).ravel()  # copies: the caller may reuse its arrays
        b = np.array(b, dtype=np.int64).ravel()
        if a.size != b.size:
            raise ValueError(f"tie ends of different lengths: {a.size} and {b.size}")
        if a.size:
            self._pending.append((a, b))

    def _flush(self) -> None:
        if not self._pending:
            return
        a = np.concatenate([p[0] for p in self._pending])
        b = np.concatenate([p[1] for p in self._pending])
        self._pending = []
        self._keys = fast(merge_keys)(keys=self._keys, new=tie_keys(a, b))

    def drop(self, mask: np.ndarray) -> None:
        """Remove the ties where ``mask`` (one value per tie in :attr:`keys` order) is True."""
        keys = self.keys
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != keys.shape:
            raise ValueError(f"drop: a mask of {mask.size} values for {keys.size} ties")
        self._keys = keys[~mask]

    def decay(self, p: float, rng: np.random.Generator) -> None:
        """Each tie, those added this year included, dissolves with probability ``p`` (one
        uniform per tie, in key order)."""
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"tie decay probability {p}: must be in [0, 1]")
        keys = self.keys
        self._keys = keys[rng.random(keys.size) >= p]

    def remap(self, old_to_new: np.ndarray) -> None:
        """Follow a renumbering of the firm table (``old_to_new``: the new row of each old
        row, -1 for removed rows); ties of removed firms vanish."""
        old_to_new = np.asarray(old_to_new, dtype=np.int64)
        # ties not merged yet are renumbered as pairs (merging them first would copy the list)
        pending, self._pending = self._pending, []
        for a, b in pending:
            a, b = old_to_new[a], old_to_new[b]
            kept = (a >= 0) & (b >= 0)
            self.add(a[kept], b[kept])
        self._keys, a, b = fast(remap_keys)(keys=self._keys, old_to_new=old_to_new)
        self.add(a, b)

    def degree(self, n: int) -> np.ndarray:
        """Number of ties of each of ``n`` firms."""
        return degree(keys=self.keys, n=n)

    def directed(self) -> tuple[np.ndarray, np.ndarray]:
        """Both directions of every tie as ``(src, dst)`` arrays."""
        u, v = self.u, self.v
        return np.concatenate([u, v]), np.concatenate([v, u])

    def csr(self, n: int) -> tuple[np.ndarray, np.ndarray]:
        """``(indptr, indices)`` of the symmetric adjacency of ``n`` firms, each row's
        neighbours ascending."""
        src, dst = self.directed()
        order = np.lexsort((dst, src))
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
        return indptr, dst[order]

    def neighbours(self, rows: np.ndarray, degree: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The neighbours of the firms ``rows`` (distinct rows), given every firm's
        ``degree`` (:meth:`degree`): ``(start, lists)`` such that the neighbours of
        ``rows[j]`` are ``lists[start[j]:start[j + 1]]``."""
        return fast(neighbour_lists)(keys=self.keys, rows=np.asarray(rows, dtype=np.int64), degree=degree)


# The list operations as rules on arrays. A year merges and remaps the whole tie list
# and reads the neighbours of every absorbing firm, in NumPy several passes each: those
# three have compiled twins (docs/performance.md has the profile that keeps them);
# counting degrees is two bincounts, which a twin does not beat by enough.

def merge_keys(*, keys, new):
    """The sorted union of sorted, unique ``keys`` and sorted, unique ``new`` keys."""
    pos = np.searchsorted(keys, new)
    present = pos < keys.size
    present[present] = keys[pos[present]] == new[present]
    return np.insert(keys, pos[~present], new[~present])


@twin(merge_keys)
def _merge_keys_compiled(*, keys, new):
    # each new key's place found by galloping from the previous one (new keys are
    # sorted), the old keys in between copied as a run
    T = keys.size
    out = np.empty(T + new.size, dtype=np.int64)
    i = m = 0
    for j in range(new.size):
        x = new[j]
        p = i
        if p < T and keys[p] < x:  # gallop: keys[last] < x <= keys[p] (or p == T)
            last, step = p, 1
            while p < T and keys[p] < x:
                last, p, step = p, p + step, 2 * step
            lo, p = last + 1, min(p, T)
            while lo < p:
                mid = (lo + p) // 2
                if keys[mid] < x:
                    lo = mid + 1
                else:
                    p = mid
        while i < p:
            out[m] = keys[i]
            m += 1
            i += 1
        if i < T and keys[i] == x:
            continue  # already tied: the old key comes with the next run
        out[m] = x
        m += 1
    while i < T:
        out[m] = keys[i]
        m += 1
        i += 1
    return out[:m]


def remap_keys(*, keys, old_to_new):
    """Ties after a renumbering of the rows (``old_to_new``, -1 for removed rows):
    ``(kept, a, b)``, the keys whose ends keep their rows (still sorted) and the
    renumbered ends of the ties that moved; ties of removed rows vanish."""
    u, v = keys >> _SHIFT, keys & _LOW
    nu, nv = old_to_new[u], old_to_new[v]
    unchanged = (nu == u) & (nv == v)
    moved = ~unchanged & (nu >= 0) & (nv >= 0)
    return keys[unchanged], nu[moved], nv[moved]


@twin(remap_keys)
def _remap_keys_compiled(*, keys, old_to_new):
    kept = np.empty(keys.size, dtype=np.int64)
    a = np.empty(keys.size, dtype=np.int64)
    b = np.empty(keys.size, dtype=np.int64)
    m = d = 0
    for k in range(keys.size):
        u, v = keys[k] >> 32, keys[k] & 0xFFFFFFFF
        x, y = old_to_new[u], old_to_new[v]
        if x == u and y == v:
            kept[m] = keys[k]
            m += 1
        elif x >= 0 and y >= 0:
            a[d], b[d] = x, y
            d += 1
    return kept[:m], a[:d], b[:d]


def degree(*, keys, n):
    """Ties of each of ``n`` firms (both ends of every key count); an end beyond the
    table raises."""
    lower = np.bincount(keys >> _SHIFT, minlength=n)
    upper = np.bincount(keys & _LOW, minlength=n)
    if upper.size != n:  # bincount grows past n for an end beyond the table
        raise ValueError("a tie end lies outside the firm table")
    return lower + upper


def neighbour_lists(*, keys, rows, degree):
    """``(start, lists)``: the neighbours of ``rows[j]`` are ``lists[start[j]:start[j + 1]]``,
    in key order of their ties; ``degree`` is every firm's number of ties."""
    slot = np.full(degree.size, -1, dtype=np.int64)
    slot[rows] = np.arange(rows.size)
    u, v = keys >> _SHIFT, keys & _LOW
    su, sv = slot[u], slot[v]
    owner = np.concatenate([su[su >= 0], sv[sv >= 0]])
    other = np.concatenate([v[su >= 0], u[sv >= 0]])
    start = np.concatenate(([0], np.cumsum(degree[rows])))
    if start[-1] != owner.size:
        raise ValueError("neighbour_lists: a degree does not match the ties")
    return start, other[np.argsort(owner, kind="stable")]


@twin(neighbour_lists)
def _neighbour_lists_compiled(*, keys, rows, degree):
    slot = np.full(degree.size, -1, dtype=np.int64)
    start = np.zeros(rows.size + 1, dtype=np.int64)
    for j in range(rows.size):
        slot[rows[j]] = j
        start[j + 1] = start[j] + degree[rows[j]]
    lists = np.empty(start[-1], dtype=np.int64)
    # each list takes its ties in key order: as the lower end first, then as the upper
    lower = start[:-1].copy()
    upper = np.zeros(rows.size, dtype=np.int64)
    for k in range(keys.size):
        su = slot[keys[k] >> 32]
        if su >= 0:
            upper[su] += 1
    for j in range(rows.size):
        upper[j] += start[j]
        if upper[j] > start[j + 1]:
            raise ValueError("neighbour_lists: a degree does not match the ties")
    for k in range(keys.size):
        u, v = keys[k] >> 32, keys[k] & 0xFFFFFFFF
        su, sv = slot[u], slot[v]
        if su >= 0:
            lists[lower[su]] = v
            lower[su] += 1
        if sv >= 0:
            if upper[sv] >= start[sv + 1]:
                raise ValueError("neighbour_lists: a degree does not match the ties")
            lists[upper[sv]] = u
            upper[sv] += 1
    return start, lists
