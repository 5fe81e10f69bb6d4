"""The firm table: a struct of arrays, one NumPy column per attribute.

No Python object exists per firm. Mechanisms read and write whole columns; entry
appends rows with :meth:`FirmTable.append`; exit removes rows with
:meth:`FirmTable.remove`, which moves the last surviving rows into the holes and
returns the old-to-new index map so that the trust network can follow. Rows are in no
particular order; firm ids are (a run reports firms sorted by id).

Storage, the one piece of speed machinery here (``docs/performance.md``): the columns
of one dtype are the rows of one 2-D block with spare capacity, so appending ``k``
firms writes ``k`` values per column instead of copying the table, and a removal
moves only as many rows as firms leave, one fancy-indexed assignment per block rather
than per column.
"""

from __future__ import annotations

import numpy as np

#: Column name -> dtype: int64 for indices (region, stage: gathers by smaller integers
#: convert first), float64 for every quantity.
COLUMNS: dict[str, np.dtype] = {
    "id": np.dtype(np.int64),
    "region": np.dtype(np.int64),  # int64 like every index: gathers by smaller integers convert first
    "x": np.dtype(np.float64),
    "y": np.dtype(np.float64),
    "stage": np.dtype(np.int64),
    "age": np.dtype(np.int16),
    "employees": np.dtype(np.float64),
    "capital": np.dtype(np.float64),
    "net_worth": np.dtype(np.float64),
    "debt": np.dtype(np.float64),
    "A": np.dtype(np.float64),  # technology level, log labour productivity
    "alpha": np.dtype(np.float64),  # absorptive capacity in [0, 1]
    "rd_intensity": np.dtype(np.float64),  # wanted R&D per USD revenue (rho_i)
    "xi": np.dtype(np.float64),  # share of R&D on own research
    "patents_cum": np.dtype(np.int32),
    "patents_new": np.dtype(np.int32),
    "has_rd_unit": np.dtype(bool),
    "rd_active": np.dtype(bool),
    "credit_constrained": np.dtype(bool),
    "vc_backed": np.dtype(bool),
    "vc_stake": np.dtype(np.float64),  # VC equity invested, USD million
    "is_mne": np.dtype(bool),
    "parent": np.dtype(np.int64),  # id of the parent for spin-offs, -1 otherwise
    "founded_year": np.dtype(np.int16),
    "share": np.dtype(np.float64),  # market share within the firm's GVC stage
    "revenue": np.dtype(np.float64),
    "unit_cost": np.dtype(np.float64),  # average cost per USD of output
    "profit": np.dtype(np.float64),
    "rd": np.dtype(np.float64),  # R&D spent this year
    "rd_wanted": np.dtype(np.float64),
    "subsidy": np.dtype(np.float64),  # direct subsidy received this year
    "value_added": np.dtype(np.float64),
    "exports": np.dtype(np.float64),
    "relocated": np.dtype(bool),  # moved into a cluster at some point
    "margin_belief": np.dtype(np.float64),  # expected operating margin, learned (Jovanovic 1982)
    "years_observed": np.dtype(np.int16),  # years of margins the belief rests on
    "shock": np.dtype(np.float64),  # passing component of technology (shocks.py)
}

#: dtype -> the columns stored as rows of that dtype's block
_BLOCKS: dict[str, list[str]] = {}
for _name, _dt in COLUMNS.items():
    _BLOCKS.setdefault(_dt.str, []).append(_name)
#: column -> (block key, row in the block)
_SLOTS: dict[str, tuple[str, int]] = {
    name: (key, row) for key, names in _BLOCKS.items() for row, name in enumerate(names)}


def _column_property(name: str, block: str, row: int, dtype: np.dtype) -> property:
    def get(self):
        # a column is read some 150 times a year: its view is made once per table size
        view = self._views.get(name)
        if view is None:
            view = self._views[name] = self._blocks[block][row, : self._n]
        return view

    def set(self, value):
        # assignment writes into the block (same length), casting only within a kind;
        # an in-place update (f.debt += loans) hands back the column itself: nothing to copy
        if value is self._views.get(name):
            return
        if type(value) is np.ndarray and value.dtype == dtype and value.shape == (self._n,):
            self._blocks[block][row, : self._n] = value  # the common case: nothing to check or cast
            return
        value = np.asarray(value)
        if value.ndim and value.shape != (self.n,):
            raise ValueError(f"column {name!r}: {value.size} values for {self.n} firms")
        if not np.can_cast(value.dtype, dtype, casting="same_kind"):
            raise TypeError(f"column {name!r} holds {dtype.name}, got {value.dtype.name}")
        self._blocks[block][row, : self._n] = value

    return property(get, set, doc=f"Column ``{name}`` ({dtype.name}), one value per firm.")


