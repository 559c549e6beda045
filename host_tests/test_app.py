"""The app layer on CPython: tasks, crashes and restarts, Ctrl-C / Ctrl-D, the watchdog,
persistence, hp.log(), and the board entry point.

Most tests run the app in simulated time with the rig's VirtualLoop (the same code runs
under MicroPython: test_app_upy.py). One runs it under CPython's real asyncio, on an
event loop whose clock is the SimHAL's, and must give the same relay log.
"""

import asyncio
import json
import os
import selectors
import sys
import types

import app_scenarios as scn
import pytest
from app_rig import (
    HOUR_MS,
    RigHAL,
    VirtualLoop,
    all_off,
    folder,
    make_app,
    relays_at,
    room,
    setup_heating,
)
from heatpump import app as A
from heatpump import app_boot as AB
from upyvm import REPO

MIN_MS = 60_000


def flash_dir(tmp_path, name="flash"):
    return folder(str(tmp_path / name) + "/")


def crash_times(r):
    return [t for t, _method, _text in r["raised"]]


def changes(r, relay, on):
    return [t for t, name, state in r["relay_log"] if name == relay and state == on]


# ---- a crash, a restart, control resumes ----------------------------------------------


@pytest.fixture(scope="module")
def hour(tmp_path_factory):
    return scn.hour_with_crash(folder(str(tmp_path_factory.mktemp("hour")) + "/"))


def test_a_crash_turns_every_relay_off_records_a1_and_control_resumes(hour):
    (tc,) = crash_times(hour)
    assert tc == 30 * MIN_MS  # the first control tick at 30 min raised
    on_before = [t for t in changes(hour, "compressor", True) if t < tc]
    assert on_before, "the compressor was heating before the crash"
    hal = RigHAL()
    hal.relay_log = [tuple(e) for e in hour["relay_log"]]
    assert relays_at(hal, tc - 1)["compressor"] is True
    assert not any(relays_at(hal, tc).values()), "every relay OFF at the crash"
    # The fault log and hp.log() say what happened.
    assert [1800, "A1"] in hour["faults"]
    texts = [text for _t, text in hour["events"]]
    crash = "crash in the control task: RuntimeError: ADC read failed; every relay OFF, "
    assert texts.index("restarted") == texts.index(crash + "restart in 2 s") + 1
    assert "app: crash in the control task: RuntimeError: ADC read failed" in hour["said"]
    # Control resumed: the compressor heats again, but only after min_off (180 s) from
    # the crash stop, and the run ends when the room is warm.
    after = [t for t in changes(hour, "compressor", True) if t > tc]
    assert after and after[0] >= tc + 180_000
    assert changes(hour, "compressor", False)[-1] > after[0]
    assert hour["uptime_s"] == 3600 and hour["starts"] == 2
    # The watchdog was fed all along (the restart pause included).
    assert hour["timeout_ms"] == 10_000 and hour["max_unfed_ms"] <= 3000
    assert hour["fed"] >= 3590 and hour["resets"] == 0


def test_settings_and_counters_are_on_flash_after_the_hour(hour):
    settings = json.loads(hour["settings_file"])["values"]["settings"]
    assert settings == {"mode": "heat", "setpoint_dC": 210, "fan": "auto", "speed": "high"}
    counters = json.loads(hour["counters_file"])["values"]
    assert counters["crashes"] == 1 and counters["fault_counts"] == {"A1": 1}
    assert counters["last_crash"] == "control task: RuntimeError: ADC read failed"


class _SimSelector(selectors.SelectSelector):
    """A selector whose waiting moves the SimHAL's clock instead of the wall clock."""

    def __init__(self, hal):
        super().__init__()
        self.hal = hal

    def select(self, timeout=None):
        if timeout is None:
            raise RuntimeError("the app waits with no timer running: it would hang")
        ms = round(timeout * 1000)
        if ms > 0:
            self.hal.advance(ms)
        return super().select(0)


class SimEventLoop(asyncio.SelectorEventLoop):
    """CPython's asyncio, unchanged, on the SimHAL's clock (ms resolution)."""

    def __init__(self, hal):
        super().__init__(_SimSelector(hal))
        self._hal = hal
        self._clock_resolution = 0.0005

    def time(self):
        return self._hal.elapsed_ms / 1000


