"""Scenario files: load and validate (a stable format: outside harnesses write them).

A scenario is one JSON object. Only `name`, `duration_h` and `weather` are required.

    name         str: names the output folder (build/sim/NAME) and the plot
    description  str: one line, shown by `python -m tools.sim list` and on the plot
    board        board name in boards/ or a path (default "esp32-devkitc")
    duration_h   simulated hours, > 0 (up to a year and a day)
    start        room temperature in C at the start, or {"room_c": C, "hour": H}
                 (H: hour of the day the run starts at, default 0)
    weather      {"kind": "daily", "t_min_c": C, "t_max_c": C, "rh": %}
                     (minimum at 06:00, maximum at 15:00, constant relative humidity)
                 {"kind": "table", "hours": [[hour, t_c, rh], ...]}
                     (interpolated, held at both ends; hours count from the start day's 0:00)
                 {"kind": "year", "seed": N, "start_day": D} (the plant's synthetic year)
    room, unit   overrides of the plant's RoomParams / UnitParams fields (tools/plant)
    sensors      the plant's SensorParams (room_tau_s, coil_tau_s, outdoor_tau_s, noise_c,
                 seed) and "noise_mv", noise (1 sigma) added at the simulated ADC
    settings     what the unit was set to before the run, the keywords of hp.set:
                 mode (off, cool, heat, auto, fan, dry), setpoint (C), fan (auto,
                 continuous), speed (low, medium, high); the firmware's defaults otherwise
    config       firmware config overrides, the keywords of hp.config (e.g. min_off_s)
    events       [{"at_min": M, <one action>}, ...], applied just before the control tick
                 at minute M of the run; the action is one of
                 "set": {...}           hp.set(...) (a setpoint is always in C)
                 "config": {...}        hp.config(...)
                 "fault": {"sensor": S, "kind": "open" | "short" | null}  (null repairs)
                 "input": {"condensate_full": true | false}  forces the input on top of
                                        the plant's float switch (false ends the forcing)
                 "stuck_valve": true (where it is now) | "heat" | "cool" | false (free)
                 "drain": "blocked" | "clear"  (blocked, the pan fills until the float trips)
                 "power": "off" | "on"  (the relays drop out; at power-on the firmware
                                        boots from what it had saved on its flash)
                 "reset": "watchdog"    the relays drop as at a power cut and the board
                                        boots at once, reset cause "watchdog" (A2)
                          "crash"       the control task crashes: the app's crash rule
                                        (App.on_crash: every relay OFF, A1) restarts the
                                        tasks after 2 s with no tick in between, or at
                                        the third crash in 10 min resets the board
                                        (it boots at once, cause "soft reset")
                          "power"       a power flicker: off, and on again 2 s later
                 "hp": "defrost" | "clear" | "selftest" | "selftest_cancel"
                                        hp.defrost(), hp.clear(), hp.selftest(),
                                        hp.selftest_cancel() at the REPL
                 A set or config event may add "may_refuse": true: its values are then
                 not checked when the file is loaded but go to the firmware as typed
                 (abuse). Whatever the event, a refusal by the firmware (hp.* raising
                 ValueError, or hp.selftest() answering started: false) changes nothing,
                 is counted ("refused" in the metrics, the first of each command in the
                 notes) and the run goes on; any other exception stops the run.
                 hp, set, config and reset events while the unit has no power are
                 noted and not applied.
    abuse        {"seed": N, ...}: random abuse events added to `events`, the same for
                 the same seed (tools/sim/abuse.py: a command every "every_min" minutes
                 with its "commands" weights, "faults_per_day" flapping sensors,
                 "chatter_per_day" float chatter, "stuck_valve_per_day",
                 "resets_per_day": {"watchdog": n, "crash": n, "power": n}; the
                 defaults there)

Settings and config are checked with the firmware's own rules when the file is loaded,
so a run never stops half-way on a bad value. Errors name the file, the key and what is
allowed; nothing is half-loaded.
"""

import dataclasses
import json
import os

from heatpump import config as fw_config
from heatpump.board import BoardError, load_board

from tools import REPO
from tools.plant import RoomParams, SensorParams, UnitParams
from tools.sim import abuse

