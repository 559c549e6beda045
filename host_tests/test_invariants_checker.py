"""The invariant checker itself: it must catch each violation in a hand-made relay log,
and pass the logs a correct controller writes."""

import pytest
from heatpump.board import load_board

from tools.invariants import check_invariants, tick_context

DEVKIT = load_board("esp32-devkitc")  # "O" valve, three taps, separate outdoor fan
SHARED = load_board("esp32-relay-x4")  # one motor for both fans, low/high taps
S = 1000  # ms


def cool_start(t):
    return [
        (t * S, "fan_indoor_high", True),
        (t * S, "fan_outdoor", True),
        (t * S, "compressor", True),
    ]


def cool_stop(t):
    return [
        (t * S, "compressor", False),
        (t * S, "fan_outdoor", False),
        (t * S, "fan_indoor_high", False),
    ]


def ctx(t, **kw):
    c = {"ms": t * S, "mode": "cool", "state": "cooling", "defrost": False, "faults": ()}
    c["broken"] = {}
    c.update(kw)
    return c


def numbers(violations):
    return [(v["ms"] // S, v["invariant"]) for v in violations]


GOOD = [(1 * S, "reversing_valve", True)] + cool_start(180) + cool_stop(360) + cool_start(540)


def test_a_correct_cooling_log_passes():
    assert check_invariants(GOOD, DEVKIT, {}, [ctx(t) for t in range(1, 600)]) == []


def test_1_restart_before_min_off():
    log = cool_start(180) + cool_stop(360) + cool_start(539)
    assert numbers(check_invariants(log, DEVKIT)) == [(539, 1)]
    assert numbers(check_invariants(cool_start(179), DEVKIT)) == [(179, 1)], "after power-up"
    assert check_invariants(log, DEVKIT, {"min_off_s": 179}) == [], "the config in force"


def test_1_and_3_defrost_valve_shift_restarts():
    log = cool_start(180) + cool_stop(600) + cool_start(630)
    assert numbers(check_invariants(log, DEVKIT)) == [(630, 1)], "no context: no excuse"
    ticks = [ctx(600, state="defrost", defrost=True)]
    assert check_invariants(log, DEVKIT, {}, ticks) == []
    short = cool_start(180) + cool_stop(600) + cool_start(629)
    assert numbers(check_invariants(short, DEVKIT, {}, ticks)) == [(629, 1)]


def test_2_early_stop_needs_a_reason():
    log = cool_start(180) + cool_stop(300)
    assert numbers(check_invariants(log, DEVKIT, {}, [ctx(300)])) == [(300, 2)]
    assert check_invariants(log, DEVKIT, {}, [ctx(300, faults=("E7",))]) == []
    assert check_invariants(log, DEVKIT, {}, [ctx(300, defrost=True)]) == []
    assert check_invariants(log, DEVKIT) == [], "without context the reason is unknown"


def test_3_starts_per_hour_over_any_sliding_hour():
    log = []
    for t in range(180, 180 + 7 * 360, 360):  # a start every 6 min: 7 in 36 min
        log += cool_start(t) + cool_stop(t + 180)
    assert numbers(check_invariants(log, DEVKIT)) == [(180 + 6 * 360, 3)]
    assert check_invariants(log, DEVKIT, {"max_starts_per_hour": 7}) == []
    spread = []
    for t in (180, 600, 1200, 1800, 2400, 3000, 3780):  # the 7th 60 min after the 1st
        spread += cool_start(t) + cool_stop(t + 180)
    assert check_invariants(spread, DEVKIT) == []


def test_3_a_power_cut_starts_the_count_again():
    log = []
    for t in range(180, 180 + 7 * 360, 360):
        log += cool_start(t) + cool_stop(t + 180)
    cut = [ctx(1800, state="power off")]  # between the 5th and the 6th start
    assert check_invariants(log, DEVKIT, {}, cut) == []
    late = [ctx(2600, state="power off")]  # after the 7th: no excuse
    assert numbers(check_invariants(log, DEVKIT, {}, late)) == [(180 + 6 * 360, 3)]


def test_4_valve_moves_only_with_the_compressor_off():
    log = cool_start(180) + [(200 * S, "reversing_valve", True)]
    assert numbers(check_invariants(log, DEVKIT)) == [(200, 4)]
    # in write order: compressor off first, then the valve, same millisecond: fine
    ok = cool_start(180) + cool_stop(360) + [(360 * S, "reversing_valve", True)]
    assert check_invariants(ok, DEVKIT) == []
    bad = cool_start(180) + [(360 * S, "reversing_valve", True)] + cool_stop(360)
    assert numbers(check_invariants(bad, DEVKIT)) == [(360, 4)]


def test_5_fans_with_the_compressor():
    valve_cool = [(1 * S, "reversing_valve", True)]
    no_indoor = valve_cool + [(180 * S, "fan_outdoor", True), (180 * S, "compressor", True)]
    assert numbers(check_invariants(no_indoor, DEVKIT)) == [(180, 5)]
    heating_no_outdoor = [(180 * S, "fan_indoor_low", True), (180 * S, "compressor", True)]
    assert numbers(check_invariants(heating_no_outdoor, DEVKIT)) == [(180, 5)]
    heating_shared = [(180 * S, "fan_indoor_low", True), (180 * S, "compressor", True)]
    assert check_invariants(heating_shared, SHARED) == []
    shared_off = [(180 * S, "compressor", True)]
    assert numbers(check_invariants(shared_off, SHARED)) == [(180, 5)]
    in_defrost = valve_cool + [(700 * S, "compressor", True)]
    ticks = [ctx(700, state="defrost", defrost=True)]
    assert numbers(check_invariants(in_defrost, DEVKIT)) == [(700, 5)]
    assert check_invariants(in_defrost, DEVKIT, {}, ticks) == []


def test_5_a_fan_gap_inside_one_tick_is_fine_two_taps_never():
    change = GOOD + [(600 * S, "fan_indoor_high", False), (600 * S, "fan_indoor_low", True)]
    assert check_invariants(change, DEVKIT) == []
    overlap = GOOD + [(600 * S, "fan_indoor_low", True), (600 * S, "fan_indoor_high", False)]
    assert numbers(check_invariants(overlap, DEVKIT)) == [(600, 5)]


def test_6_needed_sensor_broken_three_readings():
    broken = {"room": "open"}
    ticks = [ctx(t) for t in range(181, 200)]
    for t in (200, 201, 202):
        ticks.append(ctx(t, broken=broken, faults=("S1",) if t == 202 else ()))
    log = [(1 * S, "reversing_valve", True)] + cool_start(180)
    assert numbers(check_invariants(log, DEVKIT, {}, ticks)) == [(202, 6)], "still running"
    log_stopped = log + cool_stop(202)
    assert check_invariants(log_stopped, DEVKIT, {}, ticks) == []
    no_code = ticks[:-1] + [ctx(202, broken=broken)]
    assert numbers(check_invariants(log_stopped, DEVKIT, {}, no_code)) == [(202, 2), (202, 6)]


def test_6_a_sensor_the_mode_does_not_need():
    ticks = [ctx(t, broken={"outdoor": "short"}, faults=("S3",)) for t in range(200, 210)]
    log = [(1 * S, "reversing_valve", True)] + cool_start(180)
    assert check_invariants(log, DEVKIT, {}, ticks) == []
    heat = [dict(c, mode="heat") for c in ticks]
    heat_log = cool_start(180)  # valve off on an "O" board: heating
    assert (209, 6) in numbers(check_invariants(heat_log, DEVKIT, {}, heat))


def test_6_fault_clears_only_after_sane_readings_for_a_while():
    b = {"room": "open"}
    ticks = [ctx(t, state="idle", broken=b, faults=("S1",)) for t in range(10, 15)]
    ticks += [ctx(t, state="idle", faults=("S1",)) for t in range(15, 30)]
    early = ticks + [ctx(30, state="idle")]
    assert numbers(check_invariants([], DEVKIT, {}, early)) == [(30, 6)]
    ticks += [ctx(t, state="idle", faults=("S1",)) for t in range(30, 44)]
    assert check_invariants([], DEVKIT, {}, ticks + [ctx(44, state="idle")]) == []


@pytest.mark.parametrize("board", ["esp32-devkitc", "esp32-relay-x4"])
def test_tick_context_reads_the_controller(board):
    from replay_rig import Rig

    r = Rig(board, settings={"mode": "cool", "setpoint": 23}, temps={"room": 26, "outdoor": 30})
    r.run(3)
    c = tick_context(r.ctl, r.hal, {"outdoor_coil": "open"})
    assert c == {
        "ms": 3000,
        "mode": "cool",
        "state": "waiting",
        "defrost": False,
        "faults": (),
        "broken": {"outdoor_coil": "open"},
    }
