"""Live mode: the console answers while the run goes on, and it always ends cleanly."""

import io
import json
import os
import subprocess
import sys

from tools.sim import scenario
from tools.sim.live import live

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def short(duration_h=0.05, events=()):
    return {
        "name": "live-test",
        "duration_h": duration_h,
        "start": {"room_c": 26.0, "hour": 12},
        "weather": {"kind": "daily", "t_min_c": 24, "t_max_c": 32, "rh": 50},
        "settings": {"mode": "cool", "setpoint": 23},
        "events": list(events),
    }


def console(lines, sc, speed=60.0):
    out = io.StringIO()
    rc = live(scenario.validate(sc), speed=speed, stdin=io.StringIO(lines), out=out)
    return rc, out.getvalue()


def test_commands_work_while_the_loop_runs_and_quit_ends_it():
    rc, out = console(
        'hp.status()\nhp.set(setpoint=22)\nhp.status()["setpoint"]\nhp.set(mode="warm")\n'
        "speed(-1)\nx = 2 + 2\nx\nquit()\nhp.status()\n",
        short(duration_h=1),
    )
    assert rc == 0
    assert "mode cool  state" in out  # hp.status() prints its screen
    assert "set: mode cool, setpoint 22.0 C" in out
    assert "\n>>> 22.0\n" in out
    assert "ValueError: mode='warm' is not allowed: allowed off, cool, heat" in out
    assert "ValueError: speed(-1)" in out
    assert ">>> 4\n" in out
    assert out.count("mode cool  state") == 1  # nothing after quit()
    assert "stopped at 0:00:0" in out


def test_end_of_input_ctrl_d_ends_the_console():
    rc, out = console("", short(duration_h=1))
    assert rc == 0 and "stopped at" in out


def test_no_power_is_an_answer_not_a_crash():
    sc = short(duration_h=1, events=[{"at_min": 0, "power": "off"}])
    rc, out = console("hp.status()\nsim.powered\n", sc)
    assert rc == 0
    assert "NoPower: the unit has no power now (the scenario cut it)" in out
    assert "\n>>> False\n" in out


def test_the_process_exits_at_the_end_of_the_run_while_the_console_waits(tmp_path):
    path = tmp_path / "s.json"
    path.write_text(json.dumps(short(duration_h=0.02, events=[{"at_min": 0.5, "power": "off"}])))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tools.sim", "live", str(path), "--speed", "600"],
        cwd=REPO,
        stdin=subprocess.PIPE,  # open and silent: the reader thread waits on it
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        rc = proc.wait(timeout=60)  # the output is small: the pipes cannot fill up
    finally:
        proc.kill()
    out, err = proc.stdout.read(), proc.stderr.read()
    for f in (proc.stdin, proc.stdout, proc.stderr):
        f.close()
    assert rc == 0, err
    assert "[0:00:30] scenario: power off" in out
    assert "end of the scenario (0:01:12 simulated)" in out


class _TypedThenWaits:
    """A console where the lines are typed at once, then nothing for wait_s, then Ctrl-D."""

    def __init__(self, text, wait_s):
        self.lines = text.splitlines(keepends=True)
        self.wait_s = wait_s

    def readline(self):
        if self.lines:
            return self.lines.pop(0)
        import time

        time.sleep(self.wait_s)
        return ""


def test_the_self_test_prints_its_progress_by_itself_as_on_the_board():
    out = io.StringIO()
    sc = scenario.validate(short(duration_h=1))
    rc = live(sc, speed=3000, stdin=_TypedThenWaits("hp.selftest()\n", 1.5), out=out)
    text = out.getvalue()
    assert rc == 0
    assert "self-test started" in text
    # Its steps' lines arrive without hp.selftest_progress(): at least the sensors step.
    progress = text.split("self-test started", 1)[1]
    assert "sensors" in progress and progress.count("\n") >= 3, text[-2000:]
