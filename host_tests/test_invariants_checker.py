"""The invariant checker itself: it must catch each violation in a hand-made relay log,
and pass the logs a correct controller writes."""

from types import SimpleNamespace

import pytest
from heatpump.board import load_board

from tools.sim.invariants import check_invariants, tick_context

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
    log = cool_start(180) + cool_stop(600) + cool_start(630)  # heating: valve off ("O")
    assert numbers(check_invariants(log, DEVKIT)) == [(630, 1)], "no context: no excuse"
    ticks = [ctx(t, state="defrost", defrost=True) for t in range(600, 631)]
    msg = check_invariants(log, DEVKIT, {}, ticks)[0]["message"]
    assert "valve did not move" in msg, "a defrost step is not enough: the valve must move"
    shifted = cool_start(180) + cool_stop(600) + [(600 * S, "reversing_valve", True)]
    assert check_invariants(shifted + cool_start(630), DEVKIT, {}, ticks) == []
    assert check_invariants(shifted + cool_start(630), DEVKIT) == [], "valve moved 30 s ago"
    short = shifted + cool_start(629)
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


def test_3_a_power_cut_does_not_start_the_count_again():
    log = []
    for t in range(180, 180 + 7 * 360, 360):
        log += cool_start(t) + cool_stop(t + 180)
    cut = [ctx(1800, state="power off")]  # between the 5th and the 6th start
    assert numbers(check_invariants(log, DEVKIT, {}, cut)) == [(180 + 6 * 360, 3)]
    late = [ctx(2600, state="power off")]  # after the 7th
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


# ---- what issue 12 found the checker missing ------------------------------------------
# Both bundled boards have an "O" valve (energised in cooling); the devkit has its own
# outdoor fan, the relay-x4 one motor for both air streams (its indoor taps).

BOARDS = {"esp32-devkitc": DEVKIT, "esp32-relay-x4": SHARED}
B_VALVE = SimpleNamespace(valve="B", shared_fan_motor=False)  # no bundled "B" board


def heat_start(board, t):
    """A heating start (valve as it is: de-energised on an "O" board is heating)."""
    air = "fan_indoor_low" if board.shared_fan_motor else "fan_outdoor"
    return [(t * S, air, True), (t * S, "compressor", True)]


def heat_stop(board, t):
    air = "fan_indoor_low" if board.shared_fan_motor else "fan_outdoor"
    return [(t * S, "compressor", False), (t * S, air, False)]


def hctx(t, **kw):
    return ctx(t, **({"mode": "heat", "state": "heating"} | kw))


def defrost_cycle(board, t0, melt_s, shift_s=30):
    """A heating run stopped by a defrost at t0: valve to cooling, the melt after the
    shift, valve back at its end, heating again after the drip. (log, ticks)."""
    melt, end = t0 + shift_s, t0 + shift_s + melt_s
    back = end + shift_s
    log = heat_start(board, 180) + heat_stop(board, t0) + [(t0 * S, "reversing_valve", True)]
    log += [(melt * S, "compressor", True)]
    log += [(end * S, "compressor", False), (end * S, "reversing_valve", False)]
    log += heat_start(board, back)
    ticks = [hctx(t) for t in range(180, t0)]
    ticks += [hctx(t, state="defrost", defrost=True) for t in range(t0, end)]
    ticks += [hctx(t, state="defrost") for t in range(end, back)]  # melt end, then the drip
    ticks += [hctx(t) for t in range(back, back + 120)]
    return log, ticks


def short_runs(starts, run_s=60):
    log = []
    for t in starts:
        log += cool_start(t) + cool_stop(t + run_s)
    return log


@pytest.mark.parametrize("name", BOARDS)
def test_1_a_whole_defrost_cycle_passes(name):
    log, ticks = defrost_cycle(BOARDS[name], 1000, 300)
    assert check_invariants(log, BOARDS[name], {}, ticks) == []
    # without context: the valve moved 30 s before each restart (and invariant 5, with no
    # defrost known, finds the melt's indoor fan off)
    assert numbers(check_invariants(log, BOARDS[name])) == [(1030, 5)]


