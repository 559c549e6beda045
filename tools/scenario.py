"""Scenario files: load and validate (a stable format: outside harnesses write them).

A scenario is a JSON object:

    name         str, required
    board        board name or path (default "esp32-devkitc")
    duration_h   number > 0, required
    start        room temperature in C at the start, or {"room_c": C, "hour": H}
                 (H: hour of the day the run starts at, default 0)
    weather      {"kind": "daily", "t_min_c", "t_max_c", "rh"} (rh: relative humidity, %)
                 {"kind": "table", "hours": [[hour, t_c, rh], ...]}
                 {"kind": "year", "seed": N, "start_day": D} (the synthetic year)
    room, unit   optional overrides of the plant's RoomParams / UnitParams fields
    sensors      optional {"lag_s": S, "noise_mv": MV}
    settings     the keywords of hp.set (mode, setpoint, fan)
    config       firmware config overrides (the keywords of hp.config)
    events       [{"at_min": M, <one action>}, ...], the action one of:
                 "set": {...}, "config": {...},
                 "fault": {"sensor": S, "kind": "open" | "short" | null},
                 "input": {"condensate_full": true}, "stuck_valve": true | false,
                 "power": "off" | "on",
                 "drain": "blocked" | "clear" (the pan then fills until the float trips)

Errors name the file, the key and what is allowed; nothing is half-loaded.
"""

import json
import os

from tools import REPO

SCENARIO_DIR = os.path.join(REPO, "scenarios")
EVENT_ACTIONS = ("set", "config", "fault", "input", "stuck_valve", "power", "drain")
TOP_KEYS = (
    "name",
    "description",
    "board",
    "duration_h",
    "start",
    "weather",
    "room",
    "unit",
    "sensors",
    "settings",
    "config",
    "events",
)
SENSORS = ("room", "indoor_coil", "outdoor", "outdoor_coil", "supply_air")


class ScenarioError(ValueError):
    """A scenario file that cannot be run; the message says where and why."""


def _num(where, value, lo=None, hi=None):
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"{where}: expected a number, got {value!r}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ScenarioError(f"{where}: {value} is outside {lo}..{hi}")
    return float(value)


def _obj(where, value):
    if not isinstance(value, dict):
        raise ScenarioError(f"{where}: expected an object {{...}}, got {value!r}")
    return value


def _weather(where, w):
    _obj(where, w)
    kind = w.get("kind")
    if kind == "daily":
        t_min = _num(where + ".t_min_c", w.get("t_min_c"), -40, 55)
        t_max = _num(where + ".t_max_c", w.get("t_max_c"), -40, 55)
        if t_max < t_min:
            raise ScenarioError(f"{where}: t_max_c {t_max} is below t_min_c {t_min}")
        _num(where + ".rh", w.get("rh"), 0, 100)
    elif kind == "table":
        hours = w.get("hours")
        if not isinstance(hours, list) or not hours:
            raise ScenarioError(f"{where}.hours: expected a list of [hour, t_c, rh] rows")
        last = None
        for i, row in enumerate(hours):
            at = f"{where}.hours[{i}]"
            if not isinstance(row, list) or len(row) != 3:
                raise ScenarioError(f"{at}: expected [hour, t_c, rh], got {row!r}")
            hour = _num(at + " hour", row[0], 0)
            _num(at + " t_c", row[1], -40, 55)
            _num(at + " rh", row[2], 0, 100)
            if last is not None and hour <= last:
                raise ScenarioError(f"{at}: hours must increase ({hour} after {last})")
            last = hour
    elif kind == "year":
        _num(where + ".seed", w.get("seed", 1), 0)
        _num(where + ".start_day", w.get("start_day", 0), 0, 364)
    else:
        raise ScenarioError(f"{where}.kind: expected 'daily', 'table' or 'year', got {kind!r}")
    return w