SCENARIO_DIR = os.path.join(REPO, "scenarios")
EVENT_ACTIONS = ("set", "config", "fault", "input", "stuck_valve", "power", "drain", "reset", "hp")
RESETS = ("watchdog", "crash", "power")
HP_CALLS = ("defrost", "clear", "selftest", "selftest_cancel")
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
    "abuse",
)
SENSORS = ("room", "indoor_coil", "outdoor", "outdoor_coil", "supply_air")
INPUTS = ("condensate_full", "pressure_trip")
SET_KEYS = ("mode", "setpoint", "fan", "speed")


class ScenarioError(ValueError):
    """A scenario file that cannot be run; the message says where and why."""


def _num(where, value, lo=None, hi=None):
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ScenarioError(f"{where}: expected a number, got {value!r}")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ScenarioError(f"{where}: {value} is outside {lo}..{hi}")
    return float(value)


def _rh(where, value):
    # The plant's rule (tools/plant/weather.py): a percentage, and 0.6 is a fraction.
    rh = _num(where, value, 0, 100)
    if rh < 1:
        raise ScenarioError(
            f"{where}: {value} is a percentage, 1..100 (a fraction? write {rh * 100:g})"
        )
    return rh


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
        _rh(where + ".rh", w.get("rh"))
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
            _rh(at + " rh", row[2])
            if last is not None and hour <= last:
                raise ScenarioError(f"{at}: hours must increase ({hour} after {last})")
            last = hour
    elif kind == "year":
        _num(where + ".seed", w.get("seed", 1), 0)
        _num(where + ".start_day", w.get("start_day", 0), 0, 364)
    else:
        raise ScenarioError(f"{where}.kind: expected 'daily', 'table' or 'year', got {kind!r}")
    return w


def _settings(where, value):
    """The firmware's check of hp.set keywords (a setpoint in C)."""
    _obj(where, value)
    for key in value:
        if key not in SET_KEYS:
            raise ScenarioError(f"{where}: unknown setting {key!r}; allowed {', '.join(SET_KEYS)}")
    _accepted, errors = fw_config.check_settings(value)
    if errors:
        raise ScenarioError(f"{where}: {'; '.join(errors)}")
    return value


def _config(where, current, changes):
    """current config with changes applied, by the firmware's rules (hp.config)."""
    _obj(where, changes)
    try:
        return fw_config.merge(current, changes)
    except ValueError as e:
        raise ScenarioError(f"{where}: {e}") from None


def _event(where, ev, cfg):
    """Check one event; return the config in force after it."""
    _obj(where, ev)
    _num(where + ".at_min", ev.get("at_min"), 0)
    actions = [k for k in ev if k not in ("at_min", "may_refuse")]
    if len(actions) != 1 or actions[0] not in EVENT_ACTIONS:
        raise ScenarioError(
            f"{where}: needs exactly one action of {', '.join(EVENT_ACTIONS)}; got {actions}"
        )
    action = actions[0]
    value = ev[action]
    at = f"{where}.{action}"
    if "may_refuse" in ev:
        _may_refuse(where, ev, action)
        return cfg
    if action == "set":
        if not value:
            raise ScenarioError(f"{at}: nothing to set; give any of {', '.join(SET_KEYS)}")
        _settings(at, value)
    elif action == "config":
        cfg = _config(at, cfg, value)
    elif action == "input":
        _obj(at, value)
        for name, on in value.items():
            if name not in INPUTS:
                raise ScenarioError(f"{at}: unknown input {name!r}; allowed {', '.join(INPUTS)}")
            if not isinstance(on, bool):
                raise ScenarioError(f"{at}.{name}: expected true or false, got {on!r}")
    elif action == "fault":
        _obj(at, value)
        if value.get("sensor") not in SENSORS:
            raise ScenarioError(
                f"{at}.sensor: expected one of {', '.join(SENSORS)}, got {value.get('sensor')!r}"
            )
        if value.get("kind") not in ("open", "short", None):
            raise ScenarioError(
                f"{at}.kind: expected 'open', 'short' or null, got {value.get('kind')!r}"
            )
    elif action == "stuck_valve":
        if value not in (True, False, "heat", "cool"):
            raise ScenarioError(f"{at}: expected true, false, 'heat' or 'cool', got {value!r}")
    elif action == "power" and value not in ("off", "on"):
        raise ScenarioError(f"{at}: expected 'off' or 'on', got {value!r}")
    elif action == "drain" and value not in ("blocked", "clear"):
        raise ScenarioError(f"{at}: expected 'blocked' or 'clear', got {value!r}")
    elif action == "reset" and value not in RESETS:
        raise ScenarioError(f"{at}: expected one of {', '.join(map(repr, RESETS))}, got {value!r}")
    elif action == "hp" and value not in HP_CALLS:
        raise ScenarioError(
            f"{at}: expected one of {', '.join(map(repr, HP_CALLS))}, got {value!r}"
        )
    return cfg


