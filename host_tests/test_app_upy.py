"""The app layer under the real MicroPython VM: an hour of heating with a crash at 30 min,
a crash loop that resets the board, Ctrl-C and Ctrl-D. Every scenario must give the
same relay log, fault log and event log as the same code on CPython, and the relays
and faults a person would see."""

import json
import os

import app_scenarios as scn
import pytest
from app_rig import folder
from upyvm import REPO, run_upy

SCRIPT = os.path.join(REPO, "host_tests", "upy", "app_scenarios.py")
MIN_MS = 60_000


def _plain(r):
    return json.loads(json.dumps(r))  # tuples -> lists, as the VM's JSON gives them


@pytest.fixture(scope="module")
def vm():
    done = run_upy(SCRIPT)
    assert done.returncode == 0, done.stdout + done.stderr
    results = {}
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            _, name, data = line.split(" ", 2)
            results[name] = json.loads(data)
    assert sorted(results) == sorted(name for name, _fn in scn.SCENARIOS), done.stdout
    return results


@pytest.mark.parametrize("name", [name for name, _fn in scn.SCENARIOS])
def test_micropython_and_cpython_run_the_app_alike(vm, name, tmp_path):
    fn = dict(scn.SCENARIOS)[name]
    here = _plain(fn(folder(str(tmp_path) + "/")))
    there = vm[name]
    for key in ("relay_log", "faults", "events", "said", "fed", "stopped", "all_off"):
        assert there[key] == here[key], key


def test_an_hour_under_micropython_with_a_crash_midway(vm):
    r = vm["hour_with_crash"]
    assert [t for t, _m, _x in r["raised"]] == [30 * MIN_MS]
    log = r["relay_log"]
    at_crash = [e for e in log if e[0] == 30 * MIN_MS]
    assert sorted(e[1] for e in at_crash) == ["compressor", "fan_indoor_high", "fan_outdoor"]
    assert not any(e[2] for e in at_crash)  # all three were on: each goes OFF
    restart = [e[0] for e in log if e[1] == "compressor" and e[2] and e[0] > 30 * MIN_MS]
    assert restart and restart[0] >= 30 * MIN_MS + 180_000  # min off after the crash stop
    assert [1800, "A1"] in r["faults"]
    assert "restarted" in [text for _t, text in r["events"]]
    assert r["uptime_s"] == 3600 and r["max_unfed_ms"] <= 3000 and r["resets"] == 0


def test_micropython_crash_loop_resets_and_ctrl_c_ctrl_d_leave_relays_off(vm):
    assert vm["crash_loop"]["resets"] == 1 and vm["crash_loop"]["all_off"]
    for name in ("ctrl_c", "ctrl_d"):
        assert vm[name]["all_off"], name
        assert vm[name]["said"][0].endswith(": every relay is OFF."), name