def run_under_asyncio(hal, coro, seconds):
    loop = SimEventLoop(hal)
    try:
        main = loop.create_task(coro)
        loop.run_until_complete(asyncio.wait([main], timeout=seconds))
        rest = asyncio.all_tasks(loop)
        for t in rest:
            t.cancel()
        loop.run_until_complete(asyncio.gather(*rest, return_exceptions=True))
    finally:
        loop.close()


def test_the_same_hour_under_cpython_asyncio_gives_the_same_relays(tmp_path, hour):
    hal = RigHAL()
    setup_heating(hal)
    clock = A.AsyncioClock()
    said = []
    app = make_app(hal, clock, flash_dir(tmp_path), said=said)
    app.hp.set(mode="heat", setpoint=21)
    hal.arm("read_adc", 30 * MIN_MS, RuntimeError("ADC read failed"))

    async def both():
        asyncio.get_running_loop().create_task(room(hal, clock))
        await app.main()

    run_under_asyncio(hal, both(), HOUR_MS / 1000)
    assert hal.elapsed_ms == HOUR_MS
    assert [list(e) for e in hal.relay_log] == [list(e) for e in hour["relay_log"]]
    assert [[f["time_s"], f["code"]] for f in app.hp.faults()] == hour["faults"]
    assert [list(e) for e in app.events] == [list(e) for e in hour["events"]]
    assert hal.max_since_feed_ms <= 3000 and hal.resets == 0


# ---- repeated crashes -------------------------------------------------------------------


def test_three_crashes_within_10_min_reset_the_board(tmp_path):
    r = scn.crash_loop(flash_dir(tmp_path))
    assert crash_times(r) == [20 * MIN_MS, 20 * MIN_MS + 2000, 20 * MIN_MS + 4000]
    assert r["resets"] == 1 and r["all_off"]
    assert r["stopped"] == "3 crashes within 10 min: resetting the board"
    # Nothing switched on after the first crash; the counters were saved for the reset.
    assert [e for e in r["relay_log"] if e[0] >= 20 * MIN_MS and e[2]] == []
    assert json.loads(r["counters_file"])["values"]["crashes"] == 3
    assert (
        "app: stopped (3 crashes within 10 min: resetting the board): every relay is OFF."
        in (r["said"])
    )
    assert not any("watchdog resets" in s for s in r["said"])  # the app resets it now


def test_crashes_spread_over_more_than_10_min_restart_without_a_reset(tmp_path):
    hal = RigHAL()
    setup_heating(hal)
    loop = VirtualLoop(hal)
    app = make_app(hal, loop, flash_dir(tmp_path))
    app.hp.set(mode="heat", setpoint=21)
    loop.create_task(room(hal, loop))
    hal.arm("read_adc", 5 * MIN_MS, RuntimeError("one"))
    hal.arm("ticks_ms", 10 * MIN_MS, RuntimeError("two"))
    hal.arm("feed_watchdog", 16 * MIN_MS, RuntimeError("three"))
    main = loop.create_task(app.main())
    loop.run_until(17 * MIN_MS, main)
    assert len(hal.raised) == 3 and hal.resets == 0  # 5 and 16 min are 11 min apart
    assert [code for _t, code, _d in app.ctl.protect.log.entries()] == ["A1"] * 3
    assert app.crash_rule.last_crash == "watchdog task: RuntimeError: three"
    hal.arm("read_adc", 18 * MIN_MS, RuntimeError("four"))
    loop.run_until(19 * MIN_MS, main)
    assert hal.resets == 1 and all_off(hal)  # 10, 16 and 18 min: three within 10 min


# ---- Ctrl-C, Ctrl-D and the REPL ---------------------------------------------------------


def test_ctrl_c_leaves_every_relay_off_and_says_so(tmp_path):
    r = scn.ctrl_c(flash_dir(tmp_path))
    assert r["end_ms"] == 25 * MIN_MS + 500  # the first task to run after the key press
    assert changes(r, "compressor", False)[-1] == r["end_ms"] and r["all_off"]
    assert r["said"][0] == "app: stopped (Ctrl-C): every relay is OFF."
    assert r["said"][1].startswith("app: the watchdog resets the board within 10 s")
    assert r["loop_resets"] == 1  # MicroPython: asyncio's leftover tasks dropped


def test_the_repl_runs_beside_control_and_ctrl_d_stops_the_app(tmp_path):
    r = scn.ctrl_d(flash_dir(tmp_path))
    assert r["repl_saw"] == "heating"  # hp.status() at 10 min, the unit running
    assert r["setpoint_dC"] == 230  # hp.set(setpoint=23) took effect
    assert r["end_ms"] == 20 * MIN_MS and r["all_off"]
    assert r["stopped"] == "Ctrl-D at the REPL"
    assert r["said"][0] == "app: stopped (Ctrl-D at the REPL): every relay is OFF."
    assert changes(r, "compressor", True) == [205_000]  # it heated the whole time


