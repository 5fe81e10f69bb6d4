"""The firm table: a struct of arrays, one NumPy column per attribute.

No Python object exists per firm. Mechanisms read and write whole columns; entry
appends rows with :meth:`FirmTable.append`; exit removes rows with
:meth:`FirmTable.compact`, which moves the last surviving rows into the holes and
returns the old-to-new index map so that the trust network can follow. Columns of
one dtype share a 2-D block with spare capacity, so neither appending nor removing
copies the table column by column. Rows are in no particular order; firm ids are.
"""

from __future__ import annotations

import functools

import numpy as np

from innocluster.model import kernels

#: Column name -> dtype. float32 where the science needs no more precision
#: (positions, shares of capacity); float64 for money and technology, whose
#: small yearly increments would be lost in float32 over long runs.
COLUMNS: dict[str, np.dtype] = {
    "id": np.dtype(np.int64),
    "alive": np.dtype(bool),
    "region": np.dtype(np.int16),
    "x": np.dtype(np.float32),
    "y": np.dtype(np.float32),
    "stage": np.dtype(np.int8),
    "age": np.dtype(np.int16),
    "employees": np.dtype(np.float32),
    "capital": np.dtype(np.float64),
    "net_worth": np.dtype(np.float64),
    "debt": np.dtype(np.float64),
    "A": np.dtype(np.float64),  # technology level, log labour productivity
    "alpha": np.dtype(np.float32),  # absorptive capacity in [0, 1]
    "rd_intensity": np.dtype(np.float32),  # wanted R&D per USD revenue (rho_i)
    "xi": np.dtype(np.float32),  # share of R&D on own research
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
    "subsidy": np.dtype(np.float64),  # direct subsidy received (applied to next year's accounts)
    "value_added": np.dtype(np.float64),
    "exports": np.dtype(np.float64),
    "relocated": np.dtype(bool),  # moved into a cluster at some point
}