class FirmTable:
    """Struct-of-arrays firm table.

    Attributes are the columns of :data:`COLUMNS`, each a 1-D NumPy array of length
    :attr:`n`. Firm ids are unique over the whole run (never reused), so a firm panel
    can follow a firm across years and spin-off lineage (``parent``) stays valid after
    the parent exits. A column attribute is a view of its block: take it again after
    an append or a removal.
    """

    __slots__ = ("_blocks", "_n", "_views", "next_id")

    #: capacity growth when an append does not fit (spare rows never written cost no
    #: resident memory, so generous headroom is cheap)
    GROWTH = 2.0

    def __init__(self, n: int = 0):
        self._views: dict[str, np.ndarray] = {}
        self._n = 0
        self.next_id = 0
        self._blocks = {key: np.zeros((len(names), 0), dtype=np.dtype(key)) for key, names in _BLOCKS.items()}
        if n:
            self.append(n)

    def __getstate__(self) -> dict:
        # the cached views are not state: a copy or unpickled table makes its own
        return {"_blocks": self._blocks, "_n": self._n, "next_id": self.next_id}

    def __setstate__(self, state: dict) -> None:
        self._blocks, self._n, self.next_id = state["_blocks"], state["_n"], state["next_id"]
        self._views = {}

    @property
    def n(self) -> int:
        """Number of firms (rows in use)."""
        return self._n

    def _resize(self, n: int) -> None:
        if n != self._n:
            self._n = int(n)
            self._views.clear()

    @property
    def capacity(self) -> int:
        return next(iter(self._blocks.values())).shape[1]

    def _reserve(self, need: int) -> None:
        if need <= self.capacity:
            return
        new_cap = max(2 * need, int(self.capacity * self.GROWTH))
        for key, block in self._blocks.items():
            grown = np.empty((block.shape[0], new_cap), dtype=block.dtype)
            grown[:, : self.n] = block[:, : self.n]
            self._blocks[key] = grown
        self._views.clear()

    def append(self, k: int, **values) -> np.ndarray:
        """Append ``k`` new firms; returns their row indices.

        Columns not given get neutral defaults (zeros, ``parent = -1``); ids are assigned consecutively. A value is one per new firm
        or one for all, cast as NumPy assignment casts. The new rows become part of the
        table only when every column is written: a value of the wrong length leaves the
        table as it was.
        """
        if k <= 0:
            return np.zeros(0, dtype=np.int64)
        unknown = values.keys() - COLUMNS.keys()
        if unknown:
            raise KeyError(f"unknown firm columns: {sorted(unknown)}")
        for name, value in values.items():
            if getattr(value, "shape", ()) not in ((), (k,)):
                raise ValueError(f"append: column {name!r} has {np.size(value)} values for {k} new firms")
        start, end = self.n, self.n + k
        self._reserve(end)
        for block in self._blocks.values():
            block[:, start:end] = 0
        defaults = {"id": np.arange(self.next_id, self.next_id + k), "parent": -1}
        for name, value in {**defaults, **values}.items():
            key, row = _SLOTS[name]
            self._blocks[key][row, start:end] = value
        self._resize(end)
        self.next_id += k
        return np.arange(start, end)

    def remove(self, leaving: np.ndarray) -> np.ndarray:
        """Drop the rows where the boolean mask ``leaving`` is True (swap-remove).

        With ``m`` survivors, the surviving rows from ``m`` on move into the holes the
        removed rows leave below ``m``, in ascending order: a removal moves as many
        rows as firms leave there, not every row after the first removal.

        Returns
        -------
        numpy.ndarray
            ``old_to_new`` of length (old n): the new row of each old row, or -1.
        """
        leaving = np.asarray(leaving, dtype=bool)
        if leaving.shape != (self.n,):
            raise ValueError(f"remove: a mask of {leaving.size} values for {self.n} firms")
        m = self.n - int(np.count_nonzero(leaving))
        holes = np.flatnonzero(leaving[:m])
        movers = m + np.flatnonzero(~leaving[m:])
        old_to_new = np.where(leaving, -1, np.arange(self.n))
        old_to_new[movers] = holes
        if holes.size:
            for block in self._blocks.values():
                for column in block:
                    column[holes] = column[movers]
        self._resize(m)
        return old_to_new

    def id_order(self) -> np.ndarray:
        """Row indices that put the firms in id order."""
        return np.argsort(self.id, kind="stable")

    def to_frame(self, region_names=None, stage_names=None):
        """The table as a pandas DataFrame (one row per firm, in id order)."""
        import pandas as pd

        o = self.id_order()
        df = pd.DataFrame({name: getattr(self, name)[o] for name in COLUMNS}, copy=False)
        if region_names is not None:
            df["region_name"] = np.asarray(region_names, dtype=object)[df["region"].to_numpy()]
        if stage_names is not None:
            df["stage_name"] = np.asarray(stage_names, dtype=object)[df["stage"].to_numpy()]
        return df

    def nbytes(self) -> int:
        """Memory of all columns in bytes (the used rows, not the spare capacity)."""
        return sum(getattr(self, name).nbytes for name in COLUMNS)


for _name, (_key, _row) in _SLOTS.items():
    setattr(FirmTable, _name, _column_property(_name, _key, _row, np.dtype(_key)))
