"""The firm table: a struct of arrays, one NumPy column per attribute.

No Python object exists per firm. Mechanisms read and write whole columns; entry
appends rows with :meth:`FirmTable.append`; exit removes rows with
:meth:`FirmTable.compact`, which also returns the old-to-new index map so that the
trust network can follow.
"""

from __future__ import annotations

import numpy as np

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


class FirmTable:
    """Struct-of-arrays firm table.

    Attributes are the columns of :data:`COLUMNS`, each a 1-D NumPy array of length
    :attr:`n`. Firm ids are unique over the whole run (never reused), so a firm panel
    can follow a firm across years and spin-off lineage (``parent``) stays valid
    after the parent exits.
    """

    __slots__ = tuple(COLUMNS) + ("n", "next_id")

    def __init__(self, n: int = 0):
        self.n = 0
        self.next_id = 0
        for name, dt in COLUMNS.items():
            setattr(self, name, np.zeros(0, dtype=dt))
        if n:
            self.append(n)

    def append(self, k: int, **values) -> np.ndarray:
        """Append ``k`` new firms; returns their row indices.

        Columns not given in ``values`` get neutral defaults (zeros, ``parent=-1``,
        ``alive=True``); ids are assigned consecutively.
        """
        if k <= 0:
            return np.zeros(0, dtype=np.int64)
        start = self.n
        defaults = {
            "id": np.arange(self.next_id, self.next_id + k, dtype=np.int64),
            "alive": np.ones(k, dtype=bool),
            "parent": np.full(k, -1, dtype=np.int64),
        }
        for name, dt in COLUMNS.items():
            col = getattr(self, name)
            if name in values:
                new = np.broadcast_to(np.asarray(values[name], dtype=dt), (k,))
            elif name in defaults:
                new = defaults[name]
            else:
                new = np.zeros(k, dtype=dt)
            setattr(self, name, np.concatenate([col, new]))
        unknown = set(values) - set(COLUMNS)
        if unknown:
            raise KeyError(f"unknown firm columns: {sorted(unknown)}")
        self.next_id += k
        self.n += k
        return np.arange(start, start + k)

    def compact(self) -> np.ndarray:
        """Drop rows with ``alive == False``.

        Returns
        -------
        numpy.ndarray
            ``old_to_new`` of length (old n): the new row index of each old row, or -1.
        """
        keep = self.alive
        old_to_new = np.full(self.n, -1, dtype=np.int64)
        old_to_new[keep] = np.arange(int(keep.sum()))
        if not keep.all():
            for name in COLUMNS:
                setattr(self, name, getattr(self, name)[keep])
            self.n = int(keep.sum())
        return old_to_new

    def to_frame(self, region_names=None, stage_names=None):
        """The table as a pandas DataFrame (one row per firm)."""
        import pandas as pd

        df = pd.DataFrame({name: getattr(self, name).copy() for name in COLUMNS})
        if region_names is not None:
            df["region_name"] = np.asarray(region_names, dtype=object)[df["region"].to_numpy()]
        if stage_names is not None:
            df["stage_name"] = np.asarray(stage_names, dtype=object)[df["stage"].to_numpy()]
        return df

    def nbytes(self) -> int:
        """Memory of all columns in bytes."""
        return sum(getattr(self, name).nbytes for name in COLUMNS)
