"""The same scripted run under MicroPython and CPython gives the same relays, tick for tick;
and a steady-state control tick allocates nothing on MicroPython."""

import os

import pytest
import replay_rig
from upyvm import REPO, run_upy

from tools import tick_alloc


@pytest.mark.parametrize("board", ["esp32-devkitc", "esp32-relay-x4"])
def test_scripted_run_gives_the_same_relay_log_on_both_interpreters(board):
    log, faults = replay_rig.scripted_run(board)
    cpython = [f"R {ms} {name} {int(on)}" for ms, name, on in log]
    cpython += [f"F {t} {code} {detail}" for t, code, detail in faults]
    assert len(log) > 20 and len(faults) >= 3, "the script exercises the core"
    done = run_upy(os.path.join(REPO, "host_tests", "upy", "replay_rig.py"), board)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == cpython


def test_steady_tick_allocates_nothing_on_micropython():
    vm = tick_alloc.run_vm(300)
    assert set(vm["alloc"]) == set(tick_alloc.STATES)
    for state, (own, with_sim) in vm["alloc"].items():
        assert own == 0, f"{state}: the controller allocates {own} bytes a tick"
        assert with_sim == 0, f"{state}: {with_sim} bytes a tick with the simulated HAL"
