"""hpctl: the commands it plans, what the board runs for them, and what a person sees.

No board is attached here. The code hpctl sends is run under the real MicroPython VM
against the real REPL object (heatpump.api.Api over the simulated HAL), and its answer
goes through hpctl's formatting; the serial side is checked against a port that does
not exist and a pseudo-terminal that never answers.
"""

import json
import os
import pty
import shlex
import subprocess
import sys

import pytest
from upyvm import REPO, run_upy

from tools.device import hpctl

WRAPPER = os.path.join(REPO, "tools", "device", "hpctl")


def run_cli(*args, timeout=60):
    return subprocess.run(
        [WRAPPER, *args], capture_output=True, text=True, timeout=timeout, cwd="/"
    )


def planned(*args):
    """The argv of the mpremote command `hpctl --dry-run` prints."""
    done = run_cli("--dry-run", "--port", "/dev/ttyUSB0", *args)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("$ mpremote ")
    return shlex.split(done.stdout[2:])


@pytest.mark.parametrize(
    "args, call",
    [
        (["status"], "hp.status()"),
        (["set", "mode=heat", "setpoint=21.5"], 'hp.set(mode="heat", setpoint=21.5)'),
        (["set", 'fan="auto"', "speed=low"], 'hp.set(fan="auto", speed="low")'),
        (["config"], "hp.config()"),
        (["config", "min_off_s=240", "units=F"], 'hp.config(min_off_s=240, units="F")'),
        (["faults"], "hp.faults()"),
        (["stats"], "hp.stats()"),
        (["clear"], "hp.clear()"),
        (["log", "5"], "hp.log(5)"),
    ],
)
def test_dry_run_prints_the_exact_mpremote_command(args, call):
    argv = planned(*args)
    # resume: no soft reset, the app keeps running; exec: one raw-REPL command.
    assert argv[:5] == ["mpremote", "connect", "/dev/ttyUSB0", "resume", "exec"]
    assert len(argv) == 6
    code = argv[5]
    assert f"        r = {call}\n" in code
    compile(code, "hpctl", "exec")  # valid Python (and mpy-cross checks it below)


def test_the_code_sent_compiles_for_micropython(tmp_path):
    src = tmp_path / "sent.py"
    src.write_text(hpctl.device_code("set", ["mode=heat", "setpoint=21.5"]))
    mpy_cross = os.path.join(os.path.dirname(sys.executable), "mpy-cross")
    done = subprocess.run([mpy_cross, "-o", str(tmp_path / "sent.mpy"), str(src)])
    assert done.returncode == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["set"], "set: give at least one name=value, e.g. set mode=heat"),
        (["set", "mode"], "set: 'mode' is not name=value (e.g. mode=heat, setpoint=21.5)"),
        (["set", "x-y=1"], "set: 'x-y=1' is not name=value"),
        (["set", "mode=[1]"], "'[1]': a value is a number, a word, true/false or null"),
        (["status", "now"], "status takes no arguments (got now)"),
        (["log", "many"], "log: takes one optional number of events, e.g. log 20"),
        # the firmware's own rules, checked here: nothing out of range reaches the board
        (["set", "units=F"], "set: units is a config key: hpctl config units=..."),
        (["config", "mode=heat"], "config: mode is a setting: hpctl set mode=..."),
        (["set", "setpoint=99"], "set: setpoint=99 is not allowed: 16..30 C or 61..86 F"),
        (["set", "mode=warm"], "set: mode='warm' is not allowed: allowed off, cool, heat"),
        (["set", "sped=low"], "set: unknown name 'sped': did you mean speed?"),
        (["config", "min_of_s=240"], "did you mean min_off_s? hpctl config lists them"),
        (["config", "min_off_s=10"], "config: min_off_s=10 is out of range: allowed 60..1800"),
    ],
)
def test_bad_usage_is_refused_before_any_board_is_touched(args, message):
    done = run_cli("--port", "/dev/ttyUSB0", *args)
    assert done.returncode == 2
    assert message in done.stderr
    assert done.stdout == ""


def test_no_port_given():
    done = run_cli("status")
    assert done.returncode == 1
    assert "hpctl: no serial port given: add --port /dev/ttyUSB0" in done.stderr


def test_a_port_that_is_not_there():
    done = run_cli("--port", "/dev/ttyUSB97", "status")
    assert done.returncode == 1
    assert "hpctl: no serial port /dev/ttyUSB97: is the board plugged in" in done.stderr
    assert "Serial ports here:" in done.stderr