def test_a_failing_repl_is_logged_and_the_unit_keeps_running(tmp_path):
    hal = RigHAL()
    loop = VirtualLoop(hal)

    async def broken_repl(g):
        await loop.sleep_ms(1000)
        raise OSError("stdin gone")

    said = []
    app = make_app(hal, loop, None, repl=broken_repl, said=said)
    loop.run(app.main(), until_ms=10 * MIN_MS)
    assert app.stopped is None and app.ctl.uptime_s == 600
    assert "app: the REPL stopped (OSError: stdin gone); the unit keeps running" in said


def test_find_repl_explains_how_to_install_aiorepl(monkeypatch):
    said = []
    monkeypatch.setitem(sys.modules, "aiorepl", None)  # import fails
    assert AB.find_repl(said.append) is None
    assert said == [AB.AIOREPL_HINT]
    assert "mpremote mip install aiorepl" in AB.AIOREPL_HINT
    fake = types.ModuleType("aiorepl")
    fake.task = lambda g: None  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "aiorepl", fake)
    assert AB.find_repl(said.append) is fake.task


# ---- the watchdog and the reset cause ----------------------------------------------------


def test_a_watchdog_reset_is_a_fault_worth_seeing():
    hal = RigHAL()
    hal.cause = "watchdog"
    said = []
    app = make_app(hal, VirtualLoop(hal), None, said=said)
    assert app.hp.faults()[0]["code"] == "A2"
    log = app.hp.log().text
    assert "started after a watchdog reset" in log
    assert log.endswith("reset by the watchdog counted towards the reset lockout")
    assert said == ["app: the last reset was by the watchdog (the loop stalled): fault A2"]
    other = make_app(RigHAL(), None, None)
    assert other.hp.faults() == [] and other.events[0][1] == "started after a power on reset"


def test_the_watchdog_timeout_comes_from_config_and_is_at_least_8_s(tmp_path):
    hal = RigHAL()
    loop = VirtualLoop(hal)
    app = make_app(hal, loop, flash_dir(tmp_path))
    with pytest.raises(ValueError, match="watchdog_s=5 is out of range: allowed 8..120 s"):
        app.hp.config(watchdog_s=5)
    app.hp.config(watchdog_s=20)
    loop.run(app.main(), until_ms=1000)
    assert hal.watchdog_timeout_ms == 20_000


# ---- persistence -------------------------------------------------------------------------


def counting(store, times, hal):
    real = store.save

    def save(values):
        times.append(hal.elapsed_ms)
        return real(values)

    store.save = save


def test_settings_and_config_are_saved_when_changed_and_only_then(tmp_path):
    flash = flash_dir(tmp_path)
    hal = RigHAL()
    loop = VirtualLoop(hal)
    app = make_app(hal, loop, flash)
    saves = []
    counting(app.keeper.store, saves, hal)
    main = loop.create_task(app.main())
    loop.run_until(10 * MIN_MS, main)
    assert saves == [] and not os.path.exists(flash + "settings.json")  # defaults: no write
    app.hp.set(mode="cool", setpoint=24.5)
    loop.run_until(20 * MIN_MS, main)
    assert saves == [10 * MIN_MS + 5000]  # within 5 s of the change, once
    app.hp.config(min_off_s=240)
    loop.run_until(30 * MIN_MS, main)
    assert saves == [10 * MIN_MS + 5000, 20 * MIN_MS + 5000]
    with open(flash + "settings.json") as f:
        values = json.load(f)["values"]
    assert values["settings"]["mode"] == "cool" and values["settings"]["setpoint_dC"] == 245
    assert values["config"]["min_off_s"] == 240
    assert app.hp.log().text.count("settings saved") == 2


def test_counters_are_written_at_most_every_10_min_and_only_when_changed(tmp_path):
    flash = flash_dir(tmp_path)
    hal = RigHAL()
    setup_heating(hal)
    loop = VirtualLoop(hal)
    app = make_app(hal, loop, flash)
    app.hp.set(mode="heat", setpoint=21)
    loop.create_task(room(hal, loop))
    writes = []
    counting(app.keeper.counters, writes, hal)
    loop.run(app.main(), until_ms=2 * HOUR_MS)
    assert len(writes) >= 3
    assert all(b - a >= 10 * MIN_MS for a, b in zip(writes, writes[1:], strict=False))
    # Off for two hours: after the first file is there, nothing changes, nothing is written.
    hal2 = RigHAL()
    loop2 = VirtualLoop(hal2)
    app2 = make_app(hal2, loop2, flash)
    app2.hp.set(mode="off")
    idle = []
    counting(app2.keeper.counters, idle, hal2)
    loop2.run(app2.main(), until_ms=2 * HOUR_MS)
    assert idle == []


