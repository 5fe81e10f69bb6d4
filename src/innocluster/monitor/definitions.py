"""Cluster definitions: industry codes mapped to named clusters before any indicator
is computed (``innocluster monitor DATA --clusters FILE``).

A definition file is a CSV (any encoding the monitor detects; lines starting with
``#`` are comments) with one row per industry code:

========================  ==========================================================
column                    meaning
========================  ==========================================================
``code``                  industry code as in the data (e.g. a 6-digit NAICS 2012
                          code); a shorter code covers every code that starts with
                          it (``3254`` covers ``325411`` ... ``325414``)
``cluster``               cluster name (e.g. ``Biopharmaceuticals``)
``type``                  ``traded`` or ``local`` (anything else is kept as given)
``cluster_code``          optional cluster number
========================  ==========================================================

The US Cluster Mapping Project's own definition files (columns ``cluster_code``,
``cluster_name``, ``traded_local``, ``NAICS2012``, ...) are read as they are:
``cluster_name`` -> ``cluster``, ``traded_local`` -> ``type`` and the first of
``NAICS2012``, ``naics2012``, ``naics``, ``NAICS2017`` -> ``code``.

Each code belongs to one cluster (the benchmark definitions are mutually exclusive);
a code listed twice is refused. A data code is assigned to the cluster of the
longest definition code it starts with. Codes the definitions do not cover are kept
together as ``(unassigned)`` (type ``unassigned``) so that region totals, and
therefore location quotients, stay those of the whole economy; the notes give
their number and share of employment. When the data are coarser than the
definitions (4-digit data, 6-digit definitions) nothing can be assigned and the
monitor says so.

The strong-cluster rule is applied to clusters of type ``traded`` only (the US
Cluster Mapping convention); every cluster still gets its indicators, stage and
warnings.

**The benchmark definitions are not shipped.** Delgado, Porter & Stern (2016)
"Defining clusters of related industries", *Journal of Economic Geography* 16(1):
1-38, define 51 traded and 16 local clusters on NAICS 2012 codes; the definitions
are published by the U.S. Cluster Mapping Project (clustermapping.us). No public copy
with a licence to redistribute could be obtained while writing this module, so the
package ships the format and an illustrative example
(:func:`example_definitions`), not the benchmark.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd

from innocluster.errors import InputError

UNASSIGNED = "(unassigned)"
_CODE_COLUMNS = ("code", "naics2012", "naics", "naics2017", "nace", "ipc", "industry")
_NAME_COLUMNS = ("cluster", "cluster_name")
_TYPE_COLUMNS = ("type", "traded_local")


@dataclass
class ClusterDefinitions:
    """Industry code -> cluster mapping.

    Attributes
    ----------
    codes : DataFrame ``code, cluster, type`` (codes normalised: NAICS ``-`` / ``/``
        padding and spaces removed).
    source : the definition file.
    """

    codes: pd.DataFrame
    source: str = "<definitions>"
    notes: list[str] = field(default_factory=list)

    @property
    def types(self) -> dict[str, str]:
        """Cluster name -> type."""
        return dict(zip(self.codes["cluster"], self.codes["type"], strict=False))

    def assign(self, industries) -> pd.Series:
        """Cluster of each industry code (the longest matching definition code), or
        :data:`UNASSIGNED`."""
        labs = pd.Index(pd.unique(pd.Series(list(industries), dtype=object).astype(str)))
        by_code = dict(zip(self.codes["code"], self.codes["cluster"], strict=True))
        lengths = sorted({len(c) for c in by_code}, reverse=True)
        out = {}
        for lab in labs:
            code = _normalise(lab)
            out[lab] = next((by_code[code[:n]] for n in lengths if n <= len(code) and code[:n] in by_code), UNASSIGNED)
        return pd.Series(out, name="cluster")


def _normalise(code) -> str:
    """A code without spaces and CBP's ``-`` / ``/`` padding (NAICS sector ranges such
    as ``31-33`` are kept)."""
    c = re.sub(r"\s", "", str(code))
    return c if re.fullmatch(r"\d\d-\d\d", c) else c.replace("-", "").replace("/", "")


def read_definitions(path) -> ClusterDefinitions:
    """Read a cluster definition file (module docstring).

    Raises
    ------
    InputError
        Missing columns, empty values or a code listed twice; one line naming the file,
        the line and the value.
    """
    from innocluster.monitor.readers import text_of

    p = Path(path)
    if not p.is_file():
        raise InputError(f"--clusters {p}: file not found")
    try:
        text = text_of(p.read_bytes())
    except InputError as exc:
        raise InputError(f"--clusters {p}: {exc}") from None
    lines = text.splitlines()
    body = [ln for ln in lines if not ln.lstrip().startswith("#")]
    first_data = next((i for i, ln in enumerate(lines) if not ln.lstrip().startswith("#")), 0)
    try:
        df = pd.read_csv(io.StringIO("\n".join(body)), dtype=str, skipinitialspace=True, keep_default_na=False)
    except Exception as exc:
        raise InputError(f"--clusters {p}: cannot be read as CSV: {' '.join(str(exc).split())}") from None
    df.columns = [str(c).strip().lower() for c in df.columns]
    code_col = next((c for c in _CODE_COLUMNS if c in df.columns), None)
    name_col = next((c for c in _NAME_COLUMNS if c in df.columns), None)
    type_col = next((c for c in _TYPE_COLUMNS if c in df.columns), None)
    for col, what in ((code_col, "code"), (name_col, "cluster"), (type_col, "type")):
        if col is None:
            raise InputError(f"--clusters {p}: missing column {what!r}; a definition file has code, cluster, type "
                             "(or the US Cluster Mapping columns NAICS2012, cluster_name, traded_local)")
    out = pd.DataFrame({"code": df[code_col].map(_normalise), "cluster": df[name_col].str.strip(),
                        "type": df[type_col].str.strip().str.lower()})
    # the line of each data row: header is the first non-comment line
    body_lines = [i for i, ln in enumerate(lines) if not ln.lstrip().startswith("#")][1:]
    for col in ("code", "cluster", "type"):
        empty = out[col].eq("") | out[col].isna()
        if empty.any():
            i = int(np.flatnonzero(empty.to_numpy())[0])
            raise InputError(f"--clusters {p}: line {body_lines[i] + 1 if i < len(body_lines) else first_data + i + 2}, "
                             f"column {col!r}: empty value")
    dup = out["code"].duplicated(keep=False)
    if dup.any():
        code = out.loc[dup, "code"].iloc[0]
        names = sorted(set(out.loc[out["code"] == code, "cluster"]))
        raise InputError(f"--clusters {p}: code {code!r} is listed {int((out['code'] == code).sum())} times "
                         f"({', '.join(names)}); each code belongs to one cluster")
    kinds = out.groupby("cluster")["type"].nunique()
    if (kinds > 1).any():
        name = kinds[kinds > 1].index[0]
        raise InputError(f"--clusters {p}: cluster {name!r} is given two types "
                         f"({', '.join(sorted(set(out.loc[out.cluster == name, 'type'])))})")
    notes = []
    other = sorted(set(out["type"]) - {"traded", "local"})
    if other:
        notes.append(f"cluster types other than traded / local in {p.name}: {', '.join(other)} (the strong-cluster "
                     "rule applies to traded clusters only)")
    return ClusterDefinitions(out.reset_index(drop=True), str(p), notes)


def apply_definitions(table: pd.DataFrame, defs: ClusterDefinitions, kind: str = "region",
                      measure: str = "employment") -> tuple[pd.DataFrame, list[str]]:
    """Map the ``industry`` column of a table to clusters; region tables are summed by
    region x cluster x year (a sum with an unknown part is unknown).

    Parameters
    ----------
    table : region x industry x year table or firm panel (``industry`` column).
    defs : ClusterDefinitions
    kind : ``"region"`` (aggregate) or ``"firm"`` (relabel each firm's industry).
    measure : column used to report the share of activity left unassigned.

    Returns
    -------
    (table, notes)
    """
    assign = defs.assign(table["industry"])
    cl = table["industry"].astype(str).map(assign)
    notes = [f"industries mapped to clusters with {Path(defs.source).name}: {assign.ne(UNASSIGNED).sum()} of "
             f"{len(assign)} codes assigned to {assign[assign != UNASSIGNED].nunique()} clusters", *defs.notes]
    un = cl.eq(UNASSIGNED).to_numpy()
    if un.all():
        data_len = sorted({len(_normalise(x)) for x in assign.index})
        def_len = sorted({len(c) for c in defs.codes["code"]})
        raise InputError(f"--clusters {Path(defs.source).name}: no industry code of the data is covered (data codes of "
                         f"{', '.join(map(str, data_len))} characters, definitions of {', '.join(map(str, def_len))}); "
                         "use data at the definitions' level (e.g. --level 6 for NAICS 2012 clusters)")
    if un.any():
        share = ""
        if measure in table.columns:
            m = pd.to_numeric(table[measure], errors="coerce")
            if m.notna().any() and m.sum() > 0:
                share = f", {100 * m[un].sum() / m.sum():.1f} % of {measure}"
        notes.append(f"{int(pd.Series(table['industry'][un]).nunique())} industry codes not covered by the definitions "
                     f"(kept together as {UNASSIGNED!r}{share})")
    if kind == "firm":
        return table.assign(industry=cl.to_numpy()), notes
    keys = ["region", "industry", "year"]
    vals = [c for c in table.columns if c not in keys]
    t = table.assign(industry=cl.to_numpy())
    g = t.groupby(keys, sort=True, observed=True)
    out = g[vals].sum(min_count=1)
    # a cluster with one unknown (suppressed) member is unknown, not undercounted
    unknown = t[vals].isna().groupby([t[k] for k in keys], sort=True, observed=True).any()
    observed = t[vals].notna().groupby([t[k] for k in keys], sort=True, observed=True).any()
    out = out.mask(unknown & observed)
    return out.reset_index(), notes


def example_definitions() -> Path:
    """Path of the shipped illustrative definition file (not the benchmark; see the
    module docstring and the file's header)."""
    return Path(str(resources.files("innocluster.monitor").joinpath("examples", "example_cluster_definitions.csv")))


__all__ = ["UNASSIGNED", "ClusterDefinitions", "apply_definitions", "example_definitions", "read_definitions"]