def test_1_early_restart_names_what_was_missing():
    base = cool_start(180) + cool_stop(600)
    ticks = [ctx(t, state="defrost", defrost=True) for t in range(600, 640)]
    no_move = check_invariants(base + cool_start(630), DEVKIT, {}, ticks)
    assert "valve did not move" in no_move[0]["message"]
    # "2-3 s runs with the valve flipping twice within a second"
    flip = base + [(600 * S, "reversing_valve", True), (600 * S + 500, "reversing_valve", False)]
    back = check_invariants(flip + cool_start(630), DEVKIT, {}, ticks)
    assert numbers(back) == [(630, 1)] and "moved back" in back[0]["message"]
    late_move = base + [(605 * S, "reversing_valve", True)]
    soon = check_invariants(late_move + cool_start(630), DEVKIT, {}, ticks)
    assert numbers(soon) == [(630, 1)] and "25.0 s after the valve moved" in soon[0]["message"]
    assert check_invariants(late_move + cool_start(635), DEVKIT, {}, ticks) == []
    assert "after power-up" in check_invariants(cool_start(100), DEVKIT)[0]["message"]
    cut = check_invariants(base + cool_start(700), DEVKIT, {}, [ctx(600, state="power off")])
    assert numbers(cut) == [(700, 1)] and "after a power cut" in cut[0]["message"]


@pytest.mark.parametrize("name", BOARDS)
def test_1_3_a_shift_restart_out_of_an_aborted_defrost(name):
    # hp.defrost() while heating, then hp.set(mode="cool") within the 30 s pause: the
    # defrost ends, the valve is already in cooling, and cooling starts 30 s after the
    # heating stop: neither the defrost's entry (the restart tick is not in the step)
    # nor its return (the stop did not end a melt run).
    board = BOARDS[name]
    log = heat_start(board, 180) + heat_stop(board, 1000) + [(1000 * S, "reversing_valve", True)]
    log += cool_start(1030) if name == "esp32-devkitc" else [(1030 * S, "fan_indoor_high", True)]
    log += [] if name == "esp32-devkitc" else [(1030 * S, "compressor", True)]
    ticks = [hctx(t) for t in range(180, 1000)]
    ticks += [hctx(t, state="defrost", defrost=True) for t in range(1000, 1010)]
    ticks += [ctx(t, state="defrost") for t in range(1010, 1030)]  # the pause, mode cool
    ticks += [ctx(t) for t in range(1030, 1100)]
    found = check_invariants(log, board, {"max_starts_per_hour": 1}, ticks)
    assert numbers(found) == [(1030, 1), (1030, 3)], "refused, and counted as a start"
    assert "not the defrost's own shift" in found[0]["message"]
    legit, legit_ticks = defrost_cycle(board, 1000, 300)
    assert check_invariants(legit, board, {"max_starts_per_hour": 1}, legit_ticks) == [], (
        "the defrost's own two restarts are not thermostat starts"
    )


def test_1_a_defrost_asked_for_during_the_drip():
    # valve_shift_s longer than min_off_s: the melt ends at 1330 (valve back to heating),
    # a new defrost at 1351 moves the valve to cooling, the compressor starts at 1390:
    # min_off has passed, but only 39 s after the valve moved.
    cfg = {"min_off_s": 60, "valve_shift_s": 120}
    log, ticks = defrost_cycle(DEVKIT, 1000, 210, shift_s=120)  # melt 1120..1330
    log = [w for w in log if w[0] < 1330 * S or w[1] == "compressor" and w[0] == 1330 * S]
    log += [(1330 * S, "reversing_valve", False), (1351 * S, "reversing_valve", True)]
    again = [hctx(t, state="defrost") for t in range(1330, 1351)]
    again += [hctx(t, state="defrost", defrost=True) for t in range(1351, 1500)]
    ticks = [c for c in ticks if c["ms"] < 1330 * S] + again
    soon = check_invariants(log + [(1390 * S, "compressor", True)], DEVKIT, cfg, ticks)
    assert numbers(soon) == [(1390, 1)]
    assert "39.0 s after the reversing valve moved" in soon[0]["message"]
    late = log + [(1471 * S, "compressor", True)]
    assert check_invariants(late, DEVKIT, cfg, ticks) == []


