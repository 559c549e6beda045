"""Will this window heat pump fit the window and the circuit? `python -m tools.install.fit ...`.

Each check prints PASS or FAIL, and every FAIL says what to do. Exit code 0 when all
pass, 1 on any FAIL, 2 on bad input. Unit profiles live in tools/data/units.json
(`python -m tools.install.fit --list`).

The circuit rules: the unit's highest running current is a continuous load, so it may
use at most 80% of the breaker rating on a circuit of its own, and at most 50% when
lights or other outlets share the circuit (US National Electrical Code 440.62 for room
air conditioners); the breaker must be one the label allows (its cord and plug are
protected only up to that size); the plug goes straight into the wall outlet: no
extension cord, no adapter (every window unit manual says so).
"""

import argparse
import json
import os
import textwrap
from dataclasses import dataclass

from tools import REPO
from tools.install.sizing import number_type

UNITS_FILE = os.path.join(REPO, "tools", "data", "units.json")
CM_PER_IN = 2.54
DEDICATED_LOAD = 0.80  # share of the breaker rating one continuous load may use alone
SHARED_LOAD = 0.50  # ... when other loads are on the same circuit

# Allowed inputs: (low, high, unit)
LIMITS = {
    "width_cm": (10.0, 400.0, "cm"),
    "height_cm": (10.0, 300.0, "cm"),
    "sill_depth_cm": (0.0, 100.0, "cm"),
    "width_in": (4.0, 157.0, "in"),
    "height_in": (4.0, 118.0, "in"),
    "sill_depth_in": (0.0, 39.0, "in"),
    "breaker_a": (5.0, 63.0, "A"),
    "volts": (90.0, 260.0, "V"),
}


# Breakers are made in standard ratings only: NEC 240.6(A) (North America) and IEC 60898
# (elsewhere). A rating between them is a typo or a guess.
STANDARD_BREAKERS_A = (6, 10, 13, 15, 16, 20, 25, 30, 32, 35, 40, 45, 50, 60, 63)


class FitError(ValueError):
    """Bad input or a bad unit profile; the message names it and the allowed values."""


@dataclass(frozen=True)
class Unit:
    name: str
    description: str
    cooling_btu_h: int
    heating_btu_h: int  # at 47 F outdoors
    width_min_cm: float
    width_max_cm: float | None  # None: no limit
    height_min_cm: float
    height_max_cm: float | None  # None: the sash closes down onto the unit
    sill_depth_min_cm: float
    depth_cm: float
    weight_kg: float
    volts_nominal: float
    volts_min: float  # supply range the unit accepts
    volts_max: float
    rated_a: float  # at the rating point
    max_a: float  # highest running current: the continuous load
    breaker_min_a: float  # breaker sizes the label allows
    breaker_max_a: float
    plug: str
    dedicated_circuit: bool  # the manual asks for a circuit of its own


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str  # the measured value against the requirement
    todo: str  # what to do when it fails ("" when it passes)


def _num(entry: dict, key: str, where: str) -> float:
    value = entry.get(key, "missing")
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise FitError(f"{where}: {key} must be a positive number, got {value!r}")
    return float(value)


def _max_or_none(entry: dict, where: str) -> float | None:
    return None if entry.get("max", "missing") is None else _num(entry, "max", where)


