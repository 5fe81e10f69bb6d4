"""Scenarios: pydantic schema, TOML loading/saving, built-in scenario files."""

from innocluster.scenario.io import (
    apply_overrides,
    list_scenarios,
    load_scenario,
    resolve_scenario,
    save_scenario,
    scenario_from_dict,
    scenario_origin,
    scenario_to_toml,
)
from innocluster.scenario.schema import INSTRUMENTS, Region, Scenario, Stage

__all__ = [
    "INSTRUMENTS",
    "Region",
    "Scenario",
    "Stage",
    "apply_overrides",
    "list_scenarios",
    "load_scenario",
    "resolve_scenario",
    "save_scenario",
    "scenario_from_dict",
    "scenario_origin",
    "scenario_to_toml",
]