@pytest.mark.parametrize("with_context", [False, True])
def test_2_at_most_max_early_stops_short_runs_in_any_hour(with_context):
    # 60 s runs, whatever stopped them (here a fault: invariant 2's own rule excuses each)
    starts = [180, 600, 1020, 1440, 1860]
    ticks = [ctx(t + 60, faults=("E7",)) for t in starts] if with_context else None
    three = check_invariants(short_runs(starts[:3]), DEVKIT, {}, ticks)
    assert three == []
    four = check_invariants(short_runs(starts[:4]), DEVKIT, {}, ticks)
    assert numbers(four) == [(1500, 2)]
    msg = four[0]["message"]
    assert msg.startswith("4 compressor runs shorter than min_run (180 s)")
    assert "60.0 s at 180.0 s, 60.0 s at 600.0 s, 60.0 s at 1020.0 s, 60.0 s at 1440.0 s" in msg
    assert check_invariants(short_runs(starts[:4]), DEVKIT, {"max_early_stops": 4}, ticks) == []
    five = check_invariants(short_runs(starts), DEVKIT, {"max_early_stops": 4}, ticks)
    assert numbers(five) == [(1920, 2)]


def test_2_the_hour_slides_over_stop_times():
    starts = [180, 600, 1020, 180 + 3600]  # the 4th stops an hour after the 1st
    assert check_invariants(short_runs(starts), DEVKIT) == []
    starts[-1] -= 1
    assert numbers(check_invariants(short_runs(starts), DEVKIT)) == [(3839, 2)]


def test_2_a_power_cut_that_ends_a_run_counts():
    log = short_runs([180, 600, 1020]) + cool_start(1440) + cool_stop(1470)
    ticks = [ctx(t, faults=("E7",)) for t in (240, 660, 1080)] + [ctx(1470, state="power off")]
    assert numbers(check_invariants(log, DEVKIT, {}, ticks)) == [(1470, 2)]
    assert "30.0 s at 1440.0 s" in check_invariants(log, DEVKIT, {}, ticks)[0]["message"]


@pytest.mark.parametrize("name", BOARDS)
def test_2_a_melt_run_is_not_a_short_run(name):
    board = BOARDS[name]
    log, ticks = defrost_cycle(board, 1000, 100)  # a 100 s melt, 1030..1130
    log = [w for w in log if w[0] < 1160 * S]  # the room is warm: no heating after it
    ticks = [c for c in ticks if c["ms"] < 1160 * S]
    for t in (1400, 1700, 2000):  # three short heating runs, each stopped by a fault
        log += heat_start(board, t) + heat_stop(board, t + 60)
        ticks.append(hctx(t + 60, faults=("E3",)))
    assert check_invariants(log, board, {}, ticks) == [], "3 short runs and a melt"
    # without context the melt is known by its look: valve in cooling, outdoor air off
    assert numbers(check_invariants(log, board)) == [(1030, 5)]
    log += heat_start(board, 2300) + heat_stop(board, 2360)
    ticks.append(hctx(2360, faults=("E3",)))
    assert numbers(check_invariants(log, board, {}, ticks)) == [(2360, 2)]
    assert numbers(check_invariants(log, board)) == [(1030, 5), (2360, 2)]


@pytest.mark.parametrize("name", BOARDS)
def test_9_a_melt_run_longer_than_defrost_max_plus_30_s(name):
    board = BOARDS[name]
    for melt_s in (600, 630):  # defrost_max_s, and its 30 s of grace
        log, ticks = defrost_cycle(board, 1000, melt_s)
        assert check_invariants(log, board, {}, ticks) == [], melt_s
    log, ticks = defrost_cycle(board, 1000, 631)  # one tick more
    found = check_invariants(log, board, {}, ticks)
    assert numbers(found) == [(1661, 9)]
    assert found[0]["message"] == (
        "defrost melt run from 1030.0 s stopped after 631.0 s (defrost_max 600 s + 30 s)"
    )
    log, ticks = defrost_cycle(board, 1000, 331)
    assert check_invariants(log, board, {"defrost_max_s": 300}, ticks)[0]["invariant"] == 9


