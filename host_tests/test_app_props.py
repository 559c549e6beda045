"""Invariant 7 of DESIGN.md, as properties: "Any way out of the control loop (exception,
Ctrl-C, task crash) leaves every relay OFF; a stalled loop is reset by the hardware
watchdog."

Hypothesis picks where an exception is raised (which HAL call, so which task: control,
watchdog feeder, persistence), when, and of what type; when Ctrl-C comes (between tasks
or inside a HAL call, alone or on top of a crash); and how long the loop or the control
task stalls. The app runs heating against the rig's room in simulated time.
"""

from app_rig import (
    RigHAL,
    VirtualLoop,
    folder,
    make_app,
    relays_at,
    room,
    setup_heating,
)
from heatpump import app as A
from hypothesis import given, settings
from hypothesis import strategies as st

MIN_MS = 60_000
TIMEOUT_MS = 10_000  # the default watchdog_s
FEW = max(20, settings.default.max_examples // 5)  # each example simulates up to an hour

METHODS = st.sampled_from(["read_adc", "set_relay", "ticks_ms", "feed_watchdog"])
EVERY_SECOND = st.sampled_from(["read_adc", "ticks_ms", "feed_watchdog"])  # called each tick
ERRORS = st.sampled_from([RuntimeError("bus"), ValueError("bad"), OSError(5), ZeroDivisionError()])


def heating(tmp_path_factory, said=None):
    hal = RigHAL()
    setup_heating(hal)
    loop = VirtualLoop(hal)
    flash = folder(str(tmp_path_factory.mktemp("flash")) + "/")
    app = make_app(hal, loop, flash, said=said)
    app.hp.set(mode="heat", setpoint=21)
    loop.create_task(room(hal, loop))
    return hal, loop, app


def on_between(hal, start_ms, end_ms):
    """Relays switched on in (start_ms, end_ms)."""
    return [e for e in hal.relay_log if start_ms < e[0] < end_ms and e[2]]


@settings(max_examples=FEW)
@given(method=METHODS, at_ms=st.integers(0, 20 * MIN_MS), exc=ERRORS)
def test_a_crash_anywhere_turns_every_relay_off_then_control_resumes(
    tmp_path_factory, method, at_ms, exc
):
    hal, loop, app = heating(tmp_path_factory)
    hal.arm(method, at_ms, exc)
    end_ms = at_ms + 10 * MIN_MS
    loop.run(app.main(), until_ms=end_ms)
    if not hal.raised:  # set_relay: no relay changed after at_ms
        assert method == "set_relay" and app.hp.faults() == []
        return
    assert len(hal.raised) == 1, "the armed call came once"
    tc = hal.raised[0][0]
    # At the crash every relay went OFF, nothing came on during the restart pause.
    assert not any(relays_at(hal, tc).values())
    assert on_between(hal, tc, tc + 2000) == []
    # The compressor keeps its min off (180 s) across the restart.
    comp_stops = [e[0] for e in hal.relay_log if e[1] == "compressor" and not e[2] and e[0] <= tc]
    if comp_stops:
        starts = [e[0] for e in hal.relay_log if e[1] == "compressor" and e[2] and e[0] > tc]
        assert all(t >= comp_stops[-1] + 180_000 for t in starts)
    # The fault is logged, the app restarted, control ticks again, and the watchdog
    # was fed throughout.
    assert [f["code"] for f in app.hp.faults()] == ["A1"]
    assert "restarted" in [text for _t, text in app.events]
    assert app.ctl.uptime_s >= (end_ms - 2000) // 1000 - 1
    assert hal.max_since_feed_ms <= 3000 and hal.resets == 0 and app.stopped is None


@settings(max_examples=FEW)
@given(
    at_ms=st.integers(0, 20 * MIN_MS),
    inside=st.one_of(st.none(), EVERY_SECOND),
    crash=st.one_of(st.none(), st.tuples(METHODS, st.integers(0, 20 * MIN_MS))),
)
def test_ctrl_c_at_any_moment_leaves_every_relay_off_and_says_so(
    tmp_path_factory, at_ms, inside, crash
):
    said = []
    hal, loop, app = heating(tmp_path_factory, said)
    if crash is not None:
        hal.arm(crash[0], crash[1], RuntimeError("crash"))
    if inside is None:
        loop.interrupt_at_ms = at_ms  # between two task steps
    else:
        hal.arm(inside, at_ms, KeyboardInterrupt())  # in the middle of one
    loop.limit_ms = at_ms + 30 * MIN_MS
    app.run()  # returns: Ctrl-C is handled, not raised
    end_ms = hal.elapsed_ms
    assert end_ms < loop.limit_ms, "Ctrl-C stopped the run"
    assert not any(hal.relay(name) for name in hal.board.relay_names)
    assert not any(relays_at(hal, end_ms).values())
    assert app.stopped == "Ctrl-C"
    assert "app: stopped (Ctrl-C): every relay is OFF." in said
    assert loop.resets == 1


@settings(max_examples=FEW)
@given(at_ms=st.integers(10_000, 20 * MIN_MS), stall_ms=st.integers(0, 3 * TIMEOUT_MS))
def test_a_blocked_loop_stops_feeding_and_the_watchdog_fires(tmp_path_factory, at_ms, stall_ms):
    # A task that does not yield (a long REPL command, a stuck driver) blocks every other.
    hal, loop, app = heating(tmp_path_factory)

    async def blocker():
        await loop.sleep_ms(at_ms)
        hal.advance(stall_ms)

    loop.create_task(blocker())
    loop.run(app.main(), until_ms=at_ms + stall_ms + 5000)
    if stall_ms > TIMEOUT_MS:
        assert hal.max_since_feed_ms > TIMEOUT_MS
    elif stall_ms + 2 * 1000 <= TIMEOUT_MS:
        # The feeder last ran at most 1 s before; after the stall it may refuse once
        # (the tick is late) and feeds a second later: 8 s of stall are allowed for.
        assert hal.max_since_feed_ms <= TIMEOUT_MS


@settings(max_examples=FEW)
@given(at_ms=st.integers(10_000, 20 * MIN_MS))
def test_a_stuck_control_task_stops_the_feeding_while_the_rest_runs(tmp_path_factory, at_ms):
    hal, loop, app = heating(tmp_path_factory)
    real = app._control

    async def control(gen):
        # The real control task, driven until at_ms, then never resumed: it hangs.
        task = real(gen)
        while hal.elapsed_ms < at_ms:
            await task.send(None)
        await loop.sleep_ms(24 * 3_600_000)

    app._control = control
    main = loop.create_task(app.main())
    loop.run_until(at_ms + A._TICK_LATE_MS - 1000, main)
    assert hal.max_since_feed_ms <= 1000  # fed every second while the tick was alive
    loop.run_until(at_ms + A._TICK_LATE_MS + A._FEED_MS + TIMEOUT_MS + 1, main)
    assert hal.watchdog_expired  # the hardware resets the board
