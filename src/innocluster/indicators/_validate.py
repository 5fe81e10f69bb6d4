"""Input checks shared by the indicator functions.

Every indicator accepts a 2-D array-like or a :class:`pandas.DataFrame` (rows =
regions, columns = industries unless a docstring says otherwise). Bad input raises
:class:`innocluster.errors.InputError` (a ``ValueError``) with a one-line message.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from innocluster.errors import InputError


def as_matrix(x: Any, name: str = "x", *, allow_negative: bool = False):
    """Return ``(values, row_index, column_index)`` for a 2-D non-negative matrix.

    ``row_index`` / ``column_index`` are the DataFrame labels, or ``None`` for arrays.
    """
    rows = cols = None
    if isinstance(x, pd.DataFrame):
        rows, cols = x.index, x.columns
        try:
            arr = x.to_numpy(dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InputError(f"{name}: all cells must be numeric ({exc})") from None
    else:
        try:
            arr = np.asarray(x, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InputError(f"{name}: all cells must be numeric ({exc})") from None
    if arr.ndim != 2:
        raise InputError(f"{name}: expected a 2-D matrix (regions x industries), got {arr.ndim} dimension(s)")
    if arr.size == 0:
        raise InputError(f"{name}: the matrix is empty (shape {arr.shape})")
    _check_finite(arr, name)
    if not allow_negative and (arr < 0).any():
        r, c = np.argwhere(arr < 0)[0]
        raise InputError(
            f"{name}: row {_label(rows, r)}, column {_label(cols, c)}: value {arr[r, c]:g} is negative; "
            "counts must be >= 0"
        )
    return arr, rows, cols


def as_vector(v: Any, name: str = "v", *, allow_negative: bool = False) -> np.ndarray:
    """Return a finite 1-D float array (non-negative unless ``allow_negative``)."""
    try:
        arr = np.asarray(v, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name}: all values must be numeric ({exc})") from None
    if arr.ndim == 0:
        arr = arr.reshape(1)
    if arr.ndim != 1:
        raise InputError(f"{name}: expected a 1-D vector, got {arr.ndim} dimensions")
    if arr.size == 0:
        raise InputError(f"{name}: the vector is empty")
    _check_finite(arr, name)
    if not allow_negative and (arr < 0).any():
        i = int(np.argmax(arr < 0))
        raise InputError(f"{name}: element {i}: value {arr[i]:g} is negative; values must be >= 0")
    return arr


def _check_finite(arr: np.ndarray, name: str) -> None:
    bad = ~np.isfinite(arr)
    if bad.any():
        idx = tuple(int(i) for i in np.argwhere(bad)[0])
        raise InputError(f"{name}: element {idx} is {arr[idx]}; values must be finite numbers")


def _label(index, i: int) -> str:
    return repr(index[i]) if index is not None else str(int(i))


def safe_divide(num: np.ndarray, den: np.ndarray, fill: float = 0.0) -> np.ndarray:
    """``num / den`` with ``fill`` wherever ``den == 0`` (no warnings, no NaN)."""
    num, den = np.broadcast_arrays(np.asarray(num, dtype=np.float64), np.asarray(den, dtype=np.float64))
    out = np.full(num.shape, fill, dtype=np.float64)
    np.divide(num, den, out=out, where=den != 0)
    return out


def wrap_rows(values: np.ndarray, rows, name: str):
    """A Series over the rows if labels are known, else the array."""
    return pd.Series(values, index=rows, name=name) if rows is not None else values


def wrap_matrix(values: np.ndarray, rows, cols):
    """A DataFrame if labels are known, else the array."""
    if rows is not None or cols is not None:
        return pd.DataFrame(values, index=rows, columns=cols)
    return values