def test_9_a_cooling_run_kept_as_the_defrosts_run():
    # issue 12, finding 1: the defrost step ends, its melt run does not (30 min more,
    # outdoor fan off); a checker that only looks at the step's ticks misses it
    log, ticks = defrost_cycle(DEVKIT, 1000, 2400)
    ticks = [c if c["ms"] < 1600 * S else dict(c, defrost=False, state="cooling") for c in ticks]
    found = check_invariants(log, DEVKIT, {}, ticks)
    assert numbers(found)[0] == (3430, 9) and "after 2400.0 s" in found[0]["message"]


@pytest.mark.parametrize("board", [DEVKIT, SHARED, B_VALVE], ids=["devkitc", "relay-x4", "B"])
def test_9_the_compressor_on_like_a_trapped_defrost_from_the_relays_alone(board):
    cool = board.valve == "O"
    for on_s, flagged in ((630, []), (631, [(1661, 9)])):
        log = [(1 * S, "reversing_valve", cool), (1030 * S, "compressor", True)]
        log += [(1030 * S + on_s * S, "compressor", False)]
        expected = [(1030, 5)]  # no air indoors either (no defrost known without context)
        if not board.shared_fan_motor:  # a defrost with defrost_fan "low"
            log.insert(1, (1030 * S, "fan_indoor_low", True))
            expected = []
        found = check_invariants(log, board)
        assert numbers(found) == expected + flagged, on_s
    air = "no fan tap on" if board.shared_fan_motor else "outdoor fan off"
    assert air in found[-1]["message"] and "631.0 s from 1030.0 s" in found[-1]["message"]
    heating = [(1030 * S, "compressor", True), (3000 * S, "compressor", False)]
    heating += [(1 * S, "reversing_valve", not cool)]
    assert 9 not in [n for _t, n in numbers(check_invariants(sorted(heating), board))]


def test_9_the_look_with_context_and_mid_run():
    # a cooling run (not a defrost's) whose outdoor fan stops: 631 s later it is flagged,
    # in the tick bound (the tick that finds 631 s is late; the stop tick itself is not)
    log = [(1 * S, "reversing_valve", True)] + cool_start(180) + [(400 * S, "fan_outdoor", False)]
    ticks = [ctx(t) for t in range(1, 1100)]
    assert check_invariants(log + cool_stop(1030), DEVKIT, {}, ticks) == []
    found = check_invariants(log + cool_stop(1031), DEVKIT, {}, ticks)
    assert numbers(found) == [(1031, 9)]
    assert numbers(check_invariants(log, DEVKIT, {}, ticks)) == [(1099, 9)], "still on"


def test_9_a_defrost_step_longer_than_shift_plus_max_plus_60_s():
    bound = 30 + 600 + 60
    held = [hctx(t, state="defrost", defrost=True) for t in range(1000, 1000 + bound)]
    after = [hctx(t, state="idle") for t in range(1000 + bound, 1000 + bound + 10)]
    assert check_invariants([], DEVKIT, {}, held + after) == []
    held.append(hctx(1000 + bound, state="defrost", defrost=True))
    found = check_invariants([], DEVKIT, {}, held + after[1:])
    assert numbers(found) == [(1000 + bound, 9)]
    assert "defrost step from 1000.0 s still on at 1690.0 s" in found[0]["message"]
    cut = held[:300] + [hctx(1299, state="power off")] + held[300:]
    assert check_invariants([], DEVKIT, {}, cut + after[1:]) == [], "a power cut ends it"
    assert numbers(check_invariants([], DEVKIT, {"valve_shift_s": 31}, held)) == []