def _unit_from_json(entry: dict, where: str) -> Unit:
    if not isinstance(entry, dict):
        raise FitError(f"{where}: a unit must be an object")
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise FitError(f"{where}: name must be a non-empty string")
    where = f"{where} ({name})"
    for key in ("window_width_cm", "window_height_cm", "volts", "breaker_a"):
        if not isinstance(entry.get(key), dict):
            raise FitError(f"{where}: {key} must be an object with min and max")
    width, height = entry["window_width_cm"], entry["window_height_cm"]
    volts, breaker = entry["volts"], entry["breaker_a"]
    unit = Unit(
        name=name,
        description=str(entry.get("description", "")),
        cooling_btu_h=int(_num(entry, "cooling_btu_h", where)),
        heating_btu_h=int(_num(entry, "heating_btu_h", where)),
        width_min_cm=_num(width, "min", where + " window_width_cm"),
        width_max_cm=_max_or_none(width, where + " window_width_cm"),
        height_min_cm=_num(height, "min", where + " window_height_cm"),
        height_max_cm=_max_or_none(height, where + " window_height_cm"),
        sill_depth_min_cm=_num(entry, "sill_depth_min_cm", where),
        depth_cm=_num(entry, "depth_cm", where),
        weight_kg=_num(entry, "weight_kg", where),
        volts_nominal=_num(volts, "nominal", where + " volts"),
        volts_min=_num(volts, "min", where + " volts"),
        volts_max=_num(volts, "max", where + " volts"),
        rated_a=_num(entry, "rated_a", where),
        max_a=_num(entry, "max_a", where),
        breaker_min_a=_num(breaker, "min", where + " breaker_a"),
        breaker_max_a=_num(breaker, "max", where + " breaker_a"),
        plug=str(entry.get("plug", "")),
        dedicated_circuit=entry.get("dedicated_circuit") is True,
    )
    pairs = (
        ("window_width_cm", unit.width_min_cm, unit.width_max_cm),
        ("window_height_cm", unit.height_min_cm, unit.height_max_cm),
        ("volts", unit.volts_min, unit.volts_max),
        ("breaker_a", unit.breaker_min_a, unit.breaker_max_a),
        ("rated_a / max_a", unit.rated_a, unit.max_a),
    )
    for key, lo, hi in pairs:
        if hi is not None and lo > hi:
            raise FitError(f"{where}: {key} minimum {lo:g} is above the maximum {hi:g}")
    if not unit.volts_min <= unit.volts_nominal <= unit.volts_max:
        raise FitError(f"{where}: nominal voltage {unit.volts_nominal:g} is outside its range")
    return unit


def load_units(path: str = UNITS_FILE) -> dict[str, Unit]:
    """Read and check the unit profiles; a bad file raises FitError naming the entry."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as exc:
        raise FitError(f"cannot read the unit profiles {path}: {exc}") from None
    entries = data.get("units") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not entries:
        raise FitError(f"{path}: 'units' must be a non-empty list")
    units: dict[str, Unit] = {}
    for i, entry in enumerate(entries):
        unit = _unit_from_json(entry, f"{os.path.basename(path)} unit {i + 1}")
        if unit.name in units:
            raise FitError(f"{path}: unit name {unit.name!r} appears twice")
        units[unit.name] = unit
    return units


def find_unit(units: dict[str, Unit], name: str) -> Unit:
    if name not in units:
        raise FitError(f"unknown unit {name!r}: known units are {', '.join(sorted(units))}")
    return units[name]


def _check_number(name: str, value: float) -> None:
    lo, hi, unit = LIMITS[name]
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise FitError(f"{name} {value!r} is out of range: allowed {lo:g} to {hi:g} {unit}")


def _span(lo: float, hi: float | None) -> str:
    return f"{lo:g}-{hi:g} cm" if hi is not None else f"{lo:g} cm or more"


def check_window(
    unit: Unit, width_cm: float, height_cm: float, sill_depth_cm: float
) -> list[Check]:
    """Window width, opening height and sill depth against the unit's needs."""
    _check_number("width_cm", width_cm)
    _check_number("height_cm", height_cm)
    _check_number("sill_depth_cm", sill_depth_cm)
    checks = []

    fits = _span(unit.width_min_cm, unit.width_max_cm)
    if width_cm < unit.width_min_cm:
        todo = (
            "the opening is too narrow for the cabinet: choose another window or a narrower unit"
        )
    elif unit.width_max_cm is not None and width_cm > unit.width_max_cm:
        todo = (
            "the side panels do not reach the jambs: add a filler board to the panel kit, "
            "or choose a unit with wider panels"
        )
    else:
        todo = ""
    checks.append(Check("window width", not todo, f"{width_cm:g} cm; the unit fits {fits}", todo))

    fits = _span(unit.height_min_cm, unit.height_max_cm)
    if height_cm < unit.height_min_cm:
        todo = (
            f"the window must open at least {unit.height_min_cm:g} cm: "
            "choose another window or a unit that needs less height"
        )
    elif unit.height_max_cm is not None and height_cm > unit.height_max_cm:
        todo = "the filler panel does not reach the top: add a panel above it, sealed"
    else:
        todo = ""
    checks.append(Check("window height", not todo, f"{height_cm:g} cm; needs {fits}", todo))

    ok = sill_depth_cm >= unit.sill_depth_min_cm
    checks.append(
        Check(
            "sill depth",
            ok,
            f"{sill_depth_cm:g} cm; rail and bracket need at least {unit.sill_depth_min_cm:g} cm",
            ""
            if ok
            else (
                "fit a sill extension board or a support bracket fixed to the wall below "
                f"the window, so the unit ({unit.weight_kg:g} kg) rests on "
                f"{unit.sill_depth_min_cm:g} cm or more"
            ),
        )
    )
    return checks