class PowerCut(BaseException):
    """The board's supply gone: nothing after it runs, not even a finally's flash write."""


class BrownoutHAL(RigHAL):
    """The contactor's inrush browns the board out as the compressor relay closes."""

    def set_relay(self, name, on):
        RigHAL.set_relay(self, name, on)
        if name == "compressor" and on:
            raise PowerCut()


def test_a_brownout_as_the_compressor_starts_leaves_the_start_on_flash(tmp_path):
    # The history reached flash only after the tick that closed the relay: boot after
    # boot each start was forgotten, 12 starts in 38 min, no E9. Now each start is on
    # flash first and the reset counts the cut run as an early stop.
    flash = flash_dir(tmp_path)
    starts_at = []  # when each start came, in the unit's time summed over its boots
    unit_ms = 0  # no time passes without power: the worst case, as tally.restore says
    for boot in range(8):
        hal = BrownoutHAL()
        setup_heating(hal)
        loop = VirtualLoop(hal)
        app = make_app(hal, loop, flash)
        if boot == 0:
            app.hp.set(mode="heat", setpoint=21)
        with pytest.raises(PowerCut):
            loop.run(app.main(), until_ms=2 * HOUR_MS)
        starts_at.append(unit_ms + hal.elapsed_ms)
        unit_ms += hal.elapsed_ms
        with open(flash + "history.json") as f:
            hist = json.load(f)["values"]
        assert hist["running"] is True and 0 in hist["starts_s"], hist
    cfg = app.ctl.cfg
    # E9 locks the compressor out for an hour after max_early_stops cut runs, so no
    # hour holds more starts than that, far fewer than max_starts_per_hour.
    for t in starts_at:
        in_hour = [u for u in starts_at if t <= u < t + HOUR_MS]
        assert len(in_hour) <= cfg["max_early_stops"], starts_at
    assert len(in_hour) <= cfg["max_starts_per_hour"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text.replace("true", "tru"),  # the running value itself
        lambda text: text[: text.index('"running"')],  # cut before it
        lambda text: "\x00" * len(text),  # nothing readable
    ],
)
def test_a_damaged_history_counts_the_run_the_reset_may_have_cut_as_an_early_stop(
    tmp_path, damage
):
    flash = flash_dir(tmp_path)
    hal = BrownoutHAL()
    setup_heating(hal)
    loop = VirtualLoop(hal)
    app = make_app(hal, loop, flash)
    app.hp.set(mode="heat", setpoint=21)
    with pytest.raises(PowerCut):  # the history says running: true
        loop.run(app.main(), until_ms=HOUR_MS)
    with open(flash + "history.json") as f:
        text = f.read()
    assert '"running": true' in text, text
    with open(flash + "history.json", "w") as f:
        f.write(damage(text))
    again = make_app(RigHAL(), None, flash)
    assert again.ctl.seq.tally.early_stops_in_hour() == 1
    assert "C1" in [f["code"] for f in again.hp.faults()]


def test_a_new_start_takes_the_saved_settings_and_counters(tmp_path):
    flash = flash_dir(tmp_path)
    hal = RigHAL()
    setup_heating(hal)
    loop = VirtualLoop(hal)
    app = make_app(hal, loop, flash)
    app.hp.set(mode="heat", setpoint=21, speed="low")
    loop.create_task(room(hal, loop))
    loop.run(app.main(), until_ms=30 * MIN_MS)
    app.stop("test")  # an orderly stop saves the counters now
    run_s = app.ctl.seq.tally.run_s
    assert run_s > 0
    again = make_app(RigHAL(), None, flash)
    assert again.ctl.settings() == {
        "mode": "heat",
        "setpoint_dC": 210,
        "fan": "auto",
        "speed": "low",
    }
    assert again.ctl.seq.tally.starts == 1 and again.ctl.seq.tally.run_s == run_s