def _event(where, ev):
    _obj(where, ev)
    _num(where + ".at_min", ev.get("at_min"), 0)
    actions = [k for k in ev if k != "at_min"]
    if len(actions) != 1 or actions[0] not in EVENT_ACTIONS:
        raise ScenarioError(
            f"{where}: needs exactly one action of {', '.join(EVENT_ACTIONS)}; got {actions}"
        )
    action = actions[0]
    value = ev[action]
    if action in ("set", "config", "input"):
        _obj(f"{where}.{action}", value)
    elif action == "fault":
        _obj(where + ".fault", value)
        if value.get("sensor") not in SENSORS:
            raise ScenarioError(
                f"{where}.fault.sensor: expected one of {', '.join(SENSORS)}, "
                f"got {value.get('sensor')!r}"
            )
        if value.get("kind") not in ("open", "short", None):
            raise ScenarioError(
                f"{where}.fault.kind: expected 'open', 'short' or null, got {value.get('kind')!r}"
            )
    elif action == "stuck_valve":
        if value not in (True, False, "heat", "cool"):
            raise ScenarioError(
                f"{where}.stuck_valve: expected true, false, 'heat' or 'cool', got {value!r}"
            )
    elif action == "power" and value not in ("off", "on"):
        raise ScenarioError(f"{where}.power: expected 'off' or 'on', got {value!r}")
    elif action == "drain" and value not in ("blocked", "clear"):
        raise ScenarioError(f"{where}.drain: expected 'blocked' or 'clear', got {value!r}")
    return ev


def validate(sc, where="scenario"):
    """Check a scenario dict; return it with defaults filled in (a new dict)."""
    _obj(where, sc)
    unknown = sorted(set(sc) - set(TOP_KEYS))
    if unknown:
        raise ScenarioError(f"{where}: unknown keys {unknown}; allowed: {', '.join(TOP_KEYS)}")
    out = dict(sc)
    if not isinstance(sc.get("name"), str) or not sc["name"]:
        raise ScenarioError(f"{where}.name: a non-empty string is required")
    out["board"] = sc.get("board", "esp32-devkitc")
    _num(where + ".duration_h", sc.get("duration_h"), 0.001, 24 * 366)
    start = sc.get("start", 20.0)
    if not isinstance(start, dict):
        start = {"room_c": start}
    start = {
        "room_c": _num(where + ".start", start.get("room_c"), -30, 50),
        "hour": start.get("hour", 0),
    }
    _num(where + ".start.hour", start["hour"], 0, 24)
    out["start"] = start
    out["weather"] = _weather(where + ".weather", sc.get("weather"))
    for key in ("room", "unit", "sensors", "settings", "config"):
        out[key] = dict(_obj(f"{where}.{key}", sc.get(key, {})))
    events = sc.get("events", [])
    if not isinstance(events, list):
        raise ScenarioError(f"{where}.events: expected a list")
    out["events"] = sorted(
        (_event(f"{where}.events[{i}]", ev) for i, ev in enumerate(events)),
        key=lambda ev: ev["at_min"],
    )
    return out


def resolve(name_or_path):
    """A path, or the name of a bundled scenario ("winter-humid")."""
    if os.path.exists(name_or_path):
        return name_or_path
    bundled = os.path.join(SCENARIO_DIR, name_or_path + ".json")
    if os.path.exists(bundled):
        return bundled
    names = ", ".join(n for n, _ in bundled_scenarios())
    raise ScenarioError(f"no scenario file {name_or_path!r}; bundled scenarios: {names}")


def load(name_or_path):
    path = resolve(name_or_path)
    try:
        with open(path) as f:
            sc = json.load(f)
    except json.JSONDecodeError as e:
        raise ScenarioError(f"{path}: not valid JSON: {e}") from None
    return validate(sc, where=os.path.basename(path))


def bundled_scenarios():
    """[(name, one-line description)] of the scenarios shipped in scenarios/."""
    found = []
    for fn in sorted(os.listdir(SCENARIO_DIR)):
        if fn.endswith(".json"):
            with open(os.path.join(SCENARIO_DIR, fn)) as f:
                sc = json.load(f)
            found.append((fn[:-5], sc.get("description", sc.get("name", ""))))
    return found
