"""Regional-economics indicators: pure functions on arrays and DataFrames.

Rows are regions and columns industries unless a docstring says otherwise. Every
function states its formula and source; where R packages (EconGeo, REAT) differ in
convention the docstring says which one is followed. Bad input raises
:class:`innocluster.errors.InputError` (a ``ValueError``).
"""

from innocluster.indicators.agglomeration import (
    AgglomerationResult,
    ellison_glaeser,
    litzenberger_sternberg,
    maurel_sedillot,
)
from innocluster.indicators.clusters import cluster_stars, strong_clusters
from innocluster.indicators.complexity import (
    ComplexityResult,
    complexity,
    diversity,
    ubiquity,
)
from innocluster.indicators.concentration import (
    entropy,
    gini,
    herfindahl,
    herfindahl_equivalent_number,
    herfindahl_normalised,
    hoover_gini,
    hoover_index,
    locational_gini,
    lorenz_curve,
    related_unrelated_variety,
)
from innocluster.indicators.growth import cagr, entries_exits, growth, shift_share
from innocluster.indicators.innovation import (
    ElasticityResult,
    patent_indicators,
    patent_rd_elasticity,
    patents_per_10k_employees,
    patents_per_firm,
    patents_per_rd,
)
from innocluster.indicators.relatedness import (
    co_occurrence,
    relatedness,
    relatedness_density,
    relatedness_flexibility,
)
from innocluster.indicators.specialisation import (
    hachman,
    krugman_index,
    location_quotient,
    specialisation_coefficient,
)

__all__ = [
    "AgglomerationResult",
    "ComplexityResult",
    "ElasticityResult",
    "cagr",
    "cluster_stars",
    "co_occurrence",
    "complexity",
    "diversity",
    "ellison_glaeser",
    "entries_exits",
    "entropy",
    "gini",
    "growth",
    "hachman",
    "herfindahl",
    "herfindahl_equivalent_number",
    "herfindahl_normalised",
    "hoover_gini",
    "hoover_index",
    "krugman_index",
    "litzenberger_sternberg",
    "location_quotient",
    "locational_gini",
    "lorenz_curve",
    "maurel_sedillot",
    "patent_indicators",
    "patent_rd_elasticity",
    "patents_per_10k_employees",
    "patents_per_firm",
    "patents_per_rd",
    "related_unrelated_variety",
    "relatedness",
    "relatedness_density",
    "relatedness_flexibility",
    "shift_share",
    "specialisation_coefficient",
    "strong_clusters",
    "ubiquity",
]
