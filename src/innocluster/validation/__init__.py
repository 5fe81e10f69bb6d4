"""Empirical validation: the stylised facts of firm and industry dynamics, measured on
simulated firm panels with the same estimators as on real data (``innocluster validate``).

* :mod:`.estimators` — the estimators (Zipf tail, Subbotin shape, survival, hazard by
  age, spin-off survival, productivity dispersion and persistence, shake-out);
* :mod:`.facts` — the facts: measure, source, empirical range;
* :mod:`.card` — :func:`validate` and its :class:`ValidationResults`.
"""

from innocluster.validation.card import ValidationResults, validate
from innocluster.validation.facts import FACTS, Fact, facts_for

__all__ = ["FACTS", "Fact", "ValidationResults", "facts_for", "validate"]
