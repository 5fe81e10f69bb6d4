"""Load, validate, override and save scenarios (TOML).

Every failure is an :class:`~innocluster.errors.InputError` whose message names the
file, the field, the value and the allowed range, e.g.::

    bad.toml: innovation.zeta1 = 42.0 is out of range; allowed [0, 10] (inventions per researcher-year)
"""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import BaseModel, ValidationError

from innocluster.atomic import atomic_write_text
from innocluster.errors import InputError
from innocluster.scenario.schema import Scenario

BUILTIN_PACKAGE = "innocluster.scenario.builtin"


def _builtin_dir() -> Path:
    return Path(str(resources.files(BUILTIN_PACKAGE)))


def list_scenarios() -> list[str]:
    """Names of the built-in scenarios (the ``*.toml`` files shipped with the package)."""
    return sorted(p.stem for p in _builtin_dir().glob("*.toml"))


def builtin_path(name: str) -> Path:
    """Path of a built-in scenario file."""
    return _builtin_dir() / f"{name}.toml"


def scenario_path(name_or_path: str | Path) -> Path:
    """The file behind a built-in name or a path (a ``.toml`` path is taken as given)."""
    p = Path(name_or_path)
    if p.suffix != ".toml" and not p.exists():
        if str(name_or_path) not in list_scenarios():
            raise InputError(
                f"unknown scenario {str(name_or_path)!r}; built-in: {', '.join(list_scenarios())} (or give a .toml path)"
            )
        p = builtin_path(str(name_or_path))
    return p


def targets_dir() -> Path:
    """Folder of the shipped calibration targets files."""
    return _builtin_dir() / "targets"


def _field_range(model: type[BaseModel], loc: tuple) -> tuple[str, str]:
    """Allowed range and description of the field at ``loc`` (best effort)."""
    cls: Any = model
    info = None
    for part in loc:
        if isinstance(part, int) or cls is None:
            continue
        fields = getattr(cls, "model_fields", None)
        if not fields or part not in fields:
            return "", ""
        info = fields[part]
        ann = info.annotation
        nxt = None
        for cand in (ann, *getattr(ann, "__args__", ())):
            if isinstance(cand, type) and issubclass(cand, BaseModel):
                nxt = cand
        cls = nxt
    if info is None:
        return "", ""
    lo = hi = None
    lo_open = hi_open = False
    for m in info.metadata:
        for attr, is_lo, is_open in (("ge", True, False), ("gt", True, True), ("le", False, False), ("lt", False, True)):
            v = getattr(m, attr, None)
            if v is not None:
                if is_lo:
                    lo, lo_open = v, is_open
                else:
                    hi, hi_open = v, is_open
    rng = ""
    if lo is not None or hi is not None:
        rng = ("(" if lo_open else "[") + (f"{lo:g}" if lo is not None else "-inf") + ", "
        rng += (f"{hi:g}" if hi is not None else "inf") + (")" if hi_open else "]")
    return rng, info.description or ""


def format_validation_error(err: ValidationError, source: str) -> str:
    """One line: file, field, value and allowed range of the first error."""
    e = err.errors()[0]
    loc = tuple(e.get("loc", ()))
    field = ".".join(str(p) for p in loc) or "(scenario)"
    value = e.get("input")
    rng, desc = _field_range(Scenario, loc)
    msg = e.get("msg", "invalid")
    etype = e.get("type", "")
    if etype == "extra_forbidden":
        return f"{source}: unknown field '{field}' (misspelled?); see `innocluster scenario show` for the fields"
    if etype == "missing":
        return f"{source}: required field '{field}' is missing"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if isinstance(value, (dict, list)):
        text = f"{source}: {field}: {msg}"
    else:
        text = f"{source}: {field} = {value!r}: {msg}"
    if rng:
        text += f"; allowed {rng}"
    if desc:
        text += f" ({desc})"
    more = len(err.errors()) - 1
    if more:
        text += f" [+{more} more error{'s' if more > 1 else ''}]"
    return text


