"""Scenario schema, TOML round trip, overrides and one-line errors."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from conftest import run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from innocluster.errors import InputError
from innocluster.scenario import (
    apply_overrides,
    list_scenarios,
    load_scenario,
    save_scenario,
)


def test_builtin_scenarios_load():
    names = list_scenarios()
    assert {"china-sme-baseline", "hsinchu"} <= set(names)
    for n in names:
        sc = load_scenario(n)
        assert sc.name == n
        assert any(r.kind == "cluster" for r in sc.regions)
        assert sc.sources, f"{n} must document the facts behind it"


def test_round_trip(tmp_path):
    sc = load_scenario("hsinchu")
    p = save_scenario(sc, tmp_path / "h.toml")
    again = load_scenario(p)
    assert again == sc


def test_overrides_apply_and_validate():
    sc = apply_overrides(load_scenario("hsinchu"), [
        "innovation.zeta1=0.2", "mechanisms.spinoffs=false", "regions.hsinchu.budget=40",
        "stages.assembly.demand=900", "government.shares.direct_subsidy=0.0", "years=12"])
    assert sc.innovation.zeta1 == 0.2
    assert sc.mechanisms.spinoffs is False
    assert sc.regions[0].budget == 40
    assert sc.stages[0].demand == 900
    assert sc.years == 12


@pytest.mark.parametrize("override, fragment", [
    ("innovation.zeta1=420", "innovation.zeta1 = 420"),
    ("innovation.zeta1=-1", "allowed [0, 100]"),
    ("regions.hsinchu.ip_strength=1.5", "allowed [0, 1]"),
    ("regions.nowhere.budget=3", "no entry named 'nowhere'"),
    ("innovation.zetaX=3", "unknown field"),
    ("mechanisms.spinoffs=perhaps", "mechanisms.spinoffs"),
    ("government.shares.infrastructure=0.9", "sum"),
    ("government.shares.bribes=0.1", "unknown instrument"),
    ("zeta1", "not key=value"),
])
def test_bad_override_is_one_line(override, fragment):
    with pytest.raises(InputError) as exc:
        apply_overrides(load_scenario("hsinchu"), [override])
    msg = str(exc.value)
    assert "\n" not in msg
    assert fragment in msg


def test_bad_file_names_file_field_value_range(tmp_path):
    text = load_scenario("hsinchu").model_dump_json()  # noqa: F841 (ensures model serialises)
    p = tmp_path / "bad.toml"
    src = (tmp_path / "ok.toml")
    save_scenario(load_scenario("hsinchu"), src)
    p.write_text(re.sub(r"(?m)^zeta1 = .*$", "zeta1 = 199.0", src.read_text()))
    with pytest.raises(InputError) as exc:
        load_scenario(p)
    msg = str(exc.value)
    assert str(p) in msg and "innovation.zeta1" in msg and "199" in msg and "[0, 100]" in msg


def test_toml_syntax_error(tmp_path):
    p = tmp_path / "broken.toml"
    p.write_text("name = \n[[regions]\n")
    with pytest.raises(InputError, match="broken.toml: TOML syntax error"):
        load_scenario(p)


def test_unknown_scenario_lists_builtins():
    with pytest.raises(InputError, match="hsinchu"):
        load_scenario("atlantis")


@settings(max_examples=40, deadline=None)
@given(value=st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6))
def test_any_out_of_range_value_is_rejected_cleanly(value):
    """Every value either validates within [0, 1] or raises a one-line InputError."""
    try:
        sc = apply_overrides(load_scenario("hsinchu"), [f"finance.prudent_lending={value!r}"])
    except InputError as exc:
        assert not (0 <= value <= 1)
        assert "\n" not in str(exc) and "finance.prudent_lending" in str(exc)
    else:
        assert 0 <= sc.finance.prudent_lending <= 1


def test_cli_validate_exit_codes(tmp_path):
    good = tmp_path / "good.toml"
    save_scenario(load_scenario("hsinchu"), good)
    r = run_cli("scenario", "validate", str(good))
    assert r.returncode == 0, r.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text(good.read_text().replace("selection_accuracy = 0.7", "selection_accuracy = 7.0"))
    r = run_cli("scenario", "validate", str(bad))
    assert r.returncode == 2
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    assert "government.selection_accuracy" in lines[0] and "7.0" in lines[0] and "[0, 1]" in lines[0]
    assert "Traceback" not in r.stderr


def test_cli_scenario_list_and_show():
    r = run_cli("scenario", "list")
    assert r.returncode == 0 and "hsinchu" in r.stdout
    r = run_cli("scenario", "show", "hsinchu")
    assert r.returncode == 0 and 'name = "hsinchu"' in r.stdout and "[innovation]" in r.stdout


# ----------------------------------------------------------------------------- every number documented
SECTIONS = ("initial", "market", "costs", "finance", "innovation", "diffusion", "entry", "relocation", "upgrading",
            "exit", "government")


def test_every_economic_number_has_unit_range_and_source():
    """Each numeric field of the schema (sections, regions, stages) declares a unit and a
    source, and a range unless it is free by nature (positions)."""
    from innocluster.scenario.schema import Region, Scenario, Stage

    models = [type(getattr(load_scenario("hsinchu"), s)) for s in SECTIONS] + [Region, Stage]
    for model in models:
        for name, info in model.model_fields.items():
            if info.annotation not in (int, float) or name in ("founded",):
                continue
            extra = info.json_schema_extra or {}
            assert extra.get("unit") and extra.get("source"), f"{model.__name__}.{name}: unit and source"
            bounds = [getattr(m, a) for m in info.metadata for a in ("ge", "gt", "le", "lt") if getattr(m, a, None) is not None]
            assert len(bounds) == 2, f"{model.__name__}.{name}: an allowed range"
    assert Scenario.model_fields["initial"]


def test_parameter_table_lists_sections_regions_and_stages():
    from innocluster.scenario.schema import parameter_table

    sc = load_scenario("hsinchu")
    rows = {r["field"]: r for r in parameter_table(sc)}
    for field in ("finance.debt_amortisation", "entry.spinoff_rd_unit_share", "relocation.mne_capital_multiple",
                  "innovation.absorption_candidates", "initial.max_age", "government.incentive_persistence",
                  "regions.hsinchu.vc_pool", "regions.periphery.budget", "stages.assembly.value_added"):
        assert field in rows, field
    debt = rows["finance.debt_amortisation"]
    assert debt["value"] == debt["default"] == 0.15 and debt["allowed"] == "[0, 1]" and debt["unit"] and debt["source"]
    assert rows["regions.hsinchu.vc_pool"]["value"] == sc.regions[0].vc_pool
    # every field of every section, region and stage that carries a number
    expected = sum(1 for s in SECTIONS for f, i in type(getattr(sc, s)).model_fields.items()
                   if (i.json_schema_extra or {}).get("unit"))
    assert sum(1 for k in rows if k.split(".")[0] in SECTIONS) == expected


def test_cli_describe_lists_every_parameter_and_writes_csv():
    import csv
    import io

    r = run_cli("scenario", "show", "hsinchu", "--describe", "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert list(rows[0]) == ["field", "value", "default", "allowed", "unit", "meaning", "source"]
    fields = {row["field"] for row in rows}
    assert {"regions.hsinchu.wage", "stages.design_rd.threshold", "finance.debt_amortisation"} <= fields
    bad = run_cli("scenario", "show", "hsinchu", "--describe", "--format", "xml")
    assert bad.returncode == 2 and "allowed: table, list, csv" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


def test_model_description_names_every_parameter_and_links_every_mechanism():
    """docs/model.md (the ODD description) names every parameter of the schema and links
    every mechanism module."""
    from pathlib import Path

    from innocluster.scenario.schema import parameter_table

    root = Path(__file__).resolve().parents[1]
    text = (root / "docs" / "model.md").read_text(encoding="utf-8")
    sc = load_scenario("hsinchu")
    for row in parameter_table(sc):
        field = row["field"]
        parts = field.split(".")
        if parts[0] in ("regions", "stages"):
            field = f"{parts[0]}.<name>.{parts[2]}"
        assert f"`{field}`" in text, f"docs/model.md does not name {field}"
    for module in sorted((root / "src" / "innocluster" / "model").glob("*.py")):
        if module.name in ("__init__.py", "fingerprint.py", "allocator.py"):  # not part of the model
            continue
        assert f"(../src/innocluster/model/{module.name})" in text, f"docs/model.md does not link {module.name}"


#: fields whose value is a table or list as a whole (one row in the description)
WHOLE = ("shares", "stage_programme", "stage_mix", "sources")


def _set_paths(data, prefix=""):
    """Every ``--set`` path of a dumped scenario: list entries by their name."""
    if isinstance(data, list):
        for el in data:
            yield from _set_paths({k: v for k, v in el.items() if k != "name"}, f"{prefix}{el['name']}.")
        return
    for k, v in data.items():
        if isinstance(v, (dict, list)) and k not in WHOLE:
            yield from _set_paths(v, f"{prefix}{k}.")
        else:
            yield f"{prefix}{k}"


def test_describe_lists_every_field_wrapped_at_80_columns():
    """Issue 22: regions.* and stages.* included, nothing cut at 80 columns."""
    import os

    from innocluster.scenario.schema import field_table

    sc = load_scenario("hsinchu")
    rows = field_table(sc)
    fields = [r["field"] for r in rows]
    paths = set(_set_paths(sc.model_dump(mode="python")))
    assert paths <= set(fields), sorted(paths - set(fields))[:10]
    assert {"regions.hsinchu.vc_pool", "regions.hsinchu.budget", "regions.hsinchu.wage",
            "stages.design_rd.threshold", "years", "seed", "firms", "mechanisms.spinoffs"} <= set(fields)
    env = dict(os.environ, COLUMNS="80")
    r = subprocess.run([sys.executable, "-m", "innocluster.cli", "scenario", "show", "hsinchu", "--describe"],
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert max(len(ln) for ln in lines) <= 80
    heads = [ln.split(" = ", 1)[0] for ln in lines if ln and not ln.startswith(" ") and " = " in ln]
    assert heads == fields  # every field, whole, in schema order
    assert "description = Hsinchu" in r.stdout and 'default ""' in r.stdout