def test_a_port_where_no_board_answers_times_out():
    controller, device = pty.openpty()  # a serial line with nothing on the other end
    port = os.ttyname(device)
    try:
        done = run_cli("--port", port, "--timeout", "2", "status")
    finally:
        os.close(controller)
        os.close(device)
    assert done.returncode == 1
    assert f"hpctl: no answer from {port} within 2 s: is MicroPython running" in done.stderr


def test_mpremote_missing_is_explained(monkeypatch, capsys):
    from tools.device import deploy

    monkeypatch.setattr(deploy.os.path, "exists", lambda p: p.startswith("/dev/"))
    monkeypatch.setattr(deploy.shutil, "which", lambda name: None)
    assert hpctl.main(["--port", "/dev/ttyUSB0", "status"]) == 1
    err = capsys.readouterr().err
    assert "mpremote is missing: run 'make tools'" in err


# ---- the board side, under MicroPython --------------------------------------------

VM_SCRIPT = r"""
import sys
from heatpump.board import load_board
from heatpump.hal.sim import SimHAL
from heatpump.controller import Controller
from heatpump.api import Api

ctl = Controller(SimHAL(load_board("/boards/esp32-devkitc.json")))
ctl.tick()
app_globals = {"hp": Api(ctl)}
for i in range(1, len(sys.argv)):
    print("=== %d" % i)
    code = open(sys.argv[i]).read()
    exec(code, app_globals if "noapp" not in sys.argv[i] else {})
"""

CASES = [
    ("status", []),
    ("set", ["mode=heat", "setpoint=21.5"]),
    ("set", ["setpoint=70"]),  # a Fahrenheit setpoint passes here; the board shows C
    ("faults", []),
    ("config", ["min_off_s=240"]),
    ("log", []),
    ("status", []),  # with no hp in the globals: the app is not running
]


@pytest.fixture(scope="module")
def answers(tmp_path_factory):
    d = tmp_path_factory.mktemp("hpctl_vm")
    (d / "board_side.py").write_text(VM_SCRIPT)
    paths = []
    for i, (cmd, args) in enumerate(CASES):
        name = f"/sent/{i}{'_noapp' if i == len(CASES) - 1 else ''}.py"
        (d / os.path.basename(name)).write_text(hpctl.device_code(cmd, args))
        paths.append(name)
    done = run_upy(str(d / "board_side.py"), *paths, mounts=[(str(d), "/sent")])
    assert done.returncode == 0, done.stdout + done.stderr
    parts = done.stdout.split("=== ")[1:]
    return [p.split("\n", 1)[1] for p in parts]


def test_status_shows_the_apps_own_screen(answers):
    code, text = hpctl.result("/dev/ttyUSB0", answers[0], as_json=False)
    assert code == 0
    assert text.startswith("mode off  state off")
    assert "no active faults" in text
    code, data = hpctl.result("/dev/ttyUSB0", answers[0], as_json=True)
    status = json.loads(data)
    assert status["mode"] == "off" and status["relays"]["compressor"] is False


def test_set_then_a_refused_value(answers):
    code, text = hpctl.result("/dev/ttyUSB0", answers[1], as_json=False)
    assert (code, text) == (0, "set: mode heat, setpoint 21.5 C, fan auto, speed high")
    code, text = hpctl.result("/dev/ttyUSB0", answers[2], as_json=False)
    assert code == 2
    assert text.startswith("refused: setpoint=70 is out of range: allowed 16..30 C")
    assert "(nothing changed)" in text


def test_faults_config_log_and_no_app(answers):
    code, text = hpctl.result("/dev/ttyUSB0", answers[3], as_json=False)
    assert code == 0 and "no faults logged" in text
    code, text = hpctl.result("/dev/ttyUSB0", answers[4], as_json=False)
    assert (code, text) == (0, "config: min_off_s=240")
    code, text = hpctl.result("/dev/ttyUSB0", answers[5], as_json=False)
    # The REPL object has no event log (yet): said plainly, not a traceback.
    assert (code, text) == (1, "this firmware has no hp.log(): deploy a newer one (make deploy)")
    code, text = hpctl.result("/dev/ttyUSB0", answers[6], as_json=False)
    assert code == 1
    assert text.startswith("the board on /dev/ttyUSB0 answers, but the app is not running")


def test_plain_data_without_a_screen_is_formatted_for_a_person():
    answer = 'HPCTL-JSON {"text": null, "data": {"starts": 12, "run_s": 3600, "ok": true}}\n'
    assert hpctl.result("P", answer, as_json=False) == (0, "starts  12\nrun_s   3600\nok      on")
    answer = 'HPCTL-JSON {"text": null, "data": []}\n'
    assert hpctl.result("P", answer, as_json=False) == (0, "(none)")
    code, text = hpctl.result("P", "Traceback: boom\n", as_json=False)
    assert code == 1 and text.startswith("unexpected answer from the board on P:")