def scenario_from_dict(data: dict, source: str = "<scenario>") -> Scenario:
    """Validate a plain dictionary into a :class:`Scenario`."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise InputError(format_validation_error(err, source)) from None


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a built-in scenario by name, or a TOML file by path.

    Parameters
    ----------
    name_or_path : str or path
        ``"hsinchu"``, ``"china-sme-baseline"`` … (see :func:`list_scenarios`) or a
        path to a ``.toml`` file.

    Returns
    -------
    Scenario
        The validated scenario.

    Raises
    ------
    InputError
        Unknown name, unreadable file, TOML syntax error or invalid field.
    """
    p = scenario_path(name_or_path)
    if not p.exists():
        raise InputError(f"{p}: file not found")
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{p}: TOML syntax error: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{p}: cannot read file: {exc}") from None
    return scenario_from_dict(data, str(p))


def scenario_to_toml(scenario: Scenario) -> str:
    """The complete, resolved scenario as TOML text (every parameter written out)."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    return tomli_w.dumps(data)


def save_scenario(scenario: Scenario, path: str | Path) -> Path:
    """Write the resolved scenario to ``path`` atomically."""
    return atomic_write_text(path, scenario_to_toml(scenario))


def value_at(data: Any, path: str) -> Any:
    """Value at a dotted ``--set`` path of a scenario dump, or None where there is none.

    Lists of tables (regions, stages) are indexed by their ``name``:
    ``value_at(sc.model_dump(), "regions.hsinchu.budget")``.
    """
    node = data
    for part in path.split("."):
        if isinstance(node, list):
            match = [el for el in node if isinstance(el, dict) and el.get("name") == part]
            node = match[0] if match else None
        elif isinstance(node, dict):
            node = node.get(part)
        else:
            return None
    return node


def _parse_value(text: str) -> Any:
    # TOML syntax for the value, so `--set mechanisms.spinoffs=false` and
    # `--set regions.hsinchu.stage_mix=[0.5,0.5,0,0,0]` both work; bare words are strings.
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def apply_overrides(scenario: Scenario, overrides: list[str] | None, source: str = "--set") -> Scenario:
    """Return a copy of ``scenario`` with ``key=value`` overrides applied and re-validated.

    Keys are dotted paths: ``innovation.zeta1=0.1``, ``mechanisms.spinoffs=false``,
    ``regions.hsinchu.budget=40`` (regions by name), ``stages.assembly.demand=900``,
    ``government.shares.direct_subsidy=0.3``, ``years=20``.
    """
    if not overrides:
        return scenario
    data = scenario.model_dump(mode="python")
    for item in overrides:
        if "=" not in item:
            raise InputError(f"{source}: {item!r} is not key=value (e.g. innovation.zeta1=0.1)")
        key, raw = item.split("=", 1)
        key = key.strip()
        parts = key.split(".")
        node: Any = data
        for i, part in enumerate(parts[:-1]):
            if isinstance(node, list):
                match = [el for el in node if isinstance(el, dict) and el.get("name") == part]
                if not match:
                    names = [el.get("name") for el in node if isinstance(el, dict)]
                    raise InputError(f"{source}: {key}: no entry named {part!r}; have {', '.join(map(str, names))}")
                node = match[0]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                raise InputError(f"{source}: {key}: unknown field {'.'.join(parts[: i + 1])!r}")
        last = parts[-1]
        if not isinstance(node, dict) or (last not in node and not _open_table(parts)):
            raise InputError(f"{source}: {key}: unknown field {key!r}")
        node[last] = _parse_value(raw.strip())
    try:
        return Scenario.model_validate(data)
    except ValidationError as err:
        raise InputError(format_validation_error(err, source)) from None


def _open_table(parts: list[str]) -> bool:
    # Tables whose keys are free (instrument names) accept new keys; validation checks them.
    return len(parts) >= 2 and parts[0] == "government" and parts[1] in ("shares", "stage_programme")