def check_circuit(
    unit: Unit, breaker_a: float, volts: float, dedicated: bool, extension_cord: bool
) -> list[Check]:
    """Voltage, breaker size, continuous load, a circuit of its own, no extension cord."""
    _check_number("breaker_a", breaker_a)
    if breaker_a not in STANDARD_BREAKERS_A:
        sizes = ", ".join(str(a) for a in STANDARD_BREAKERS_A)
        raise FitError(
            f"breaker_a {breaker_a:g} is not a breaker size: read the rating on the breaker's "
            f"handle ({sizes} A: NEC 240.6, IEC 60898)"
        )
    _check_number("volts", volts)
    checks = []

    ok = unit.volts_min <= volts <= unit.volts_max
    checks.append(
        Check(
            "voltage",
            ok,
            f"{volts:g} V; the unit takes {unit.volts_min:g}-{unit.volts_max:g} V "
            f"({unit.volts_nominal:g} V nameplate)",
            ""
            if ok
            else f"use an outlet of the unit's voltage ({unit.volts_nominal:g} V, "
            f"{unit.plug}) or choose a unit made for {volts:g} V",
        )
    )

    if breaker_a < unit.breaker_min_a:
        todo = (
            f"the unit needs a {unit.breaker_min_a:g} A circuit ({unit.plug}): have an "
            "electrician install one, or choose a smaller unit"
        )
    elif breaker_a > unit.breaker_max_a:
        todo = (
            f"the cord and plug are protected only up to {unit.breaker_max_a:g} A: use "
            f"a circuit with a {unit.breaker_min_a:g}-{unit.breaker_max_a:g} A breaker"
        )
    else:
        todo = ""
    allowed = (
        f"{unit.breaker_min_a:g} A"
        if unit.breaker_min_a == unit.breaker_max_a
        else f"{unit.breaker_min_a:g}-{unit.breaker_max_a:g} A"
    )
    checks.append(Check("breaker", not todo, f"{breaker_a:g} A; the label allows {allowed}", todo))

    share = DEDICATED_LOAD if dedicated else SHARED_LOAD
    limit_a = share * breaker_a
    ok = unit.max_a <= limit_a
    kind = "its own circuit" if dedicated else "a shared circuit"
    if ok:
        todo = ""
    elif dedicated:
        todo = "the unit draws too much for this breaker: a larger circuit, or a smaller unit"
    else:
        todo = "give the unit a circuit of its own (move the other loads off it)"
    checks.append(
        Check(
            "continuous load",
            ok,
            f"{unit.max_a:g} A at most; {share:.0%} of {breaker_a:g} A on {kind} is {limit_a:g} A",
            todo,
        )
    )

    ok = dedicated or not unit.dedicated_circuit
    checks.append(
        Check(
            "own circuit",
            ok,
            ("dedicated" if dedicated else "shared")
            + ("; the manual asks for one" if unit.dedicated_circuit else "; not required"),
            "" if ok else "plug the unit into an outlet on a circuit that feeds nothing else",
        )
    )

    checks.append(
        Check(
            "extension cord",
            not extension_cord,
            "used" if extension_cord else "none",
            "plug straight into a wall outlet that takes the unit's "
            f"{unit.plug}: no extension cord, no adapter (they overheat at this current)"
            if extension_cord
            else "",
        )
    )
    return checks


# ---- command line ----


