"""Mesa 3 reference implementation of the engine's core rules (scenario ``core``).

See ``README.md`` in this directory for the rule-by-rule mapping to
``innocluster.model``.
"""

from benchmarks.mesa_reference.model import CoreClusterModel, Firm, release, run_core

__all__ = ["CoreClusterModel", "Firm", "release", "run_core"]
