"""Issue 12: no sequence of commands, faults, resets or sensor noise may short-cycle or
trap the compressor.

Each example is a short closed-loop run (2-4 h of the firmware against the plant) on
either bundled board, in random weather and settings, under a random abuse list
(tools/sim/abuse.py: hp.* calls at random times, config changes in and out of range,
flapping sensors, float chatter, a stuck valve, resets of each kind). The independent
checker (tools/sim/invariants.py) must find nothing. The bundled abuse week is
test_abuse_week.py's.
"""

from heatpump import config as fw_config
from hypothesis import given, settings
from hypothesis import strategies as st

from tools.sim import abuse, run_scenario, scenario

RUNS = settings.default.max_examples * 2 // 5  # 200; 2000 with make test-long
BOARDS = ("esp32-devkitc", "esp32-relay-x4")
SPEEDS = ("low", "high")  # the speeds both boards have


def _rates(names, most):
    return st.fixed_dictionaries({n: st.integers(0, most) for n in names})


@st.composite
def abuse_runs(draw):
    """A scenario file of 2-4 h: random board, weather, settings and abuse spec (the
    loader expands the spec, so a failing example prints small)."""
    t_min = draw(st.integers(-10, 28))
    spec = {
        "seed": draw(st.integers(0, 2**32 - 1)),
        "every_min": draw(st.sampled_from((1, 2, 5))),
        "commands": draw(_rates(abuse.COMMANDS, 4)),
        # Per day, so a few hours still see each kind now and then.
        "faults_per_day": draw(st.integers(0, 96)),
        "chatter_per_day": draw(st.integers(0, 96)),
        "stuck_valve_per_day": draw(st.integers(0, 24)),
        "resets_per_day": draw(_rates(abuse.RESETS, 48)),
    }
    return {
        "name": "abuse",
        "board": draw(st.sampled_from(BOARDS)),
        "duration_h": draw(st.integers(2, 4)),
        "start": {"room_c": draw(st.integers(14, 30)), "hour": draw(st.integers(0, 23))},
        "weather": {
            "kind": "daily",
            "t_min_c": t_min,
            "t_max_c": t_min + draw(st.integers(0, 14)),
            "rh": draw(st.integers(30, 95)),
        },
        "sensors": {"noise_mv": draw(st.sampled_from((0, 0, 0, 5, 20)))},
        "settings": {
            "mode": draw(st.sampled_from(fw_config.MODES)),
            "setpoint": draw(st.integers(32, 60)) / 2,
            "fan": draw(st.sampled_from(fw_config.FANS)),
            "speed": draw(st.sampled_from(SPEEDS)),
        },
        "config": {"boot_delay_s": draw(st.integers(0, 120))},
        "abuse": spec,
    }


@settings(max_examples=RUNS)
@given(sc=abuse_runs())
def test_no_abuse_breaks_a_safety_invariant(sc):
    _result, run, _rows = run_scenario(scenario.validate(sc), progress=False)
    assert run.violations == [], run.violations[:5]
