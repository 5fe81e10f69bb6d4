"""innocluster: industrial clusters and SME innovation in the global value chain."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["load_scenario", "simulate", "validate", "__version__"]


def __getattr__(name: str):
    # Lazy imports keep `import innocluster.indicators` free of the model
    # (indicators and lifecycle depend on nothing of the model).
    if name == "load_scenario":
        from innocluster.scenario import load_scenario

        return load_scenario
    if name == "simulate":
        from innocluster.model.engine import simulate

        return simulate
    if name == "validate":
        from innocluster.validation import validate

        return validate
    raise AttributeError(name)
