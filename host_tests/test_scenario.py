"""Scenario files: every bundled one loads; bad ones are refused with a message naming the key."""

import json

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
    ],
)
def test_bad_scenarios_are_refused_with_the_key_named(change, message):
    with pytest.raises(scenario.ScenarioError, match=".*" + __import__("re").escape(message)):
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
