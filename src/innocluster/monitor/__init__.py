"""The cluster monitor: load real (or simulated) data, compute indicators, classify
the life-cycle stage, raise lock-in / race-to-the-bottom warnings, forecast, report.

Depends only on :mod:`innocluster.indicators`, :mod:`innocluster.lifecycle` and the
shared schema, never on the simulation model.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from innocluster.monitor.io import (
    Dataset,
    detect_kind,
    load_data,
    to_region_table,
    validate,
)

EXAMPLES = {
    "cincera": "cincera_patents_rd.csv",
    "synthetic": "synthetic_region_industry.csv",
}


def example_data(name: str = "cincera") -> Path:
    """Path of a shipped example data set.

    ``"cincera"``: the Cincera (1997) panel of 181 firms, 1983-1991, as a firm panel
    (patents, R&D; employees not observed). ``"synthetic"``: a synthetic region x
    industry x year table (documented in ``innocluster/data/README.md``).
    """
    from innocluster.errors import InputError

    if name not in EXAMPLES:
        raise InputError(f"example_data: {name!r} is not one of {', '.join(EXAMPLES)}")
    return Path(str(resources.files("innocluster.data").joinpath(EXAMPLES[name])))


__all__ = ["Dataset", "detect_kind", "example_data", "load_data", "to_region_table", "validate"]
