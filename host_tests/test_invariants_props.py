"""Property tests: random sequences of temperatures, sensor faults, inputs, hp.set and
hp.config commands, mode changes and time steps (0.1 s to 10 min) through Controller +
SimHAL; the relay log must satisfy DESIGN.md's safety invariants (tools/sim/invariants.py).

One test per invariant. They share the machinery but each draws the events that stress
its invariant more often (e.g. sensor faults for 6, mode flips for 4). Every test also
checks the other invariants: a violation anywhere fails. Sequences are short (20-40
steps) so an example takes a few ms; `make test` runs 500 per test, `make test-long`
5000 (the hypothesis profiles in conftest.py).
"""

import pytest
import replay_rig
from heatpump import config as C
from heatpump import thermistor
from heatpump.board import load_board
from hypothesis import given, note
from hypothesis import strategies as st
from replay_rig import Rig

from tools.sim.invariants import check_invariants

BOARDS = ("esp32-devkitc", "esp32-relay-x4")
SENSORS = ("room", "indoor_coil", "outdoor", "outdoor_coil")
SPEEDS = {"esp32-devkitc": ("low", "medium", "high"), "esp32-relay-x4": ("low", "high")}


def dt_ms(u):
    """0..1000 -> 100 ms .. 10 min, log-uniform (shrinks towards short steps)."""
    return round(100 * 6000 ** (u / 1000))


# What a "set" or "config" step does, valid or not (picked by the step's value).
SET_CHOICES = [(("mode", m),) for m in C.MODES] + [
    (("setpoint", 22),),
    (("setpoint", 18.5),),
    (("setpoint", 29),),
    (("setpoint", 99),),
    (("setpoint", "22"),),
    (("mode", "warm"),),
    (("mode", 3),),
    (("fan", "continuous"),),
    (("fan", "auto"),),
    (("fan", "on"),),
    (("speed", "low"),),
    (("speed", "medium"),),
    (("speed", "high"),),
    (("colour", "red"),),
    (("mode", "heat"), ("setpoint", 99)),
    (("mode", "cool"), ("fan", "continuous"), ("speed", "low")),
]
CONFIG_CHOICES = [
    (("fan_overrun_s", 0),),
    (("fan_overrun_s", 600),),
    (("fan_overrun_s", -10),),
    (("start_dK", 1),),
    (("start_dK", 40),),
    (("freeze_s", 60),),
    (("cold_blow_max_s", 0),),
    (("units", "F"),),
    (("units", "C"),),
    (("units", "K"),),
    (("bogus", 1),),
    (("heat_lockout_dC", 0), ("heat_unlock_dC", 20)),
    (("heat_lockout_dC", 50),),
]
KINDS = ("temp", "nudge", "swing", "break", "input", "set", "mode", "config", "burst", "wait")


def decode(word, pool):
    """One step from a 32-bit word: (kind, sensor index, value -50..140, dt code 0..1000).

    Steps are drawn as plain ints (hypothesis draws those several times faster than
    tuples of small strategies). The word is first mixed (an odd multiplier is a
    bijection mod 2**32) so hypothesis's taste for small numbers does not skew every
    field the same way; pool holds each kind as often as its weight.
    """
    w = (word * 0x9E3779B1) & 0xFFFFFFFF
    kind = pool[(w & 0xFFFF) % len(pool)]
    return kind, (w >> 16) & 3, ((w >> 18) & 0xFF) % 191 - 50, (w >> 26) * 1000 // 63


@st.composite
def runs(draw, weights, short_timers=False):
    """A whole run; short_timers: 60 s timers, few starts allowed, mild weather and a
    healthy coil, so the compressor cycles many times in one run."""
    board = draw(st.sampled_from(BOARDS))
    timers = (60,) if short_timers else (60, 180, 300)
    config = {
        "boot_delay_s": draw(st.integers(0, 30)),
        "min_off_s": draw(st.sampled_from(timers)),
        "min_run_s": draw(st.sampled_from(timers)),
        "max_starts_per_hour": draw(st.integers(1, 4 if short_timers else 12)),
        "auto_min_mode_s": draw(st.sampled_from((60, 600))),
    }
    settings = {
        "mode": draw(
            st.sampled_from(("cool", "heat", "auto", "dry") if short_timers else C.MODES)
        ),
        "setpoint": draw(st.integers(16, 30)),
        "fan": draw(st.sampled_from(C.FANS)),
        "speed": draw(st.sampled_from(SPEEDS[board])),
    }
    outdoor = (12, 30) if short_timers else (-15, 45)
    temps = {
        "room": draw(st.integers(10, 35)),
        "outdoor": draw(st.integers(*outdoor)),
        "outdoor_coil": draw(st.integers(*outdoor)),
    }
    coil_follows = short_timers or draw(st.booleans())
    pool = [k for k in KINDS for _ in range(weights.get(k, 0))]
    words = draw(st.lists(st.integers(0, 2**32 - 1), min_size=20, max_size=40))
    return board, config, settings, temps, coil_follows, [decode(w, pool) for w in words]


_BOARDS = {}
_CHANNELS = {}


class _CachedChannel:
    """thermistor.Channel built once per board spec: a rig is built per example, and
    the tables' float work would otherwise be most of an example's time."""

    def __new__(cls, spec, adc=None):
        key = (id(spec), (adc or {}).get("supply_mv"))
        ch = _CHANNELS.get(key)
        if ch is None:
            ch = _CHANNELS[key] = (spec, _REAL_CHANNEL(spec, adc))
        return ch[1]


_REAL_CHANNEL = thermistor.Channel


@pytest.fixture(autouse=True, scope="module")
def cached_boards():
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(thermistor, "Channel", _CachedChannel)
        mp.setattr(replay_rig, "load_board", _board)
        yield