def test_a_corrupt_settings_file_boots_with_defaults_raises_c1_and_is_kept(tmp_path):
    flash = flash_dir(tmp_path)
    with open(flash + "settings.json", "w") as f:
        f.write('{"schema": 1, "values": {"settings": {"mode": "he')
    said = []
    app = make_app(RigHAL(), None, flash, said=said)
    assert app.ctl.mode == "off" and app.ctl.cfg["min_off_s"] == 180
    assert app.hp.faults()[0]["code"] == "C1"
    assert os.path.exists(flash + "settings.bad.json")
    assert any("not valid JSON" in s and "kept as" in s for s in said)
    assert "flash:" in app.hp.log().text


@pytest.mark.parametrize(
    "text, said",
    [
        ("garbage", "counters.json: not valid JSON"),
        ('{"schema": 1, "values": {"starts": "1234", "run_s": 98765}}', "starts='1234'"),
        ('{"schema": 1, "values": {"starts": 7, "fault_counts": [1]}}', "fault_counts=[1]"),
    ],
)
def test_a_damaged_or_refused_counter_raises_c1_and_is_named(tmp_path, text, said):
    flash = flash_dir(tmp_path)
    with open(flash + "counters.json", "w") as f:
        f.write(text)
    app = make_app(RigHAL(), None, flash)
    assert "C1" in [f["code"] for f in app.hp.faults()]
    shown = " ".join(app.hp.log().text.split())  # as a person reads it, not as it wraps
    assert said in shown, shown
    good = json.loads(text) if text.startswith("{") else {"values": {}}
    assert app.ctl.seq.tally.run_s == good["values"].get("run_s", 0)  # the rest is kept


def test_a_folder_left_where_a_temp_file_goes_does_not_block_the_saves(tmp_path):
    flash = flash_dir(tmp_path)
    os.mkdir(flash + "history.json.tmp")
    hal = RigHAL()
    setup_heating(hal)
    loop = VirtualLoop(hal)
    app = make_app(hal, loop, flash)
    app.hp.set(mode="heat", setpoint=21)
    loop.run(app.main(), until_ms=10 * MIN_MS)
    with open(flash + "history.json") as f:
        assert json.load(f)["values"]["starts_s"], "the start is on flash"


def test_a_stored_speed_this_board_lacks_is_refused_by_name(tmp_path):
    flash = flash_dir(tmp_path)
    with open(flash + "settings.json", "w") as f:
        json.dump({"schema": 1, "values": {"settings": {"mode": "fan", "speed": "medium"}}}, f)
    app = make_app(RigHAL("esp32-relay-x4"), None, flash)
    assert app.ctl.mode == "fan" and app.ctl.speed == "high"
    events = [e["text"] for e in app.hp.log()]
    assert "stored setting refused: speed='medium' is not allowed: allowed low, high" in events


def test_a_long_value_on_flash_is_logged_by_name_not_held_whole(tmp_path):
    # A refusal once logged the value whole: 5,000 characters held in hp.log()'s heap.
    flash = flash_dir(tmp_path)
    long = "x" * 5000
    values = {"settings": {"mode": long}, "config": {"min_off_s": long, long: 1}}
    with open(flash + "settings.json", "w") as f:
        json.dump({"schema": 1, "values": values}, f)
    app = make_app(RigHAL(), None, flash)
    assert app.ctl.mode == "off" and app.ctl.cfg["min_off_s"] == 180  # the default
    events = [e["text"] for e in app.hp.log()]
    assert all(len(text) <= 240 for text in events), max(events, key=len)
    assert any("mode='xxxx" in text and "..." in text for text in events), events
    assert any("min_off_s='xxxx" in text and "..." in text for text in events), events
    assert any("unknown config key 'xxxx" in text and "allowed units" in text for text in events)


# ---- hp.log() ------------------------------------------------------------------------------


def test_hp_log_shows_the_last_events_and_refuses_a_bad_count(capsys):
    app = make_app(RigHAL(), None, None)
    for i in range(40):
        app.event(f"event {i}")
    log = app.hp.log(3)
    assert [e["text"] for e in log] == ["event 37", "event 38", "event 39"]
    assert repr(log).splitlines()[-1].endswith("event 39")
    assert len(app.hp.log(30)) == 30
    for bad in (0, 31, "5", True):
        with pytest.raises(ValueError, match="allowed 1..30"):
            app.hp.log(bad)
    app.hp.help()
    assert "hp.log()" in capsys.readouterr().out


# ---- the board's entry point -----------------------------------------------------------------


