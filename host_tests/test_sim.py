"""The simulator's runner: its outputs (a stable format), the command line, events,
power cuts through the firmware's flash, and the reference controller plugged in."""

import csv
import json

import pytest
from heatpump.controller import Controller

from tools import sim
from tools.sim import engine, scenario
from tools.sim.invariants import tick_context
from tools.sim.reference import StandardThermostat

REFERENCE = StandardThermostat
METRIC_KEYS = (
    "comfort_pct",
    "degree_hours_outside",
    "compressor_starts",
    "max_starts_in_any_hour",
    "compressor_runtime_h",
    "energy_kwh",
    "heat_delivered_kwh",
    "cool_delivered_kwh",
    "defrosts",
    "defrost_minutes",
    "faults",
    "invariant_violations",
)


def make(duration_h=0.5, events=(), settings=None, config=None, **kw):
    sc = {
        "name": "t",
        "description": "a test",
        "duration_h": duration_h,
        "start": {"room_c": 26.0, "hour": 12},
        "weather": {"kind": "daily", "t_min_c": 24, "t_max_c": 32, "rh": 50},
        "settings": settings or {"mode": "cool", "setpoint": 23},
        "config": config or {"boot_delay_s": 0},
        "events": list(events),
    }
    sc.update(kw)
    return scenario.validate(sc)


def test_outputs_have_the_documented_columns_keys_and_rows(tmp_path):
    sc = make(duration_h=0.5, events=[{"at_min": 20, "fault": {"sensor": "room", "kind": "open"}}])
    result, run, rows = sim.run_scenario(sc, tmp_path, every=60, progress=False, keep_rows=True)
    with open(tmp_path / "trace.csv") as f:
        table = list(csv.reader(f))
    assert tuple(table[0]) == sim.TRACE_COLUMNS
    assert len(table) - 1 == len(rows) == 30  # 1800 ticks, every 60th
    first = dict(zip(table[0], table[1], strict=True))
    assert float(first["t_s"]) == 1.0 and first["mode"] == "cool"
    assert float(first["setpoint_c"]) == 23.0
    # The file holds the same numbers as the rows (rounded).
    for line, row in zip(table[1:], rows, strict=True):
        assert abs(float(line[1]) - row[1]) < 1e-3
        assert line[14] == row[14]
    last = dict(zip(table[0], table[-1], strict=True))
    assert last["faults"] == "S1" and last["compressor"] == "0"
    with open(tmp_path / "relays.json") as f:
        relays = json.load(f)
    assert relays == [[ms, name, on] for ms, name, on in run.hal.relay_log]
    assert ["compressor", True] in [r[1:] for r in relays]
    with open(tmp_path / "metrics.json") as f:
        metrics = json.load(f)
    for key in METRIC_KEYS:
        assert key in metrics
        assert metrics[key] == result[key]
    assert metrics["scenario"] == "t" and metrics["faults"] == ["S1"]
    with open(tmp_path / "plot.png", "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_trace_is_every_tick_by_default_and_the_results_do_not_depend_on_every(tmp_path):
    sc = make(duration_h=0.25)
    full, _run, rows = sim.run_scenario(sc, tmp_path / "a", progress=False, keep_rows=True)
    thin, _run, _rows = sim.run_scenario(sc, tmp_path / "b", every=100, progress=False)
    assert len(rows) == 900 and [r[0] for r in rows[:3]] == [1.0, 2.0, 3.0]
    assert full == thin
    assert (tmp_path / "a" / "relays.json").read_text() == (
        tmp_path / "b" / "relays.json"
    ).read_text()


def test_list_shows_the_bundled_scenarios(capsys):
    assert sim.main(["list"]) == 0
    out = capsys.readouterr().out
    for name in ("summer-hot", "shoulder-auto", "winter-humid", "winter-dry-cold"):
        assert name in out
    for name in ("sensor-failure", "power-outage", "blocked-drain"):
        assert name in out
    assert "Hot summer day" in out


def test_run_command_writes_the_four_outputs_and_reports(tmp_path, capsys):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"name": "cli", "duration_h": 0.1, **_weather()}))
    assert sim.main(["run", str(path), "--out", str(tmp_path / "o"), "--every", "10"]) == 0
    out = capsys.readouterr().out
    assert "cli: 0.1 h simulated in" in out and "invariant_violations" in out
    for name in ("trace.csv", "relays.json", "metrics.json", "plot.png"):
        assert (tmp_path / "o" / name).stat().st_size > 0


