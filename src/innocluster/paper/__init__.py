"""The seed paper's claims as controlled experiments (``innocluster experiment``).

* :mod:`~innocluster.paper.verdict` — the rule that turns an effect and its 95 %
  interval into *supported*, *not supported* or *depends*;
* :mod:`~innocluster.paper.claims` — one declarative definition per claim;
* :mod:`~innocluster.paper.derived` — per-run summaries computed in the workers;
* :mod:`~innocluster.paper.run` — runs claims with common random numbers;
* :mod:`~innocluster.paper.report` — the self-contained ``report.html``.
"""