class _Pin:
    IN, OUT, PULL_UP, PULL_DOWN = 1, 3, 2, 4
    levels = {}

    def __init__(self, pin, mode=-1, pull=-1, *, value=None):
        self.pin = pin
        if value is not None:
            _Pin.levels[pin] = value

    def value(self, v=None):
        if v is None:
            return _Pin.levels.get(self.pin, 1)
        _Pin.levels[self.pin] = v


class _ADC:
    ATTN_11DB = 3

    def __init__(self, pin, atten=None):
        pass

    def read_uv(self):
        return 1_200_000


class _WDT:
    made = []

    def __init__(self, id=0, timeout=5000):
        _WDT.made.append(timeout)

    def feed(self):
        pass


@pytest.fixture
def fake_board(monkeypatch, tmp_path):
    machine = types.ModuleType("machine")
    machine.Pin, machine.ADC, machine.WDT = _Pin, _ADC, _WDT  # type: ignore[attr-defined]
    machine.PWRON_RESET, machine.WDT_RESET = 1, 3  # type: ignore[attr-defined]
    machine.reset_cause = lambda: machine.cause  # type: ignore[attr-defined]
    machine.cause = 3  # type: ignore[attr-defined]
    machine.resets = []  # type: ignore[attr-defined]
    machine.reset = lambda: machine.resets.append("reset")  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "machine", machine)
    monkeypatch.delitem(sys.modules, "heatpump.hal.esp32", raising=False)
    _Pin.levels.clear()
    _WDT.made.clear()
    yield machine
    sys.modules.pop("heatpump.hal.esp32", None)  # bound to the fake machine


def test_run_on_the_board_builds_everything_and_ctrl_c_ends_with_relays_off(
    fake_board, monkeypatch, capsys, tmp_path
):
    board_file = os.path.join(REPO, "boards", "esp32-devkitc.json")

    async def repl(g):
        assert g["hp"].status()["mode"] == "off"
        raise KeyboardInterrupt  # Ctrl-C while the REPL runs a command

    aiorepl = types.ModuleType("aiorepl")
    aiorepl.task = repl  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "aiorepl", aiorepl)
    A.run(board_file, str(tmp_path) + "/")
    out = capsys.readouterr().out
    assert _WDT.made == [10_000]
    assert "app: the last reset was by the watchdog (the loop stalled): fault A2" in out
    assert "app: stopped (Ctrl-C): every relay is OFF." in out
    # Every relay pin of the active-low board is high (OFF).
    from heatpump.board import load_board

    board = load_board(board_file)
    assert {_Pin.levels[pin] for pin, _low in board.relays.values()} == {1}


def test_the_esp32_hal_names_the_reset_cause_and_resets_through_machine(fake_board):
    from heatpump.board import load_board
    from heatpump.hal.esp32 import Esp32HAL

    hal = Esp32HAL(load_board("esp32-devkitc"))
    assert hal.reset_cause() == "watchdog"
    fake_board.cause = 1
    assert hal.reset_cause() == "power on"
    fake_board.cause = 9
    assert hal.reset_cause() == "unknown (9)"
    hal.reset()
    assert fake_board.resets == ["reset"]


def test_run_without_a_usable_board_file_says_so(tmp_path, capsys):
    A.run(str(tmp_path / "board.json"), str(tmp_path) + "/")
    out = capsys.readouterr().out
    assert out.startswith("app: cannot start, the board file is not usable:")


# ---- the commissioning self-test's output --------------------------------------------------


def test_self_test_progress_prints_as_it_goes_and_its_report_goes_to_flash(tmp_path):
    from heatpump import selftest as ST

    flash = flash_dir(tmp_path)
    hal = RigHAL()
    setup_heating(hal)
    loop = VirtualLoop(hal)
    said = []
    app = make_app(hal, loop, flash, said=said)
    loop.create_task(room(hal, loop))
    app.ctl.selftest = ST.SelfTest(flash + "selftest.json")
    assert app.hp.selftest(modes="heat")["started"]
    st = app.ctl.selftest
    loop.run(app.main(), until_ms=30 * MIN_MS)
    assert st.report is not None and not st.active, "the self-test finished"
    assert app.ctl.selftest is None, "finished, saved and printed: let go (its heap back)"
    ring = st.lines()  # the last lines the self-test kept: the console saw them all
    assert said[0].startswith("self-test started (heating only)")
    assert said[-len(ring) :] == ring and len(said) > len(ring)
    with open(flash + "selftest.json") as f:
        assert json.load(f)["values"]["result"] == st.report["result"]