def _weather():
    return {"weather": {"kind": "daily", "t_min_c": 20, "t_max_c": 25, "rh": 50}}


def test_run_command_refuses_bad_input_and_writes_nothing(tmp_path, capsys):
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"name": "x", "duration_h": 1, **_weather(), "config": {"x": 1}}))
    out = tmp_path / "o"
    assert sim.main(["run", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "s.json.config: unknown config key 'x': allowed units, min_off_s" in err
    assert not out.exists()
    assert sim.main(["run", "no-such-scenario"]) == 2
    assert "bundled scenarios: abuse-week, blocked-drain" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        sim.main(["run", str(path), "--every", "0"])
    assert "--every must be 1 or more" in capsys.readouterr().err


def test_set_and_config_events_go_through_the_repl_object():
    sc = make(
        duration_h=0.2,
        events=[
            {"at_min": 5, "set": {"setpoint": 25.5, "fan": "continuous"}},
            {"at_min": 6, "config": {"min_off_s": 240}},
        ],
    )
    _result, run, _rows = sim.run_scenario(sc, progress=False)
    st = run.hp.status()
    assert st["setpoint"] == 25.5 and st["fan"] == "continuous"
    assert run.hp.config()["min_off_s"] == 240
    assert run.config["min_off_s"] == 240
    assert run.check_config["min_off_s"] == 180  # the checker: the loosest in force


def test_settings_and_counters_come_back_from_flash_after_a_power_cut():
    sc = make(
        duration_h=1.0,
        events=[
            {"at_min": 10, "set": {"setpoint": 24}},
            {"at_min": 11, "config": {"min_run_s": 240}},
            {"at_min": 40, "power": "off"},
            {"at_min": 45, "power": "on"},
        ],
    )
    _result, run, _rows = sim.run_scenario(sc, progress=False)
    assert run.hp.status()["setpoint"] == 24.0
    assert run.hp.config()["min_run_s"] == 240
    assert run.hp.status()["uptime_s"] == 15 * 60  # a new boot at 45 min
    # Counters were saved within 10 min of the cut (the app's CounterStore).
    starts_before = sum(
        1 for ms, n, on in run.hal.relay_log if n == "compressor" and on and ms < 40 * 60_000
    )
    assert starts_before >= 1
    assert run.hp.stats()["starts"] >= starts_before - 1
    assert (
        json.loads(run.flash.files["/settings.json"])["values"]["settings"]["setpoint_dC"] == 240
    )


def test_a_setting_made_just_before_the_cut_is_lost_as_on_the_board():
    # The app compares settings with flash every 5 s (at 720 s, 725 s ... here): a change
    # at 721 s, cut at 723 s, never reached the flash.
    sc = make(
        duration_h=0.3,
        events=[
            {"at_min": 10, "set": {"setpoint": 24}},
            {"at_min": 12 + 1 / 60, "set": {"setpoint": 25}},
            {"at_min": 12 + 3 / 60, "power": "off"},
            {"at_min": 13, "power": "on"},
        ],
    )
    _result, run, _rows = sim.run_scenario(sc, progress=False)
    assert run.hp.status()["setpoint"] == 24.0


def test_events_during_a_power_cut_are_noted_not_applied():
    sc = make(
        duration_h=0.2,
        events=[
            {"at_min": 2, "power": "off"},
            {"at_min": 3, "set": {"setpoint": 28}},
            {"at_min": 4, "power": "on"},
        ],
    )
    _result, run, _rows = sim.run_scenario(sc, progress=False)
    assert run.hp.status()["setpoint"] == 23.0
    assert any(
        "at 3 min: set {'setpoint': 28} ignored: the unit has no power" in n for n in run.notes
    )


def test_recorded_tick_context_is_what_the_invariant_checker_expects():
    recorded = []
    holder = {}

    class Recording(Controller):
        def tick(self):
            super().tick()
            recorded.append(tick_context(self, self.hal, holder["run"].broken))

    def factory(hal, config, settings):
        return Recording(hal, config=config, settings=settings)

    sc = make(
        duration_h=0.3,
        events=[
            {"at_min": 4, "fault": {"sensor": "indoor_coil", "kind": "short"}},
            {"at_min": 6, "fault": {"sensor": "indoor_coil", "kind": None}},
            {"at_min": 10, "power": "off"},
            {"at_min": 11, "power": "on"},
        ],
    )
    run = sim.Run(sc, factory)
    holder["run"] = run
    for _ in range(18 * 60):
        for ev in run.due_events():
            run.apply(ev)
        run.step()
        mode, state, defrost, faults, _sp = run.observe()
        if run.powered:
            run.ticks.add(run.hal.elapsed_ms, (mode, state, defrost, faults, run._broken_key))
    mine = [c for c in run.ticks if c["state"] != sim.POWER_OFF]
    assert mine == recorded
    assert len(recorded) == 17 * 60
    assert [c["ms"] for c in run.ticks if c["state"] == sim.POWER_OFF] == [600_000]
    assert any(c["broken"] == {"indoor_coil": "short"} for c in recorded)


def test_reference_thermostat_runs_the_same_scenario():
    sc = make(
        duration_h=0.5,
        events=[
            {"at_min": 10, "set": {"setpoint": 25}},
            {"at_min": 12, "config": {"min_off_s": 240}},
        ],
    )
    result, run, _rows = sim.run_scenario(
        sc, progress=False, controller_factory=StandardThermostat
    )
    assert isinstance(run.ctl, StandardThermostat) and run.hp is None
    assert run.ctl.view()["setpoint_c"] == 25.0
    assert any("config {'min_off_s': 240} ignored: this controller has no" in n for n in run.notes)
    assert result["compressor_starts"] >= 1
    assert result["comfort_pct"] is not None


def test_reference_thermostat_restarts_from_the_scenario_settings_after_a_cut():
    sc = make(
        duration_h=0.4,
        events=[
            {"at_min": 5, "set": {"setpoint": 25}},
            {"at_min": 10, "power": "off"},
            {"at_min": 11, "power": "on"},
        ],
    )
    _result, run, _rows = sim.run_scenario(
        sc, progress=False, controller_factory=StandardThermostat
    )
    assert run.ctl.view()["setpoint_c"] == 25.0


def test_memfs_keeps_what_the_store_wrote():
    from heatpump.store import Store

    fs = sim.MemFS()
    st = Store("/x.json", fs=fs)
    assert st.load() == {}
    assert st.save({"a": 1})
    assert Store("/x.json", fs=fs).load() == {"a": 1}
    assert sorted(fs.files) == ["/x.json"]  # the temporary file was renamed over it


def test_long_runs_check_the_invariants_without_keeping_every_tick(monkeypatch):
    # A simulated year would not fit in memory as one dict per tick (the checker's input).
    monkeypatch.setattr(engine, "MAX_CONTEXT_TICKS", 600)
    result, run, _rows = sim.run_scenario(make(duration_h=0.2), progress=False)
    assert len(run.ticks) == 0
    assert any(n.startswith("invariants 2 and 6 not checked") for n in run.notes)
    assert result["invariant_violations"] == 0 and result["compressor_starts"] >= 1


# ---- resets, REPL calls and refusals (issue 12) ---------------------------------------


def heat(**kw):
    """A cold afternoon in heating: the compressor runs most of the time."""
    return make(
        start={"room_c": 19.0, "hour": 12},
        weather={"kind": "daily", "t_min_c": 0, "t_max_c": 5, "rh": 85},
        settings={"mode": "heat", "setpoint": 22},
        **kw,
    )


def compressor(run):
    return [(ms, on) for ms, name, on in run.hal.relay_log if name == "compressor"]


def external(run):
    """The times the checker was told relays dropped without the controller."""
    return [c["ms"] for c in run.ticks if c["state"] == sim.POWER_OFF]


def test_a_watchdog_reset_drops_the_relays_and_boots_at_once_with_its_cause():
    sc = heat(duration_h=0.5, events=[{"at_min": 20, "reset": "watchdog"}])
    result, run, rows = sim.run_scenario(sc, progress=False, keep_rows=True)
    assert (20 * 60_000, True) in [(ms, not on) for ms, on in compressor(run)]
    assert all(not on for ms, _n, on in run.hal.relay_log if ms == 20 * 60_000)
    assert external(run) == [20 * 60_000]
    assert sim.POWER_OFF not in {r[12] for r in rows}  # no tick without power
    assert run.hp.status()["uptime_s"] == 10 * 60
    assert "started after a watchdog reset" in [e["text"] for e in run.hp.log()]
    assert result["resets"] == {"power": 0, "watchdog": 1, "crash": 0, "crash_reset": 0}
    assert result["invariant_violations"] == 0


def test_a_crash_stops_the_relays_and_the_app_ticks_again_after_its_pause():
    sc = heat(duration_h=0.5, events=[{"at_min": 20, "reset": "crash"}])
    result, run, rows = sim.run_scenario(sc, progress=False, keep_rows=True)
    crash_ms = 20 * 60_000
    assert all(not on for ms, _n, on in run.hal.relay_log if ms == crash_ms)
    assert any(ms == crash_ms and not on for ms, on in compressor(run))
    states = {r[0]: r[12] for r in rows}
    # Ticks at 1200 s (before the crash) and 1202 s (the restart): none in the pause.
    assert states[1201.0] == sim.CRASHED and states[1202.0] != sim.CRASHED
    assert not [c for c in run.ticks if c["ms"] == crash_ms + 1000]
    assert external(run) == [crash_ms]
    # The same app and controller go on: uptime counts from the start, A1 logged.
    assert run.hp.status()["uptime_s"] == 30 * 60
    assert "A1" in [f["code"] for f in run.hp.faults()]
    assert run.hal.resets == 0
    assert result["resets"]["crash"] == 1 and result["resets"]["crash_reset"] == 0


def test_the_third_crash_within_10_min_resets_the_board():
    events = [{"at_min": m, "reset": "crash"} for m in (10, 13, 16)]
    result, run, _rows = sim.run_scenario(heat(duration_h=0.5, events=events), progress=False)
    assert run.hal.resets == 1 and run.hal.cause == "soft reset"
    assert run.hp.status()["uptime_s"] == 14 * 60  # booted at 16 min
    assert "started after a soft reset reset" in [e["text"] for e in run.hp.log()]
    assert result["resets"] == {"power": 0, "watchdog": 0, "crash": 3, "crash_reset": 1}
    assert external(run) == [10 * 60_000, 13 * 60_000, 16 * 60_000]


def test_a_power_reset_is_a_two_second_flicker():
    sc = heat(duration_h=0.5, events=[{"at_min": 20, "reset": "power"}])
    result, run, rows = sim.run_scenario(sc, progress=False, keep_rows=True)
    off = [r[0] for r in rows if r[12] == sim.POWER_OFF]
    assert off == [1201.0, 1202.0]
    assert run.hal.cause == "power on"
    assert result["resets"]["power"] == 1
    assert run.hp.status()["uptime_s"] == 30 * 60 - 1202


def test_resets_without_power_are_noted_and_not_applied():
    events = [
        {"at_min": 5, "power": "off"},
        {"at_min": 6, "reset": "crash"},
        {"at_min": 7, "hp": "clear"},
        {"at_min": 8, "power": "on"},
    ]
    result, run, _rows = sim.run_scenario(heat(duration_h=0.2, events=events), progress=False)
    assert any("at 6 min: crash reset ignored: the unit has no power" in n for n in run.notes)
    assert any("at 7 min: hp.clear() ignored: the unit has no power" in n for n in run.notes)
    assert result["resets"]["crash"] == 0


def test_repl_calls_run_and_refusals_are_counted_not_raised():
    sc = heat(
        duration_h=0.5,
        config={"boot_delay_s": 0, "min_off_s": 60},
        events=[
            {"at_min": 12, "hp": "defrost"},
            {"at_min": 13, "hp": "defrost"},  # one is running: refused
            {"at_min": 14, "set": {"setpoint": 45, "mode": "warm"}, "may_refuse": True},
            {"at_min": 15, "config": {"min_off_s": 5}, "may_refuse": True},
            {"at_min": 16, "config": {"min_run_s": 240}, "may_refuse": True},
            {"at_min": 17, "hp": "clear"},
        ],
    )
    result, run, rows = sim.run_scenario(sc, progress=False, keep_rows=True)
    assert any(r[13] for r in rows if 12 * 60 < r[0] < 20 * 60)  # the defrost ran
    assert result["refused_by"] == {"config": 1, "defrost": 1, "set": 1}
    assert result["refused"] == 3
    assert run.hp.config()["min_run_s"] == 240 and run.hp.status()["setpoint"] == 22.0
    assert any("at 13 min: defrost refused (the first" in n for n in run.notes)
    assert any("min_off_s=5 is out of range" in n for n in run.notes)


def test_a_selftest_starts_and_is_cancelled_and_a_refused_one_is_counted():
    mild = {"kind": "daily", "t_min_c": 15, "t_max_c": 20, "rh": 50}
    events = [{"at_min": 5, "hp": "selftest"}, {"at_min": 6, "hp": "selftest"}]
    result, run, _rows = sim.run_scenario(
        make(duration_h=0.2, weather=mild, events=events), progress=False
    )
    assert run.ctl.selftest.active
    assert result["refused_by"] == {"selftest": 1}  # one is already running
    events[1] = {"at_min": 6, "hp": "selftest_cancel"}
    result, run, _rows = sim.run_scenario(
        make(duration_h=0.2, weather=mild, events=events), progress=False
    )
    assert not run.ctl.selftest.active and result["refused"] == 0


def test_any_other_exception_from_the_repl_stops_the_run(monkeypatch):
    from heatpump.api import Api

    def broken(self):
        raise TypeError("a bug, not a refusal")

    monkeypatch.setattr(Api, "clear", broken)
    with pytest.raises(TypeError, match="a bug"):
        sim.run_scenario(
            heat(duration_h=0.1, events=[{"at_min": 1, "hp": "clear"}]), progress=False
        )


def test_the_checker_holds_a_run_to_the_loosest_config_in_force():
    sc = heat(
        duration_h=0.3,
        events=[
            {"at_min": 2, "config": {"min_off_s": 120, "max_starts_per_hour": 8}},
            {"at_min": 4, "config": {"min_off_s": 900, "max_starts_per_hour": 2}},
            {"at_min": 5, "config": {"min_off_s": 5}, "may_refuse": True},
        ],
    )
    _result, run, _rows = sim.run_scenario(sc, progress=False)
    assert run.hp.config()["min_off_s"] == 900
    assert run.check_config["min_off_s"] == 120
    assert run.check_config["max_starts_per_hour"] == 8


def test_an_abuse_scenario_runs_its_generated_events():
    sc = heat(duration_h=1.0, abuse={"seed": 3, "resets_per_day": {"crash": 96, "watchdog": 96}})
    result, run, _rows = sim.run_scenario(sc, progress=False)
    assert result["refused"] > 0
    assert result["resets"]["crash"] > 0 and result["resets"]["watchdog"] > 0
    assert not run.pending  # every event was applied
    again, _run, _rows = sim.run_scenario(sc, progress=False)
    assert again == result  # the same seed, the same run


def test_the_plot_marks_every_scenario_event(tmp_path, monkeypatch):
    from tools.sim import plot

    figs = []
    monkeypatch.setattr(plot.plt, "close", figs.append)  # keep the figure to read it
    events = [
        {"at_min": 5, "set": {"mode": "heat", "setpoint": 21}},
        {"at_min": 12, "fault": {"sensor": "room", "kind": "open"}},
        {"at_min": 20, "power": "off"},
    ]
    sim.run_scenario(make(duration_h=0.5, events=events), tmp_path, progress=False)
    top = figs[0].axes[0]
    labels = [t.get_text().strip() for t in top.texts]
    for want in ("set mode=heat setpoint=21", "fault sensor=room kind=open", "power off"):
        assert want in labels, labels
    # A line at each event's time, on each of the three plots.
    for ax in figs[0].axes[:3]:
        dotted = [line for line in ax.get_lines() if line.get_ls() == ":"]
        xs = {round(line.get_xdata()[0] * 60, 3) for line in dotted}
        assert {5.0, 12.0, 20.0} <= xs, (ax.get_ylabel(), xs)


def test_the_plot_shows_the_pan_filling_behind_a_blocked_drain(tmp_path, monkeypatch):
    from tools.sim import plot

    figs = []
    monkeypatch.setattr(plot.plt, "close", figs.append)  # keep the figure to read it
    sc = scenario.load("scenarios/blocked-drain.json")
    _result, run, _rows = sim.run_scenario(sc, tmp_path, progress=False)
    water = figs[0].axes[3]  # the kg axis beside the coils' plot
    assert water.get_ylabel() == "frost, pan water (kg)"
    pan = [ln for ln in water.get_lines() if ln.get_ls() == "-"][0].get_ydata()
    float_kg = run.plant.pan_float_kg
    assert max(pan) >= float_kg  # the float lifted: the drain was blocked
    legend = [t.get_text() for t in figs[0].axes[1].get_legend().get_texts()]
    assert "water in the base pan" in legend and "float switch level" in legend