def _board(name):
    if name not in _BOARDS:
        _BOARDS[name] = load_board(name)
    return _BOARDS[name]


def _kwargs(pairs):
    return dict(pairs)


def play(run):
    """Drive the controller through a drawn run; return the rig."""
    board, config, settings, temps, coil_follows, seq = run
    r = Rig(board, settings=settings, config=config, temps=temps, coil_follows=coil_follows)
    for kind, si, v, u in seq:
        sensor = SENSORS[si]
        if kind == "temp":
            r.set_temp(sensor, v / 2)  # -25 .. 70 C, readable by every channel
        elif kind == "swing":  # the room around the setpoint: calls come and go
            r.set_temp("room", r.ctl.setpoint_dC / 10 + (v % 13 - 6) / 2)
        elif kind == "nudge":
            r.set_temp(sensor, min(70, max(-25, r.temps[sensor] + (v % 13 - 6) / 2)))
        elif kind == "break":
            r.break_sensor(sensor, ("open", "short", None)[v % 3])
        elif kind == "input":
            r.hal.set_input("condensate_full", v % 2 == 1)
        elif kind in ("set", "mode"):
            pairs = SET_CHOICES[v % (len(C.MODES) if kind == "mode" else len(SET_CHOICES))]
            try:
                r.hp.set(**_kwargs(pairs))
            except ValueError:
                pass
        elif kind == "config":
            try:
                r.hp.config(**_kwargs(CONFIG_CHOICES[v % len(CONFIG_CHOICES)]))
            except ValueError:
                pass
        elif kind == "burst":
            for _ in range(2 + v % 11):
                r.step(1000)
        r.step(dt_ms(u))
    return r


def check(run, invariant):
    note(f"steps: {run[-1]}")
    r = play(run)
    found = check_invariants(r.hal.relay_log, r.board, r.ctl.cfg, r.ticks)
    assert found == [], f"invariant {invariant} focus; violations: {found[:5]}"
    return r


BASE = {
    "temp": 3,
    "nudge": 4,
    "swing": 3,
    "break": 1,
    "input": 1,
    "set": 2,
    "mode": 2,
    "config": 1,
    "burst": 2,
    "wait": 4,
}


@given(runs(BASE | {"swing": 6, "mode": 3, "wait": 6}, short_timers=True))
def test_invariant_1_min_off_before_every_restart(run):
    check(run, 1)


@given(runs(BASE | {"break": 2, "input": 3, "temp": 5}))
def test_invariant_2_min_run_unless_a_protection_stops_it(run):
    check(run, 2)


@given(runs({"swing": 12, "burst": 3, "nudge": 2, "wait": 2, "mode": 1}, short_timers=True))
def test_invariant_3_starts_per_hour(run):
    check(run, 3)


@given(runs(BASE | {"mode": 8, "set": 4}))
def test_invariant_4_valve_moves_only_with_the_compressor_off(run):
    check(run, 4)


@given(runs(BASE | {"set": 8, "mode": 4, "temp": 5}))
def test_invariant_5_fans_run_with_the_compressor(run):
    check(run, 5)


@given(runs(BASE | {"break": 6, "burst": 4}))
def test_invariant_6_sensor_faults_stop_the_compressor(run):
    check(run, 6)


# ---- invariant 8: a value out of range is refused and changes nothing ----------------


def _any_value():
    return st.one_of(
        st.integers(-2000, 8000),
        st.floats(-100, 100, allow_nan=False),
        st.sampled_from(("", "C", "F", "cool", "auto", "low", "high", "x")),
        st.booleans(),
        st.none(),
    )


@given(
    st.sampled_from(BOARDS),
    st.lists(
        st.one_of(
            st.tuples(
                st.just("set"),
                st.dictionaries(
                    st.sampled_from(("mode", "setpoint", "fan", "speed", "colour")),
                    _any_value(),
                    max_size=3,
                ),
            ),
            st.tuples(
                st.just("config"),
                st.dictionaries(
                    st.sampled_from(C.keys() + ("bogus",)), _any_value(), min_size=1, max_size=3
                ),
            ),
        ),
        min_size=1,
        max_size=8,
    ),
)
def test_invariant_8_bad_values_are_refused_and_change_nothing(board, commands):
    r = Rig(board, settings={"mode": "cool", "setpoint": 23})
    for kind, kwargs in commands:
        before = (r.ctl.settings(), dict(r.ctl.cfg))
        try:
            if kind == "set":
                r.hp.set(**kwargs)
            else:
                r.hp.config(**kwargs)
        except ValueError as e:
            assert (r.ctl.settings(), dict(r.ctl.cfg)) == before
            msg = str(e)
            # each refusal says what is allowed, or where the allowed names are listed
            says = ("allowed", "must be below", "nothing to set", "hp.config() lists them")
            assert any(w in msg for w in says), msg
            continue
        # accepted: every value is within its range and the change is exactly what was asked
        if kind == "config":
            for key, value in kwargs.items():
                assert C.validate(key, value) == r.ctl.cfg[key]
            others = {k: v for k, v in before[1].items() if k not in kwargs}
            assert {k: r.ctl.cfg[k] for k in others} == others
        else:
            now = r.ctl.settings()
            assert C.SETPOINT_MIN_dC <= now["setpoint_dC"] <= C.SETPOINT_MAX_dC
            assert now["mode"] in C.MODES and now["fan"] in C.FANS
            assert now["speed"] in r.ctl.speeds
            for key in ("mode", "fan", "speed"):
                assert now[key] == kwargs.get(key, before[0][key])
        r.step(1000)  # and the controller keeps running with it
