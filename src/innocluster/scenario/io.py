"""Load, validate, override and save scenarios (TOML).

Every failure is an :class:`~innocluster.errors.InputError` whose message names the
file, the field, the value and the allowed range, e.g.::

    bad.toml: innovation.zeta1 = 42.0 is out of range; allowed [0, 10] (inventions per researcher-year)
"""

from __future__ import annotations

import hashlib
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
    """What the field at ``loc`` allows and its description (best effort)."""
    from innocluster.scenario.schema import _allowed

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
    return _allowed(info), info.description or ""


def _named_path(loc: tuple, data: Any) -> str:
    """A validation error's location as the ``--set`` path: entries of the region and
    stage lists by their name (``regions.hsinchu.budget``, not ``regions.0.budget``)."""
    parts, node = [], data
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and part < len(node):
            node = node[part]
            name = node.get("name") if isinstance(node, dict) else None
            parts.append(str(name) if name else str(part))
        else:
            node = node.get(part) if isinstance(node, dict) else None
            parts.append(str(part))
    return ".".join(parts)


def format_validation_error(err: ValidationError, source: str, data: Any = None) -> str:
    """One line: file, field, value and allowed range of the first error.

    ``data`` (the validated dictionary) lets regions and stages be named in the field's
    path.
    """
    e = err.errors()[0]
    loc = tuple(e.get("loc", ()))
    field = _named_path(loc, data) or "(scenario)"
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
        raise InputError(format_validation_error(err, source, data)) from None


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
    if p.is_dir():
        raise InputError(f"{p}: is a folder; give a scenario .toml file (a run folder has one: {p / 'scenario.toml'})")
    try:
        raw = p.read_bytes()
    except OSError as exc:
        raise InputError(f"{p}: cannot read file: {exc.strerror or exc}") from None
    data = read_toml_text(raw, p)
    sc = scenario_from_dict(data, str(p))
    sc._origin = {"scenario": str(name_or_path), "file": str(p), "sha256": hashlib.sha256(raw).hexdigest(),
                  "overrides": []}
    return sc


def read_toml_text(raw: bytes, path: str | Path) -> dict:
    """Parse the bytes of a TOML file: UTF-8, with or without a byte-order mark.

    Editors on Windows save UTF-8 with a BOM; TOML itself forbids it, but the text is
    the same, so it is accepted. Anything that is not UTF-8 is refused in one line.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}: 0x{raw[exc.start]:02x}); "
                         f"save the file as UTF-8") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: TOML syntax error: {exc}") from None


def scenario_origin(scenario: Scenario) -> dict:
    """Where a scenario came from: the name or path it was loaded by, the SHA-256 of
    that file's bytes and the overrides applied since (empty for a scenario built in
    Python)."""
    origin = scenario._origin
    return {"scenario": None, "file": None, "sha256": None, "overrides": []} if origin is None else \
        {**origin, "overrides": list(origin["overrides"])}


#: run settings that :func:`resolve_scenario` writes into the scenario
RUN_SETTINGS = ("seed", "years", "firms")


def check_run_setting(name: str, value: Any) -> int:
    """``value`` as an int if it is a valid ``seed``, ``years`` or ``firms`` of a scenario
    (the schema's range); :class:`InputError` naming the parameter otherwise."""
    import numbers

    from innocluster.scenario.schema import _allowed

    info = Scenario.model_fields[name]
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputError(f"{name} = {value!r}: must be a whole number in {_allowed(info)}", param=name)
    value = int(value)
    for m in info.metadata:
        lo, hi = getattr(m, "ge", None), getattr(m, "le", None)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            meaning = (info.description or "").partition(" [")[0]
            raise InputError(f"{name} = {value}: allowed {_allowed(info)} ({meaning})", param=name)
    return value


def resolve_scenario(scenario: Scenario | str | Path, overrides: list[str] | tuple[str, ...] | None = None, *,
                     seed: int | None = None, years: int | None = None, firms: int | None = None) -> Scenario:
    """The scenario a run will use: loaded, overridden, with its run settings written in.

    Parameters
    ----------
    scenario : Scenario, str or path
        A scenario, a built-in name (``"hsinchu"``) or a ``.toml`` path.
    overrides : list of str, optional
        ``key=value`` overrides (:func:`apply_overrides`).
    seed, years, firms : int, optional
        Run settings; each one given replaces the scenario's own and is checked
        against the schema's range (years at most 500, firms at most 50 million).

    Returns
    -------
    Scenario
        Resolved: written out with :func:`scenario_to_toml` and run again, it gives the
        same run.
    """
    if isinstance(scenario, (str, Path)):
        sc = load_scenario(scenario)
    elif isinstance(scenario, Scenario):
        sc = scenario
    else:
        raise InputError(f"scenario = {type(scenario).__name__}: give a Scenario, a built-in name or a .toml path",
                         param="scenario")
    if isinstance(overrides, str):
        raise InputError(f"overrides = {overrides!r}: give a list of key=value strings", param="overrides")
    sc = apply_overrides(sc, list(overrides or []))
    update = {name: check_run_setting(name, value)
              for name, value in (("seed", seed), ("years", years), ("firms", firms)) if value is not None}
    # the values are checked above; model_copy keeps the scenario's origin
    return sc.model_copy(update=update) if update else sc


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


def apply_overrides(scenario: Scenario, overrides: list[str] | None, source: str = "overrides") -> Scenario:
    """Return a copy of ``scenario`` with ``key=value`` overrides applied and re-validated.

    Keys are dotted paths: ``innovation.zeta1=0.1``, ``mechanisms.spinoffs=false``,
    ``regions.hsinchu.budget=40`` (regions by name), ``stages.assembly.demand=900``,
    ``government.shares.direct_subsidy=0.3``, ``years=20``.
    """
    if not overrides:
        return scenario
    # errors about the caller's overrides name the parameter (the CLI shows --set)
    param = "overrides" if source == "overrides" else None
    data = scenario.model_dump(mode="python")
    for item in overrides:
        if "=" not in item:
            raise InputError(f"{source}: {item!r} is not key=value (e.g. innovation.zeta1=0.1)", param=param)
        key, raw = item.split("=", 1)
        key = key.strip()
        parts = key.split(".")
        node: Any = data
        for i, part in enumerate(parts[:-1]):
            if isinstance(node, list):
                match = [el for el in node if isinstance(el, dict) and el.get("name") == part]
                if not match:
                    names = [el.get("name") for el in node if isinstance(el, dict)]
                    raise InputError(f"{source}: {key}: no entry named {part!r}; have {', '.join(map(str, names))}",
                                     param=param)
                node = match[0]
            elif isinstance(node, dict) and part in node:
                node = node[part]
            else:
                raise InputError(f"{source}: {key}: unknown field {'.'.join(parts[: i + 1])!r}", param=param)
        last = parts[-1]
        if not isinstance(node, dict) or (last not in node and not _open_table(parts)):
            raise InputError(f"{source}: {key}: unknown field {key!r}", param=param)
        node[last] = _parse_value(raw.strip())
    try:
        out = Scenario.model_validate(data)
    except ValidationError as err:
        raise InputError(format_validation_error(err, source, data), param=param) from None
    origin = scenario_origin(scenario)
    origin["overrides"] += [str(o) for o in overrides]
    out._origin = origin
    return out


def _open_table(parts: list[str]) -> bool:
    # Tables whose keys are free (instrument names) accept new keys; validation checks them.
    return len(parts) >= 2 and parts[0] == "government" and parts[1] in ("shares", "stage_programme")
