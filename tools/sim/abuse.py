"""Abuse: a random, reproducible list of scenario events for a run (issue 12).

    spec = check({"seed": 7, "every_min": 1})      # the defaults filled in
    evs = events(spec, duration_h=168, sensors=("room", "indoor_coil", ...))

A scenario file carries the spec as "abuse" and the loader (tools/sim/scenario.py) adds
these events to its own. The same spec, duration and sensors give the same events,
on any machine: each kind of abuse draws from its own stream, seeded from the seed
and the kind, so changing one rate does not move the others.

What a run gets (the spec's keys, defaults in DEFAULTS):
- every `every_min` minutes, at a random second within it, a command picked by the
  weights in `commands`: hp.set (mode, setpoint, fan, speed, each sometimes out of
  range or not allowed), hp.config (one or two of CONFIG_KEYS, in range or not),
  hp.defrost(), hp.clear(), hp.selftest(), hp.selftest_cancel(). set and config
  events carry "may_refuse": true, so a value the firmware refuses is counted, not
  an error of the scenario.
- `faults_per_day` bursts of a flapping sensor: open or short and repaired every
  2-10 s for 20 s to 10 min, some then held broken up to an hour, always repaired.
- `chatter_per_day` bursts of the condensate float chattering (every 2-6 s for 30 s
  to 10 min), ending released.
- `stuck_valve_per_day` times the reversing valve sticks (where it is, or in heat or
  cool) for 10 min to 3 h.
- `resets_per_day`: {"watchdog": n, "crash": n, "power": n} reset events; a third of
  the crashes come as three within 10 min, which the app's crash rule answers with a
  board reset.
Counts per run are the rate times the run's days, the fraction drawn. A spec's
"commands" or "resets_per_day" replaces the default one whole (a kind left out is
never drawn).
"""

import random

from heatpump import config as fw_config

COMMANDS = ("set", "config", "defrost", "clear", "selftest", "selftest_cancel")
RESETS = ("watchdog", "crash", "power")
RATES = ("faults_per_day", "chatter_per_day", "stuck_valve_per_day")
CONFIG_KEYS = (
    "min_off_s",
    "min_run_s",
    "valve_shift_s",
    "defrost_max_s",
    "max_starts_per_hour",
    "cold_blow_dC",
    "stop_dK",
    "start_dK",
    "boot_delay_s",
)
DEFAULTS = {
    "every_min": 1,
    "commands": {
        "set": 4,
        "config": 3,
        "defrost": 1,
        "clear": 1,
        "selftest": 1,
        "selftest_cancel": 1,
    },
    "faults_per_day": 8,
    "chatter_per_day": 8,
    "stuck_valve_per_day": 2,
    "resets_per_day": {"watchdog": 2, "crash": 4, "power": 2},
}
MAX_PER_DAY = 1440  # once a minute: more would be a scenario of nothing but abuse
BAD = 0.15  # share of set/config values that are out of range or not allowed
# hp.set keywords and how often each is in a command (at least one always is): a mode
# change now and then, so each mode holds long enough to run the compressor in it.
SET_SHARE = (("mode", 0.25), ("setpoint", 0.6), ("fan", 0.2), ("speed", 0.2))
_SCHEMA = {row[0]: row for row in fw_config.schema()}


def _number(key, value, lo=0.0, hi=None):
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{key}: expected a number, got {value!r}")
    if value < lo:
        raise ValueError(f"{key}: {value} is below {lo:.4g}")
    if hi is not None and value > hi:
        raise ValueError(f"{key}: {value} is above {hi:g}")
    return value


def _weights(key, value, names, hi=None):
    if not isinstance(value, dict):
        raise ValueError(f"{key}: expected an object {{name: number}}, got {value!r}")
    for name, w in value.items():
        if name not in names:
            raise ValueError(f"{key}: unknown {name!r}; allowed {', '.join(names)}")
        _number(f"{key}.{name}", w, 0, hi)
    return dict(value)


def check(spec):
    """The spec with its defaults filled in (a new dict); ValueError naming the key."""
    if not isinstance(spec, dict):
        raise ValueError(f"expected an object {{...}}, got {spec!r}")
    unknown = sorted(set(spec) - set(DEFAULTS) - {"seed"})
    if unknown:
        raise ValueError(f"unknown keys {unknown}; allowed: seed, {', '.join(DEFAULTS)}")
    seed = spec.get("seed")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed: a whole number 0 or more is required, got {seed!r}")
    out = dict(DEFAULTS, **spec)
    _number("every_min", out["every_min"], 1 / 60)
    out["commands"] = _weights("commands", out["commands"], COMMANDS)
    for key in RATES:
        _number(key, out[key], 0, MAX_PER_DAY)
    out["resets_per_day"] = _weights("resets_per_day", out["resets_per_day"], RESETS, MAX_PER_DAY)
    return out


