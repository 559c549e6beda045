"""Scenario files: every bundled one loads; bad ones are refused with a message naming the key."""

import json
import re

import pytest

from tools.sim import metrics, scenario


def test_every_bundled_scenario_loads():
    names = [n for n, _ in scenario.bundled_scenarios()]
    for required in (
        "summer-hot",
        "shoulder-auto",
        "winter-humid",
        "winter-dry-cold",
        "sensor-failure",
        "power-outage",
        "blocked-drain",
    ):
        assert required in names
    for n in names:
        sc = scenario.load(n)
        assert sc["duration_h"] > 0 and sc["start"]["room_c"] is not None


BASE = {
    "name": "t",
    "duration_h": 1,
    "start": 20,
    "weather": {"kind": "daily", "t_min_c": 0, "t_max_c": 5, "rh": 80},
}


@pytest.mark.parametrize(
    "change, message",
    [
        ({"duration_h": -1}, "duration_h: -1 is outside"),
        ({"duration_h": "long"}, "duration_h: expected a number"),
        ({"colour": 1}, "unknown keys ['colour']"),
        ({"weather": {"kind": "monsoon"}}, "weather.kind: expected 'daily', 'table' or 'year'"),
        ({"weather": {"kind": "daily", "t_min_c": 9, "t_max_c": 5, "rh": 50}}, "below t_min_c"),
        ({"weather": {"kind": "table", "hours": [[0, 1, 50], [0, 2, 50]]}}, "must increase"),
        (
            {"weather": {"kind": "daily", "t_min_c": 0, "t_max_c": 5, "rh": 0.6}},
            "weather.rh: 0.6 is a percentage, 1..100 (a fraction? write 60)",
        ),
        ({"weather": {"kind": "table", "hours": [[0, 1, 0.5]]}}, "(a fraction? write 50)"),
        ({"events": [{"at_min": 5}]}, "needs exactly one action"),
        ({"events": [{"at_min": 5, "fault": {"sensor": "attic"}}]}, "fault.sensor: expected"),
        ({"events": [{"at_min": 5, "power": "flicker"}]}, "power: expected 'off' or 'on'"),
        ({"name": ""}, "name: a non-empty string"),
        ({"board": "nope"}, "scenario.board: board 'nope' not found"),
        (
            {"settings": {"mode": "warm"}},
            "settings: mode='warm' is not allowed: allowed off, cool",
        ),
        ({"settings": {"temp": 20}}, "settings: unknown setting 'temp'; allowed mode, setpoint"),
        ({"settings": {"setpoint": 40}}, "settings: setpoint=40 is out of range: allowed 16..30"),
        ({"config": {"min_off_s": 5}}, "config: min_off_s=5 is out of range: allowed 60..1800 s"),
        ({"config": {"colour": 1}}, "config: unknown config key 'colour': allowed units"),
        ({"events": [{"at_min": 5, "set": {"setpoint": 50}}]}, "events[0].set: setpoint=50"),
        ({"events": [{"at_min": 5, "set": {}}]}, "events[0].set: nothing to set"),
        (
            {"events": [{"at_min": 1, "config": {"heat_lockout_dC": -30}}]},
            "events[0].config: heat_lockout_dC=-30 must be below heat_unlock_dC=-230",
        ),
        ({"events": [{"at_min": 1, "input": {"door": True}}]}, "unknown input 'door'; allowed"),
        ({"events": [{"at_min": 1, "input": {"condensate_full": 1}}]}, "expected true or false"),
        ({"room": {"colour": 1}}, "room: unknown keys ['colour']; allowed: floor_m2, height_m"),
        ({"room": {"floor_m2": -1}}, "room: floor_m2 must be in 1..1000 m2"),
        ({"unit": {"cool_rated_w": "big"}}, "scenario.unit: "),
        ({"sensors": {"lag_s": 3}}, "sensors: unknown keys ['lag_s']; allowed: room_tau_s"),
        ({"sensors": {"noise_mv": -1}}, "sensors.noise_mv: -1 is outside 0..100"),
    ],
)
def test_bad_scenarios_are_refused_with_the_key_named(change, message):
    with pytest.raises(scenario.ScenarioError, match=".*" + re.escape(message)):
        scenario.validate({**BASE, **change})


