"""The same scripted run under MicroPython and CPython gives the same relays, tick for tick,
with the clock starting anywhere (across the 2**30 ms wrap too); and a steady-state
control tick allocates nothing on either MicroPython."""

import os

import pytest
import replay_rig
from upyvm import REPO, run_unix, run_upy

from tools.bench import tick_alloc

pytestmark = pytest.mark.slow  # not in make check: relay traces under both MicroPythons


@pytest.mark.parametrize("board", ["esp32-devkitc", "esp32-relay-x4"])
def test_scripted_run_gives_the_same_relay_log_on_both_interpreters(board):
    log, faults = replay_rig.scripted_run(board)
    cpython = _lines(log, faults)
    assert len(log) > 20 and len(faults) >= 3, "the script exercises the core"
    done = run_upy(os.path.join(REPO, "host_tests", "upy", "replay_rig.py"), board)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == cpython


def _lines(log, faults):
    out = [f"R {ms} {name} {int(on)}" for ms, name, on in log]
    return out + [f"F {t} {code} {detail}" for t, code, detail in faults]


WRAP_START_MS = (1 << 30) - 60_000  # one minute before the board's clock wraps
SCRIPT = os.path.join(REPO, "host_tests", "upy", "replay_rig.py")


@pytest.mark.parametrize("interpreter", ["cpython", "webassembly", "unix"])
def test_a_run_across_the_tick_wrap_gives_the_relay_log_of_one_without(interpreter, mpy_path):
    # The log is in sim time since boot: the wrap, 60 s in while the compressor is
    # held by its boot delay and then starts, must change nothing a person would see.
    # (The unix port's clock wraps at 2**62, so there the same log proves only that
    # its 64-bit numbers agree; the wrap itself is the VM's and CPython's to prove.)
    want = _lines(*replay_rig.scripted_run("esp32-devkitc"))
    assert any(60_000 < int(line.split()[1]) < 600_000 for line in want), "a change near it"
    if interpreter == "cpython":
        got = _lines(*replay_rig.scripted_run("esp32-devkitc", WRAP_START_MS))
    else:
        args = ("esp32-devkitc", WRAP_START_MS)
        if interpreter == "webassembly":
            done = run_upy(SCRIPT, *args)
        else:  # numbers, not the heap, are the point here (test_micropython: the heap)
            done = run_unix("-m", "replay_rig", *args, path=mpy_path, heap="1M")
        assert done.returncode == 0, done.stdout + done.stderr
        got = done.stdout.splitlines()
    assert got == want


@pytest.mark.parametrize("interpreter", ["webassembly", "unix"])
def test_steady_tick_allocates_nothing_on_micropython(interpreter):
    vm = tick_alloc.run_vm(300, unix=interpreter == "unix")
    assert set(vm["alloc"]) == set(tick_alloc.STATES)
    for state, (own, with_sim) in vm["alloc"].items():
        assert own == 0, f"{state}: the controller allocates {own} bytes a tick"
        assert with_sim == 0, f"{state}: {with_sim} bytes a tick with the simulated HAL"
