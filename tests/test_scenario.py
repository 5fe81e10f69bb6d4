"""Scenario schema, TOML round trip, overrides and one-line errors."""

from __future__ import annotations

import re

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
    ("innovation.zeta1=42", "innovation.zeta1 = 42"),
    ("innovation.zeta1=-1", "allowed [0, 10]"),
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
    p.write_text(re.sub(r"(?m)^zeta1 = .*$", "zeta1 = 99.0", src.read_text()))
    with pytest.raises(InputError) as exc:
        load_scenario(p)
    msg = str(exc.value)
    assert str(p) in msg and "innovation.zeta1" in msg and "99" in msg and "[0, 10]" in msg


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