def _column_property(name: str, block: str, row: int, dtype: np.dtype) -> property:
    def get(self):
        # the view is made once per table size (a column is read some 150 times a year;
        # slicing a block costs about a microsecond each time)
        view = self._views.get(name)
        if view is None:
            view = self._views[name] = self._blocks[block][row, : self._n]
        return view

    def set(self, value):
        # columns are rows of a block: assignment writes into the block (same length),
        # casting only within a kind (float64 -> float32, not float -> int)
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
    can follow a firm across years and spin-off lineage (``parent``) stays valid
    after the parent exits.

    Storage: columns of one dtype are the rows of one 2-D block with spare capacity
    (grown geometrically), so appending ``k`` firms writes ``k`` values per column
    instead of copying the whole table, and removing firms moves only as many rows
    as leave (the last survivors fill the holes, one compiled pass per block). A
    column attribute is a contiguous view ``block[row, :n]``; assigning to it writes
    into the block (the length must be :attr:`n`, the dtype of the same kind). Take
    a column again after an append or a removal: a view taken before may point at
    the old block (appends that grow the table) or at moved rows (removal).
    """

    __slots__ = ("_blocks", "_n", "_rows", "_views", "next_id")

    #: capacity growth factor when an append does not fit (doubling: a cluster that grows
    #: by half again during a run outgrows its first capacity once, and each growth
    #: copies the table; spare rows never written cost no resident memory)
    GROWTH = 2.0
    #: spare rows allocated beyond what an append needs (untouched spare rows cost no
    #: resident memory: the blocks are allocated empty and written row by row); twice
    #: the initial population, so that a cluster growing by half during a run (the
    #: ``core`` rules: 10,000 -> 15,000 firms in 20 years) never copies its table
    HEADROOM = 2.0

    def __init__(self, n: int = 0):
        self._views: dict[str, np.ndarray] = {}
        self._rows: dict[str, np.ndarray] | None = None
        self._n = 0
        self.next_id = 0
        self._blocks = {key: np.zeros((len(names), 0), dtype=np.dtype(key)) for key, names in _BLOCKS.items()}
        if n:
            self.append(n)

    def __getstate__(self) -> dict:
        # the cached views are not state: a copy or unpickled table must make its own
        # (copied views would no longer share the copy's blocks)
        return {"_blocks": self._blocks, "_n": self._n, "next_id": self.next_id}

    def __setstate__(self, state: dict) -> None:
        self._blocks, self._n, self.next_id = state["_blocks"], state["_n"], state["next_id"]
        self._views = {}
        self._rows = None

    @property
    def n(self) -> int:
        """Number of firms (rows in use)."""
        return self._n

    @n.setter
    def n(self, value: int) -> None:
        if value != self._n:
            self._n = int(value)
            self._views.clear()  # column views of the old size

    @property
    def capacity(self) -> int:
        return next(iter(self._blocks.values())).shape[1]

    def _reserve(self, need: int) -> None:
        cap = self.capacity
        if need <= cap:
            return
        new_cap = max(int(need * self.HEADROOM), int(cap * self.GROWTH))
        for key, block in self._blocks.items():
            grown = np.empty((block.shape[0], new_cap), dtype=block.dtype)
            grown[:, : self.n] = block[:, : self.n]
            self._blocks[key] = grown
        self._views.clear()  # column views of the old blocks
        self._rows = None

    def _full_rows(self) -> dict[str, np.ndarray]:
        """Each column's whole row of its block, spare capacity included (made once per
        set of blocks: appends write into the spare rows through these)."""
        if self._rows is None:
            self._rows = {name: self._blocks[key][row] for name, (key, row) in _SLOTS.items()}
        return self._rows

    def append(self, k: int, **values) -> np.ndarray:
        """Append ``k`` new firms; returns their row indices.

        Columns not given in ``values`` get neutral defaults (zeros, ``parent=-1``,
        ``alive=True``); ids are assigned consecutively. A value is one per new firm or
        one for all; arrays are cast as NumPy assignment casts them, other values as
        ``np.asarray(value, dtype)`` does (NaN or text into an integer column raise).
        """
        if k <= 0:
            return np.zeros(0, dtype=np.int64)
        unknown = values.keys() - COLUMNS.keys()
        if unknown:
            raise KeyError(f"unknown firm columns: {sorted(unknown)}")
        start = self.n
        self._reserve(start + k)
        end = start + k
        # the new rows are written beyond the table's end and become part of it only
        # when every column is written: a value of the wrong length, or one that cannot
        # be cast, leaves the table as it was
        rows = self._full_rows()
        blocks = self._blocks
        for key, first, last in _zero_runs(frozenset(values)):
            blocks[key][first:last, start:end] = 0  # neutral defaults: runs of rows not given
        rows["id"][start:end] = np.arange(self.next_id, self.next_id + k)
        if "alive" not in values:
            rows["alive"][start:end] = True
        if "parent" not in values:
            rows["parent"][start:end] = -1
        for name, value in values.items():
            if type(value) is np.ndarray:  # the common case: cast by the assignment itself
                if value.ndim and value.shape != (k,):
                    raise ValueError(f"append: column {name!r} has {value.size} values for {k} new firms")
                rows[name][start:end] = value
            else:
                if not isinstance(value, (int, float, np.generic)) and np.shape(value) not in ((), (k,)):
                    raise ValueError(f"append: column {name!r} has {np.size(value)} values for {k} new firms")
                rows[name][start:end] = np.asarray(value, dtype=COLUMNS[name])
        self.n += k
        self.next_id += k
        return np.arange(start, end)

    def compact(self) -> np.ndarray:
        """Drop rows with ``alive == False`` (swap-remove).

        The last surviving rows move into the holes the removed rows leave
        (:func:`kernels.fill_holes`), so a removal moves as many rows as firms leave,
        not the whole table after the first of them; rows do not keep their order
        (ids still identify firms).

        Returns
        -------
        numpy.ndarray
            ``old_to_new`` of length (old n): the new row index of each old row, or -1.
        """
        old_to_new, src, dst, m = kernels.fill_holes(self.alive)
        if src.size:
            for block in self._blocks.values():
                kernels.move_rows(block, src, dst)
        self.n = m
        return old_to_new

    def id_order(self) -> np.ndarray:
        """Row indices that put the firms in id order (rows are in no particular order
        once exits have moved rows)."""
        return np.argsort(self.id, kind="stable")

    def to_frame(self, region_names=None, stage_names=None):
        """The table as a pandas DataFrame (one row per firm, in id order)."""
        import pandas as pd

        # rows in id order; fancy indexing makes one copy per column (the frame must not
        # alias the live table), kept as the frame's own blocks: letting pandas
        # consolidate them would copy the table again
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


#: dtype -> the columns stored as rows of that dtype's block
_BLOCKS: dict[str, list[str]] = {}
for _name, _dt in COLUMNS.items():
    _BLOCKS.setdefault(_dt.str, []).append(_name)
#: column -> (block key, row in the block)
_SLOTS: dict[str, tuple[str, int]] = {}
for _key, _names in _BLOCKS.items():
    for _row, _name in enumerate(_names):
        _SLOTS[_name] = (_key, _row)
        setattr(FirmTable, _name, _column_property(_name, _key, _row, np.dtype(_key)))

#: columns that always get a value in an append (the id, and the defaults of alive and parent)
_ALWAYS_WRITTEN = frozenset({"id", "alive", "parent"})


@functools.lru_cache(maxsize=64)
def _zero_runs(given: frozenset) -> tuple[tuple[str, int, int], ...]:
    """``(block, first, last)``: the runs of consecutive block rows whose columns an append
    with columns ``given`` zeroes (one slice assignment per run instead of one per column
    or a whole block)."""
    runs = []
    for key, names in _BLOCKS.items():
        first = None
        for row, name in enumerate([*names, None]):
            missing = name is not None and name not in given and name not in _ALWAYS_WRITTEN
            if missing and first is None:
                first = row
            elif not missing and first is not None:
                runs.append((key, first, row))
                first = None
    return tuple(runs)
