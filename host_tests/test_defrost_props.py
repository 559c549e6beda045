"""Property tests: DESIGN.md's safety invariants hold through random defrost runs.

Random sequences drive Controller + Defrost + SimHAL in heating weather: the outdoor
coil frosting and thawing, the outdoor air, the room, broken sensors, hp.defrost(),
mode changes, defrost config changes, and power cuts (relays drop in board order, the
controller's RAM is gone, a new one boots on the same board). The relay log must pass
the independent checker (tools/sim/invariants.py), and after every power cut the first
start must wait min_off_s from power-up and, in heating, find the valve in heating.
Each example is a few dozen steps (0.1 s to 10 min) with bursts of 1 s ticks;
`make test` runs 500 per property, `make test-long` 5000.
"""

from heatpump import config as C
from heatpump.api import Api
from heatpump.controller import Controller
from hypothesis import given
from hypothesis import strategies as st
from replay_rig import Rig

from tools.sim.invariants import check_invariants

BOARDS = ("esp32-devkitc", "esp32-relay-x4")
SENSORS = ("room", "indoor_coil", "outdoor", "outdoor_coil")
DT_MS = st.one_of(
    st.integers(100, 1_000),
    st.integers(1_000, 30_000),
    st.integers(30_000, 200_000),
    st.integers(200_000, 600_000),
)


def power_cut(r, off_ms):
    """Mains off for off_ms, then a fresh controller boots from what was persisted
    (settings, config and the compressor's history)."""
    r.started.append(list(r.ctl.defrost.counts))
    settings = r.ctl.settings()
    config = dict(r.ctl.cfg)
    faults = r.ctl.active_codes()
    r.hal.all_relays_off()  # the relays drop out (board order: compressor first)
    # What tools/sim/engine.py records at a cut: no reading was taken, the codes were as before.
    r.ticks.append(
        {
            "ms": r.hal.elapsed_ms,
            "mode": settings["mode"],
            "state": "power off",
            "defrost": False,
            "faults": faults,
            "broken": {},
        }
    )
    history = r.ctl.history()  # on flash: the app writes it at every start and stop
    r.hal.advance(off_ms)
    r.ctl = Controller(r.hal, config=config, settings=settings)
    assert r.ctl.restore_history(history) == []
    r.hp = Api(r.ctl)
    r.power_ons.append((r.hal.elapsed_ms, config["min_off_s"]))


def action():
    return st.one_of(
        # the outdoor coil: frosting (colder), melting, or a step anywhere it can be
        st.tuples(st.just("coil"), st.integers(-30, 25)),
        st.tuples(st.just("coil"), st.integers(-12, 0)),
        st.tuples(st.just("nudge"), st.integers(-8, 8)),
        st.tuples(st.just("nudge"), st.integers(-8, 8)),
        st.tuples(st.just("outdoor"), st.integers(-12, 8)),
        st.tuples(st.just("room"), st.integers(15, 25)),
        st.tuples(
            st.just("break"), st.sampled_from(SENSORS), st.sampled_from(("open", "short", None))
        ),
        st.tuples(st.just("defrost")),
        st.tuples(st.just("mode"), st.sampled_from(("heat", "heat", "auto", "cool", "off"))),
        st.tuples(
            st.just("config"),
            st.sampled_from(
                (
                    ("defrost_mode", "timed"),
                    ("defrost_mode", "demand"),
                    ("defrost_max_s", 120),
                    ("defrost_interval_s", 1800),
                    ("defrost_fan", "low"),
                    ("defrost_end_dC", 60),
                )
            ),
        ),
        st.tuples(st.just("burst"), st.integers(5, 60)),
        # a long heating stretch, a minute a tick, the coil frosting 0..0.3 K a minute
        st.tuples(st.just("frost"), st.integers(20, 80), st.integers(0, 3)),
        st.tuples(st.just("power"), st.integers(100, 400_000)),
        st.tuples(st.just("wait")),
        st.tuples(st.just("wait")),
        st.tuples(st.just("wait")),
    )


@st.composite
def runs(draw, power=False):
    board = draw(st.sampled_from(BOARDS))
    config = {
        "boot_delay_s": draw(st.integers(0, 30)),
        "min_off_s": draw(st.sampled_from((60, 180))),
        "min_run_s": draw(st.sampled_from((60, 180))),
        "max_starts_per_hour": draw(st.integers(3, 12)),
        "defrost_mode": draw(st.sampled_from(("demand", "timed"))),
        "defrost_interval_s": 1800,
        "valve_shift_s": draw(st.sampled_from((30, 45))),
    }
    temps = {
        "room": draw(st.integers(16, 21)),
        "indoor_coil": 20,
        "outdoor": draw(st.integers(-8, 6)),
        "outdoor_coil": draw(st.integers(-15, 2)),
    }
    steps = draw(st.lists(st.tuples(action(), DT_MS), min_size=15, max_size=35))
    if power:  # at least one cut, somewhere
        at = draw(st.integers(0, len(steps) - 1))
        steps.insert(at, (("power", draw(st.integers(100, 400_000))), 1000))
    return board, config, temps, steps