def _may_refuse(where, ev, action):
    """A set or config event whose values the firmware judges at run time (abuse)."""
    if ev["may_refuse"] is not True:
        raise ScenarioError(f"{where}.may_refuse: only true is allowed, got {ev['may_refuse']!r}")
    if action not in ("set", "config"):
        raise ScenarioError(f"{where}.may_refuse: only a set or config event may be refused")
    if not _obj(f"{where}.{action}", ev[action]):
        raise ScenarioError(f"{where}.{action}: nothing to {action}")


def _abuse(where, spec):
    try:
        return abuse.check(spec)
    except ValueError as e:
        raise ScenarioError(f"{where}: {e}") from None


def _params(where, cls, value, extra=()):
    """Check plant parameter overrides by building them (the plant's own checks)."""
    allowed = [f.name for f in dataclasses.fields(cls)]
    value = {k: v for k, v in value.items() if k not in extra}
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        names = ", ".join(allowed + list(extra))
        raise ScenarioError(f"{where}: unknown keys {unknown}; allowed: {names}")
    try:
        cls(**value)
    except (TypeError, ValueError) as e:
        raise ScenarioError(f"{where}: {e}") from None


def validate(sc, where="scenario"):
    """Check a scenario dict; return it with defaults filled in (a new dict)."""
    _obj(where, sc)
    unknown = sorted(set(sc) - set(TOP_KEYS))
    if unknown:
        raise ScenarioError(f"{where}: unknown keys {unknown}; allowed: {', '.join(TOP_KEYS)}")
    out = dict(sc)
    if not isinstance(sc.get("name"), str) or not sc["name"]:
        raise ScenarioError(f"{where}.name: a non-empty string is required")
    if not isinstance(sc.get("description", ""), str):
        raise ScenarioError(f"{where}.description: expected a string")
    out["board"] = sc.get("board", "esp32-devkitc")
    try:
        load_board(out["board"])
    except BoardError as e:
        raise ScenarioError(f"{where}.board: {e}") from None
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
    _params(where + ".room", RoomParams, out["room"])
    _params(where + ".unit", UnitParams, out["unit"])
    _num(where + ".sensors.noise_mv", out["sensors"].get("noise_mv", 0), 0, 100)
    _params(where + ".sensors", SensorParams, out["sensors"], extra=("noise_mv",))
    _settings(where + ".settings", out["settings"])
    cfg = _config(where + ".config", fw_config.defaults(), out["config"])
    events = sc.get("events", [])
    if not isinstance(events, list):
        raise ScenarioError(f"{where}.events: expected a list")
    if "abuse" in sc:
        out["abuse"] = _abuse(where + ".abuse", sc["abuse"])
        sensors = tuple(load_board(out["board"]).thermistors)
        events = events + abuse.events(out["abuse"], sc["duration_h"], sensors)
    # In time order (a stable sort: events at the same minute keep the file's order);
    # config changes are checked in that order, each on top of the ones before.
    order = sorted(range(len(events)), key=lambda i: _event_time(where, events, i))
    for i in order:
        cfg = _event(f"{where}.events[{i}]", events[i], cfg)
    out["events"] = [events[i] for i in order]
    return out


def _event_time(where, events, i):
    ev = _obj(f"{where}.events[{i}]", events[i])
    return _num(f"{where}.events[{i}].at_min", ev.get("at_min"), 0)


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
    except OSError as e:
        raise ScenarioError(f"{path}: cannot read it: {e.strerror}") from None
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