def test_unknown_scenario_name_lists_the_bundled_ones():
    with pytest.raises(scenario.ScenarioError, match="bundled scenarios: .*winter-humid"):
        scenario.load("no-such-scenario")


def test_corrupt_scenario_file_says_not_json(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"name": "x",')
    with pytest.raises(scenario.ScenarioError, match="not valid JSON"):
        scenario.load(str(bad))


def test_events_are_sorted_by_time(tmp_path):
    sc = dict(BASE, events=[{"at_min": 9, "power": "on"}, {"at_min": 3, "power": "off"}])
    path = tmp_path / "s.json"
    path.write_text(json.dumps(sc))
    assert [e["at_min"] for e in scenario.load(str(path))["events"]] == [3, 9]


def test_starts_in_any_hour_uses_a_sliding_window():
    # Starts at 10, 50 and 65 min: at most 2 in any clock hour, but 3 within 10..70.
    starts = [10 * 60_000, 50 * 60_000, 65 * 60_000, 130 * 60_000]
    assert metrics.max_in_window(starts, 3_600_000) == 3
    assert metrics.max_in_window([], 3_600_000) == 0


def test_comfort_counts_only_time_when_heating_or_cooling_is_asked():
    m = metrics.Metrics()
    m.add(60, 21.0, 21.0, "heat", True, True, False, 1000, 3000)  # in band
    m.add(60, 18.5, 21.0, "heat", True, True, False, 1000, 3000)  # 1.5 K outside band
    m.add(600, 10.0, 21.0, "off", True, False, False, 0, 0)  # not asked
    r = m.result([(0, "compressor", True)])
    assert r["comfort_pct"] == 50.0
    assert r["degree_hours_outside"] == round(1.5 * 60 / 3600, 3)
    assert r["energy_kwh"] == round(2 * 1000 * 60 / 3600 / 1000, 3)
    assert r["compressor_starts"] == 1 and r["min_room_c"] == 10.0


def test_config_events_are_checked_on_top_of_the_ones_before():
    # Raising the unlock first makes room for a lockout that alone would be refused.
    events = [
        {"at_min": 2, "config": {"heat_lockout_dC": -30}},
        {"at_min": 1, "config": {"heat_unlock_dC": 0}},
    ]
    sc = scenario.validate({**BASE, "events": events})
    assert [e["at_min"] for e in sc["events"]] == [1, 2]
    with pytest.raises(scenario.ScenarioError, match=r"events\[0\].config: heat_lockout_dC"):
        scenario.validate({**BASE, "events": [dict(events[0], at_min=0.5), events[1]]})


def test_events_at_the_same_minute_keep_the_file_order():
    events = [{"at_min": 5, "power": "off"}, {"at_min": 5, "power": "on"}]
    sc = scenario.validate({**BASE, "events": events})
    assert [e["power"] for e in sc["events"]] == ["off", "on"]


def test_the_scenario_is_not_changed_by_validation():
    sc = {**BASE, "events": [{"at_min": 9, "power": "on"}, {"at_min": 3, "power": "off"}]}
    before = json.dumps(sc, sort_keys=True)
    scenario.validate(sc)
    assert json.dumps(sc, sort_keys=True) == before


# ---- resets, REPL calls, refusable values and abuse (issue 12) -----------------------


@pytest.mark.parametrize(
    "event, message",
    [
        ({"reset": "reboot"}, "reset: expected one of 'watchdog', 'crash', 'power', got 'reboot'"),
        ({"hp": "status"}, "hp: expected one of 'defrost', 'clear', 'selftest'"),
        ({"power": "on", "may_refuse": True}, "may_refuse: only a set or config event"),
        ({"set": {"setpoint": 45}, "may_refuse": 1}, "may_refuse: only true is allowed, got 1"),
        ({"config": {}, "may_refuse": True}, "events[0].config: nothing to config"),
        ({"config": [1], "may_refuse": True}, "events[0].config: expected an object"),
    ],
)
def test_bad_new_events_are_refused_with_the_key_named(event, message):
    with pytest.raises(scenario.ScenarioError, match=re.escape(message)):
        scenario.validate({**BASE, "events": [{"at_min": 1, **event}]})


def test_refusable_values_pass_the_loader_for_the_firmware_to_judge():
    events = [
        {"at_min": 1, "set": {"setpoint": 45, "mode": "warm"}, "may_refuse": True},
        {"at_min": 2, "config": {"min_off_s": 5, "colour": 1}, "may_refuse": True},
        {"at_min": 3, "reset": "crash"},
        {"at_min": 4, "hp": "selftest_cancel"},
    ]
    assert scenario.validate({**BASE, "events": events})["events"] == events


@pytest.mark.parametrize(
    "spec, message",
    [
        ({}, "abuse: seed: a whole number 0 or more is required, got None"),
        ({"seed": -1}, "abuse: seed: a whole number 0 or more"),
        ({"seed": 1, "colour": 2}, "abuse: unknown keys ['colour']; allowed: seed, every_min"),
        ({"seed": 1, "every_min": 0}, "abuse: every_min: 0 is below 0.01667"),
        ({"seed": 1, "commands": {"dance": 1}}, "abuse: commands: unknown 'dance'; allowed set"),
        ({"seed": 1, "faults_per_day": 5000}, "abuse: faults_per_day: 5000 is above 1440"),
        ({"seed": 1, "resets_per_day": {"crash": "x"}}, "resets_per_day.crash: expected a number"),
        ([1], "abuse: expected an object"),
    ],
)
def test_bad_abuse_specs_are_refused_with_the_key_named(spec, message):
    with pytest.raises(scenario.ScenarioError, match=re.escape(message)):
        scenario.validate({**BASE, "abuse": spec})


def _abuse_week(seed=12, **spec):
    sc = {**BASE, "duration_h": 168, "abuse": {"seed": seed, **spec}}
    return scenario.validate(sc)["events"]


def _action(ev):
    return next(k for k in ev if k not in ("at_min", "may_refuse"))


def test_the_abuse_generator_is_deterministic_and_the_seed_matters():
    week = _abuse_week()
    assert week == _abuse_week()
    assert week != _abuse_week(seed=13)
    # Each kind draws from its own stream: another rate leaves the commands alone.
    commands = [e for e in week if _action(e) in ("set", "config", "hp")]
    other = _abuse_week(faults_per_day=1)
    assert commands == [e for e in other if _action(e) in ("set", "config", "hp")]


def test_the_abuse_week_has_every_kind_of_abuse():
    week = _abuse_week()
    assert [e["at_min"] for e in week] == sorted(e["at_min"] for e in week)
    assert all(e["at_min"] == round(e["at_min"] * 60) / 60 < 168 * 60 for e in week)
    minutes = [int(e["at_min"]) for e in week if _action(e) in ("set", "config", "hp")]
    assert minutes == list(range(168 * 60))  # one command in each minute
    hp = {e["hp"] for e in week if "hp" in e}
    assert hp == {"defrost", "clear", "selftest", "selftest_cancel"}
    assert {e["reset"] for e in week if "reset" in e} == {"watchdog", "crash", "power"}
    config_keys = {k for e in week if "config" in e for k in e["config"]}
    assert {"min_off_s", "min_run_s", "valve_shift_s", "defrost_max_s"} <= config_keys
    assert {"max_starts_per_hour", "cold_blow_dC", "stop_dK"} <= config_keys
    # Out-of-range values and ones in range, both.
    values = [e["config"]["min_off_s"] for e in week if "min_off_s" in e.get("config", {})]
    assert any(v == int(v) and 60 <= v <= 1800 for v in values if isinstance(v, int))
    assert any(not isinstance(v, int) or not 60 <= v <= 1800 for v in values)
    assert {e["stuck_valve"] for e in week if "stuck_valve" in e} >= {False, "heat", "cool"}


def test_flapping_sensors_and_chatter_come_in_bursts_and_end_whole():
    week = _abuse_week()
    faults = [e for e in week if "fault" in e]
    assert {e["fault"]["kind"] for e in faults} == {"open", "short", None}
    gaps = [b["at_min"] - a["at_min"] for a, b in zip(faults, faults[1:], strict=False)]
    assert min(gaps) * 60 <= 10  # flapping every few seconds
    last = {}
    for e in faults:
        last[e["fault"]["sensor"]] = e["fault"]["kind"]
    assert set(last.values()) == {None}  # every sensor repaired in the end
    floats = [e["input"]["condensate_full"] for e in week if "input" in e]
    assert floats.count(True) > 100 and floats[-1] is False


def test_abuse_sensors_follow_the_board():
    sc = {**BASE, "board": "esp32-relay-x4", "duration_h": 48, "abuse": {"seed": 1}}
    sensors = {e["fault"]["sensor"] for e in scenario.validate(sc)["events"] if "fault" in e}
    assert sensors and "supply_air" not in sensors


# ---- the abuse metrics -----------------------------------------------------------------


def _ticks(m, states):
    """One 1 s step per (compressor, defrost, state)."""
    for comp, defrost, state in states:
        m.add(1.0, 21.0, 21.0, "heat", True, comp, defrost, 1000, 3000, (), state)


def test_short_runs_thermostat_starts_and_the_defrost_bound_are_counted():
    m = metrics.Metrics()
    on = (True, False, "heating")
    off = (False, False, "idle")
    melt = (True, True, "defrost")
    shift = (False, False, "defrost")
    # 1-100 s a heating run, a defrost 101-140 s (its melt 111-130 s), heating again.
    _ticks(m, [on] * 100 + [shift] * 10 + [melt] * 20 + [shift] * 10 + [on] * 50 + [off] * 10)
    log = [
        (1000, "compressor", True),
        (101_000, "compressor", False),  # the defrost stops it
        (111_000, "compressor", True),  # the melt
        (131_000, "compressor", False),
        (141_000, "compressor", True),  # heating after the drip pause
        (191_000, "compressor", False),
        (4_000_000, "compressor", True),  # an hour later, after a reset
        (4_030_000, "compressor", False),
    ]
    r = m.result(log, config={"min_run_s": 120})
    assert r["compressor_starts"] == 4 and r["max_starts_in_any_hour"] == 3
    assert r["max_thermostat_starts_in_any_hour"] == 1  # the melt and the return are not
    assert r["max_short_runs_in_any_hour"] == 3  # 100 s, the 20 s melt, 50 s
    assert r["max_short_runs_in_any_hour_no_melt"] == 2
    assert r["longest_defrost_compressor_s"] == 20.0
    assert m.step_spans == [[101_000, 140_000]]


def test_resets_and_refusals_are_counted_by_kind():
    m = metrics.Metrics()
    m.count_reset("crash")
    m.count_reset("crash")
    m.count_reset("crash_reset")
    assert m.count_refused("set") == 1 and m.count_refused("set") == 2
    m.count_refused("defrost")
    r = m.result([])
    assert r["resets"] == {"power": 0, "watchdog": 0, "crash": 2, "crash_reset": 1}
    assert r["refused"] == 3 and r["refused_by"] == {"defrost": 1, "set": 2}