def _dimension_args(p: argparse.ArgumentParser, flag: str, key: str, what: str) -> None:
    group = p.add_mutually_exclusive_group()
    lo, hi, _ = LIMITS[key + "_cm"]
    group.add_argument(f"--{flag}-cm", type=number_type(lo, hi, "cm"), help=what + " in cm")
    lo, hi, _ = LIMITS[key + "_in"]
    group.add_argument(f"--{flag}-in", type=number_type(lo, hi, "in"), help=what + " in inches")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tools.install.fit",
        description="Check that a window heat pump fits the window and the circuit.",
    )
    p.add_argument("--list", action="store_true", help="list the unit profiles and exit")
    p.add_argument("--unit", help="unit profile name (see --list)")
    _dimension_args(p, "window-width", "width", "window opening width, jamb to jamb")
    _dimension_args(p, "window-height", "height", "opening height with the sash raised")
    _dimension_args(p, "sill-depth", "sill_depth", "sill depth, sash to outer sill edge")
    lo, hi, unit = LIMITS["breaker_a"]
    p.add_argument("--breaker-a", type=number_type(lo, hi, unit), help="breaker rating")
    lo, hi, unit = LIMITS["volts"]
    p.add_argument("--volts", type=number_type(lo, hi, unit), help="outlet voltage")
    circuit = p.add_mutually_exclusive_group()
    circuit.add_argument(
        "--dedicated",
        dest="dedicated",
        action="store_true",
        default=None,
        help="nothing else on this breaker (assumed)",
    )
    circuit.add_argument(
        "--shared", dest="dedicated", action="store_false", help="lights or outlets share it"
    )
    p.add_argument("--extension-cord", action="store_true", help="the unit would use one")
    return p


def _cm(a: argparse.Namespace, key: str) -> float | None:
    cm, inch = getattr(a, key + "_cm"), getattr(a, key + "_in")
    return cm if cm is not None else (None if inch is None else inch * CM_PER_IN)


def format_units(units: dict[str, Unit]) -> str:
    lines = []
    for u in units.values():
        lines.append(f"{u.name}: {u.description}")
        lines.append(
            f"  {u.cooling_btu_h:,} BTU/h cooling, {u.heating_btu_h:,} BTU/h heating at 47 F; "
            f"{u.volts_nominal:g} V, {u.max_a:g} A max, {u.plug}"
        )
        lines.append(
            f"  window width {_span(u.width_min_cm, u.width_max_cm)}, height "
            f"{_span(u.height_min_cm, u.height_max_cm)}, sill depth {u.sill_depth_min_cm:g} cm "
            f"or more; {u.weight_kg:g} kg"
        )
    return "\n".join(lines)


def format_checks(unit: Unit, checks: list[Check]) -> str:
    lines = [
        f"Unit {unit.name}: {unit.cooling_btu_h:,} BTU/h cooling, "
        f"{unit.heating_btu_h:,} BTU/h heating at 47 F",
        f"  {unit.volts_nominal:g} V, {unit.rated_a:g} A rated, {unit.max_a:g} A max, {unit.plug}",
    ]
    for c in checks:
        lines.append(f"{'PASS' if c.passed else 'FAIL'}  {c.name:<16} {c.detail}")
        if not c.passed:
            lines += textwrap.wrap(
                "what to do: " + c.todo,
                width=92,
                initial_indent="      ",
                subsequent_indent="        ",
            )
    failed = sum(not c.passed for c in checks)
    if failed:
        lines.append(f"{failed} of {len(checks)} checks FAIL: fix them before mounting the unit.")
    else:
        lines.append(f"All {len(checks)} checks PASS: go ahead and mount the unit.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    a = parser.parse_args(argv)
    try:
        units = load_units()
    except FitError as exc:
        parser.error(str(exc))
    if a.list:
        print(format_units(units))
        return 0
    needed = {
        "--unit": a.unit,
        "--window-width-cm/-in": _cm(a, "window_width"),
        "--window-height-cm/-in": _cm(a, "window_height"),
        "--sill-depth-cm/-in": _cm(a, "sill_depth"),
        "--breaker-a": a.breaker_a,
        "--volts": a.volts,
    }
    missing = [flag for flag, value in needed.items() if value is None]
    if missing:
        parser.error("missing " + ", ".join(missing) + " (or --list)")
    try:
        unit = find_unit(units, a.unit)
        checks = check_window(
            unit, _cm(a, "window_width"), _cm(a, "window_height"), _cm(a, "sill_depth")
        )
        dedicated = a.dedicated is not False
        checks += check_circuit(unit, a.breaker_a, a.volts, dedicated, a.extension_cord)
    except FitError as exc:
        parser.error(str(exc))
    if a.dedicated is None:
        print("(circuit assumed dedicated: nothing else on its breaker; say --shared if not)")
    print(format_checks(unit, checks))
    return 0 if all(c.passed for c in checks) else 1


if __name__ == "__main__":
    from tools import run_cli

    run_cli(main)
