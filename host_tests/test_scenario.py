"""Scenario files: every bundled one loads; bad ones are refused with a message naming the key."""

import json
import re

import pytest

from tools import metrics, scenario


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
            "events[0].config: heat_lockout_dC=-30 must be below heat_unlock_dC=-50",
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
