"""boot.py and main.py under the real MicroPython VM, with a fake machine module.

The VM has no machine module; the script below puts a recording one in sys.modules,
writes /board.json into the VM's filesystem, runs firmware/boot.py and main.py as the
board does (one shared __main__ globals dict) and prints what happened as JSON.
"""

import json

import pytest
from upyvm import run_upy

SCRIPT = r"""
import json
import os
import sys

import heatpump

events = []
clock = [0]
pressed = [None]


class Pin:
    OUT = 3
    IN = 1
    PULL_UP = 2

    def __init__(self, pin, mode, pull=None, value=None):
        self.pin = pin
        events.append(["pin", pin, mode, pull, value])

    def value(self):
        p = pressed[0]
        return 0 if p and p[0] <= clock[0] < p[1] else 1


class Module:
    pass


machine = Module()
machine.Pin = Pin
fake_time = Module()


def sleep_ms(ms):
    clock[0] += ms


fake_time.sleep_ms = sleep_ms
sys.modules["machine"] = machine
sys.modules["time"] = fake_time


class App:
    def __init__(self, fail):
        self.fail = fail

    def run(self):
        events.append(["app"])
        if self.fail:
            raise KeyboardInterrupt


def scenario(board_text, marker=False, button=None, app="ok"):
    for path in ("/board.json", "/safe_boot"):
        try:
            os.remove(path)
        except OSError:
            pass
    if board_text is not None:
        with open("/board.json", "w") as f:
            f.write(board_text)
    if marker:
        open("/safe_boot", "w").close()
    del events[:]
    clock[0] = 0
    pressed[0] = button
    if app:
        heatpump.app = App(app == "fail")
    else:
        # No heatpump/app.py to find: as on a board where it was never deployed.
        if hasattr(heatpump, "app"):
            del heatpump.app
        heatpump.__path__ = "/nowhere"
    g = {"__name__": "__main__"}
    died = None
    try:
        exec(open("/firmware/boot.py").read(), g)
        exec(open("/firmware/main.py").read(), g)
    except KeyboardInterrupt:
        died = "KeyboardInterrupt"
    print("RESULT " + json.dumps(
        {"events": events, "safe": g.get("HEATPUMP_SAFE_BOOT"), "ms": clock[0], "died": died}))


BOARD = json.dumps({
    "relays": {
        "compressor": {"pin": 23, "active_low": True},
        "fan_outdoor": {"pin": 21, "active_low": False},
        "flash": {"pin": 9, "active_low": True},
    },
    "safe_boot_pin": 0,
})
scenario(BOARD)
scenario(BOARD, button=(300, 2000))
scenario(BOARD, marker=True)
scenario(None)
scenario('{"relays": ')
scenario(BOARD, app="fail")
scenario(BOARD, app=None)
"""


@pytest.fixture(scope="module")
def vm_run(tmp_path_factory):
    script = tmp_path_factory.mktemp("boot_vm") / "boot_scenarios.py"
    script.write_text(SCRIPT)
    done = run_upy(str(script))
    assert done.returncode == 0, done.stdout + done.stderr
    results = [json.loads(line[7:]) for line in done.stdout.splitlines() if line[:7] == "RESULT "]
    assert len(results) == 7, done.stdout
    return results, done.stdout


OFF = [["pin", 23, 3, None, 1], ["pin", 21, 3, None, 0]]


def test_relays_off_first_then_the_app(vm_run):
    normal = vm_run[0][0]
    assert normal["events"][:2] == OFF
    # The app started after the safe-boot window; when it returned, relays OFF again.
    assert normal["events"][2:] == [["pin", 0, 1, 2, None], ["app"], *OFF]
    assert normal["safe"] is None and normal["ms"] == 1000
    assert "boot: relay flash: pin 9 is not an output pin" in vm_run[1]


def test_button_held_and_marker_file_skip_the_app(vm_run):
    held, marker = vm_run[0][1], vm_run[0][2]
    assert held["events"][:2] == OFF and ["app"] not in held["events"]
    assert held["safe"] == "safe-boot button on pin 0 held"
    assert marker["events"] == OFF and marker["ms"] == 0
    assert marker["safe"] == "the file /safe_boot exists"


def test_no_usable_board_file(vm_run):
    for result in vm_run[0][3:5]:
        assert result["events"] == []
        assert result["safe"] == "no usable board file"
    assert "boot: cannot read /board.json" in vm_run[1]


def test_relays_end_off_when_the_app_dies_and_a_missing_app_is_explained(vm_run):
    died, missing = vm_run[0][5], vm_run[0][6]
    assert died["died"] == "KeyboardInterrupt"
    assert died["events"] == [*OFF, ["pin", 0, 1, 2, None], ["app"], *OFF]
    assert missing["died"] is None and ["app"] not in missing["events"]
    assert "main: cannot start the app: heatpump.app did not import" in vm_run[1]