def events(spec, duration_h, sensors):
    """The abuse events of a checked spec over duration_h, sorted by time."""
    end_s = int(duration_h * 3600)
    seed = spec["seed"]

    def rng(kind):
        return random.Random(f"{seed}/{kind}")  # a str seed: the same on every run

    out = _commands(rng("commands"), spec, end_s)
    days = duration_h / 24
    for kind, burst in (("faults", _flap), ("chatter", _chatter), ("stuck_valve", _stuck)):
        r = rng(kind)
        for t in _times(r, spec[f"{kind}_per_day"] * days, end_s):
            out += burst(r, t, sensors)
    for kind in RESETS:
        r = rng(kind)
        for t in _times(r, spec["resets_per_day"].get(kind, 0) * days, end_s):
            out += _reset(r, t, kind)
    out = [ev for ev in out if ev["at_min"] * 60 < end_s]
    out.sort(key=lambda ev: ev["at_min"])
    return out


def _at(t_s, **action):
    # Whole seconds: the event lands on a tick (t_s / 60 is the same float the
    # simulator computes from its clock, so it is neither early nor late).
    return dict(at_min=t_s / 60, **action)


def _times(r, expected, end_s):
    """A count of about `expected` (the fraction drawn), at random seconds of the run."""
    n = int(expected) + (r.random() < expected % 1)
    return sorted(r.randrange(60, max(61, end_s)) for _ in range(n))


def _commands(r, spec, end_s):
    names = [c for c in COMMANDS if spec["commands"].get(c, 0) > 0]
    if not names:
        return []
    weights = [spec["commands"][c] for c in names]
    every_s = spec["every_min"] * 60
    out = []
    k = 0
    while k * every_s < end_s:
        t = int(k * every_s + r.random() * every_s)
        cmd = r.choices(names, weights)[0]
        if cmd == "set":
            out.append(_at(t, set=_set_values(r), may_refuse=True))
        elif cmd == "config":
            out.append(_at(t, config=_config_values(r), may_refuse=True))
        else:
            out.append(_at(t, hp=cmd))
        k += 1
    return out


def _set_values(r):
    kw = {key: _setting(r, key) for key, share in SET_SHARE if r.random() < share}
    if not kw:
        kw["setpoint"] = _setting(r, "setpoint")
    return kw


def _setting(r, key):
    bad = r.random() < BAD
    if key == "setpoint":
        if bad:
            return r.choice((-5, 10, 15.9, 30.5, 45, "21"))
        return r.randint(32, 60) / 2  # 16..30 C in half degrees
    if bad:
        return r.choice(("warm", "always", "turbo", "", None))
    choices = {"mode": fw_config.MODES, "fan": fw_config.FANS, "speed": fw_config.SPEEDS}
    return r.choice(choices[key])


def _config_values(r):
    keys = r.sample(CONFIG_KEYS, r.choice((1, 1, 2)))
    return {key: _config_value(r, key) for key in keys}


def _config_value(r, key):
    _key, _default, lo, hi, _unit = _SCHEMA[key]
    if r.random() >= BAD:
        return r.randint(lo, hi)
    return r.choice(
        (lo - 1 - r.randint(0, abs(lo)), hi + 1 + r.randint(0, abs(hi)), str(lo), lo + 0.5)
    )


def _flap(r, t, sensors):
    sensor = r.choice(sensors)
    kind = r.choice(("open", "short"))
    end = t + r.randint(20, 600)
    out = []
    broken = False
    while t < end:
        broken = not broken
        out.append(_at(t, fault={"sensor": sensor, "kind": kind if broken else None}))
        t += r.randint(2, 10)
    if r.random() < 0.3:
        out.append(_at(t, fault={"sensor": sensor, "kind": kind}))
        t += r.randint(60, 3600)
    out.append(_at(t, fault={"sensor": sensor, "kind": None}))
    return out


def _chatter(r, t, _sensors):
    end = t + r.randint(30, 600)
    out = []
    full = False
    while t < end:
        full = not full
        out.append(_at(t, input={"condensate_full": full}))
        t += r.randint(2, 6)
    out.append(_at(t, input={"condensate_full": False}))
    return out


def _stuck(r, t, _sensors):
    stuck = r.choice((True, "heat", "cool"))
    return [_at(t, stuck_valve=stuck), _at(t + r.randint(600, 3 * 3600), stuck_valve=False)]


def _reset(r, t, kind):
    if kind == "crash" and r.random() < 1 / 3:
        # Three within 10 min: the app's crash rule resets the board at the third.
        first = _at(t, reset="crash")
        second = t + r.randint(60, 240)
        return [first, _at(second, reset="crash"), _at(second + r.randint(60, 240), reset="crash")]
    return [_at(t, reset=kind)]