def play(run):
    board, config, temps, steps = run
    r = Rig(board, settings={"mode": "heat", "setpoint": 22}, config=config, temps=temps)
    r.power_ons = []
    r.started = []  # defrosts started per reason, per boot (power_cut keeps them)
    for act, dt in steps:
        kind = act[0]
        if kind == "coil":
            r.set_temp("outdoor_coil", act[1])
        elif kind == "nudge":
            r.set_temp("outdoor_coil", min(30, max(-35, r.temps["outdoor_coil"] + act[1])))
        elif kind in ("outdoor", "room"):
            r.set_temp(kind, act[1])
        elif kind == "break":
            r.break_sensor(act[1], act[2])
        elif kind == "defrost":
            try:
                r.hp.defrost()
            except ValueError as e:
                known = ("heating", "already", "no frost to melt", "the next may start")
                said = " ".join(str(e).split())  # cut to the terminal: words
                assert any(k in said for k in known), e
        elif kind == "mode":
            r.hp.set(mode=act[1])
        elif kind == "config":
            r.hp.config(**{act[1][0]: act[1][1]})
        elif kind == "burst":
            for _ in range(act[1]):
                r.step(1000)
        elif kind == "frost":
            for _ in range(act[1]):
                c = r.temps["outdoor_coil"] - act[2] / 10
                r.set_temp("outdoor_coil", max(-35, c))
                r.step(60_000)
        elif kind == "power":
            power_cut(r, act[1])
        r.step(dt)
    return r


def check(r):
    # The checker takes one config: a run may have lowered defrost_max_s part-way, so
    # its bounds are checked against the default that was in force before.
    cfg = dict(r.ctl.cfg)
    cfg["defrost_max_s"] = max(cfg["defrost_max_s"], C.defaults()["defrost_max_s"])
    found = check_invariants(r.hal.relay_log, r.board, cfg, r.ticks)
    assert found == [], f"violations: {found[:5]}"
    valve_in_heat = r.board.valve == "B"  # the valve relay state that means heating
    for on_ms, min_off_s in r.power_ons:
        starts = [ms for ms, n, on in r.hal.relay_log if n == "compressor" and on and ms >= on_ms]
        if not starts:
            continue
        first = starts[0]
        assert first - on_ms >= min_off_s * 1000, (
            f"restart {first - on_ms} ms after power-up (min_off_s {min_off_s})"
        )
        at = [c for c in r.ticks if c["ms"] == first]  # the tick that started it
        if at and at[-1]["mode"] == "heat" and not at[-1]["defrost"]:  # (hp.defrost(): cool)
            valve = [on for ms, n, on in r.hal.relay_log if n == "reversing_valve" and ms <= first]
            assert (valve[-1] if valve else False) == valve_in_heat, "restart not in heating"


@given(runs())
def test_invariants_hold_through_random_defrost_runs(run):
    check(play(run))


@given(runs(power=True))
def test_power_cuts_restart_safely_in_heating(run):
    check(play(run))


@st.composite
def cut_in_a_defrost(draw):
    board = draw(st.sampled_from(BOARDS))
    phase_s = draw(st.integers(0, 200))  # into the defrost: pause, melt, or the drip after
    off_ms = draw(st.integers(100, 600_000))
    coil_end = draw(st.sampled_from((-5, 20)))  # the frost melts, or never clears
    broken = draw(st.sampled_from((None, "outdoor_coil", "outdoor", "indoor_coil")))
    return board, phase_s, off_ms, coil_end, broken


@given(cut_in_a_defrost())
def test_power_cut_or_sensor_fault_in_the_middle_of_a_defrost(case):
    board, phase_s, off_ms, coil_end, broken = case
    r = Rig(
        board,
        settings={"mode": "heat", "setpoint": 22},
        config={"boot_delay_s": 0, "defrost_max_s": 120},
        temps={"room": 19, "indoor_coil": 19, "outdoor": 0, "outdoor_coil": -6},
    )
    r.power_ons = []
    r.started = []
    r.run(400, step_ms=5000)  # heating, past min run
    r.hp.defrost()
    r.run(40)
    assert r.ctl.state == "defrost", r.ctl.state
    r.set_temp("outdoor_coil", coil_end)
    if broken:
        r.break_sensor(broken, "open")
    r.run(phase_s)
    power_cut(r, off_ms)
    r.run(600, step_ms=5000)
    assert not r.ctl.defrost_active, "a new boot does not carry a defrost over"
    check(r)
    if broken != "outdoor" and broken != "indoor_coil":
        assert r.ctl.state in ("heating", "defrost"), r.ctl.state
