"""boot.py and main.py on CPython with a fake machine module and a fake flash.

Every open(), Pin(), pin read, sleep and print is recorded in one timeline, so the
tests can say what happened first.
"""

import io
import json
import os
import sys
import time
import types

import heatpump
import pytest

FIRMWARE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "firmware")
OUT, IN, PULL_UP = 3, 1, 2  # the fake Pin's constants (values as on the ESP32 port)

BOARD = {
    "name": "test-board",
    "relays": {
        "compressor": {"pin": 23, "active_low": True},
        "reversing_valve": {"pin": 22, "active_low": True},
        "fan_outdoor": {"pin": 21, "active_low": False},
    },
    "safe_boot_pin": 0,
}


class Flash:
    """The board: files on flash, the BOOT button, a clock, and the timeline."""

    def __init__(self, files, button_pressed_ms=None, broken_pins=()):
        self.files = files  # path -> text
        self.pressed = button_pressed_ms  # (from_ms, to_ms) the button is held, or None
        self.broken = broken_pins  # Pin() raises for these
        self.now_ms = 0
        self.events = []

    def open(self, path, mode="r"):
        self.events.append(("open", path))
        if path not in self.files:
            raise OSError(2, "No such file or directory", path)
        return io.StringIO(self.files[path])

    def print(self, *args):
        self.events.append(("print", " ".join(str(a) for a in args)))

    def sleep_ms(self, ms):
        self.now_ms += ms

    def machine(self):
        flash = self

        class Pin:
            OUT, IN, PULL_UP = OUT, IN, PULL_UP

            def __init__(self, pin, mode, pull=None, *, value=None):
                if pin in flash.broken:
                    raise ValueError("invalid pin")
                self.pin = pin
                flash.events.append(("pin", pin, mode, pull, value))

            def value(self):
                lo, hi = flash.pressed or (-1, -1)
                level = 0 if lo <= flash.now_ms < hi else 1
                flash.events.append(("read", self.pin, flash.now_ms, level))
                return level

        mod = types.ModuleType("machine")
        mod.Pin = Pin  # type: ignore[attr-defined]
        return mod


def run(monkeypatch, flash, name="boot.py", g=None):
    monkeypatch.setitem(sys.modules, "machine", flash.machine())
    monkeypatch.setattr(time, "sleep_ms", flash.sleep_ms, raising=False)
    if g is None:
        g = {"__name__": "__main__", "open": flash.open, "print": flash.print}
    with open(os.path.join(FIRMWARE, name)) as f:
        exec(compile(f.read(), name, "exec"), g)
    return g


def board_files(board=BOARD, **extra):
    files = {"/board.json": json.dumps(board)}
    files.update(extra)
    return files


def relay_writes(events):
    return [(e[1], e[4]) for e in events if e[0] == "pin" and e[2] == OUT]


def test_relays_are_driven_off_before_anything_else(monkeypatch):
    flash = Flash(board_files())
    g = run(monkeypatch, flash)
    ev = flash.events
    assert ev[0] == ("open", "/board.json")
    # Then at once every relay pin as an output at its OFF level: 1 when active-low.
    assert ev[1:4] == [
        ("pin", 23, OUT, None, 1),
        ("pin", 22, OUT, None, 1),
        ("pin", 21, OUT, None, 0),
    ]
    assert ("print", "boot: 3 of 3 relays OFF") in ev[4:]
    assert g["HEATPUMP_SAFE_BOOT"] is None
    # The button was watched for a second, with its pull-up, and not held.
    assert ("pin", 0, IN, PULL_UP, None) in ev
    assert flash.now_ms == 1000


@pytest.mark.parametrize(
    "pressed, safe",
    [
        ((0, 5000), True),  # held from reset on
        ((400, 1500), True),  # pressed a little after reset
        ((500, 540), False),  # a 40 ms glitch is not a press
        ((1200, 5000), False),  # pressed too late: the app starts
    ],
)
def test_safe_boot_button(monkeypatch, pressed, safe):
    flash = Flash(board_files(), button_pressed_ms=pressed)
    g = run(monkeypatch, flash)
    reason = g["HEATPUMP_SAFE_BOOT"]
    if safe:
        assert reason == "safe-boot button on pin 0 held"
        assert flash.now_ms < 1000  # stops watching once it is held
        assert any("safe boot" in e[1] for e in flash.events if e[0] == "print")
    else:
        assert reason is None
    assert relay_writes(flash.events) == [(23, 1), (22, 1), (21, 0)]


def test_safe_boot_file_skips_the_app_without_waiting(monkeypatch):
    flash = Flash(board_files(**{"/safe_boot": ""}))
    g = run(monkeypatch, flash)
    assert g["HEATPUMP_SAFE_BOOT"] == "the file /safe_boot exists"
    assert flash.now_ms == 0
    assert relay_writes(flash.events) == [(23, 1), (22, 1), (21, 0)]


@pytest.mark.parametrize("files", [{}, {"/board.json": '{"relays": {"compressor": '}])
def test_no_usable_board_file_boots_safe_and_says_why(monkeypatch, files):
    flash = Flash(files)
    g = run(monkeypatch, flash)
    assert relay_writes(flash.events) == []
    prints = [e[1] for e in flash.events if e[0] == "print"]
    assert any(p.startswith("boot: cannot read /board.json") for p in prints), prints
    assert g["HEATPUMP_SAFE_BOOT"] == "no usable board file"


def test_bad_relay_entries_do_not_stop_the_others(monkeypatch):
    board = {
        "relays": {
            "compressor": {"pin": 23, "active_low": True},
            "flash_pin": {"pin": 7, "active_low": True},
            "input_only": {"pin": 35},
            "no_pin": {"active_low": True},
            "broken": {"pin": 19, "active_low": True},
            "fan_indoor": {"pin": 18, "active_low": True},
        },
        "safe_boot_pin": 0,
    }
    flash = Flash(board_files(board), broken_pins=(19,))
    g = run(monkeypatch, flash)
    assert relay_writes(flash.events) == [(23, 1), (18, 1)]
    prints = [e[1] for e in flash.events if e[0] == "print"]
    assert "boot: 2 of 6 relays OFF" in prints
    for name, pin in (("flash_pin", "7"), ("input_only", "35"), ("no_pin", "None")):
        assert f"boot: relay {name}: pin {pin} is not an output pin" in prints, prints
    assert any(p.startswith("boot: relay broken (pin 19) not driven OFF") for p in prints)
    assert g["HEATPUMP_SAFE_BOOT"] is None  # the app's own board check refuses it


@pytest.mark.parametrize("level", ["false", "true", 0, 1, None])
def test_a_relay_whose_off_level_is_not_a_boolean_is_not_driven(monkeypatch, level):
    # "false" is a true value in Python: read by truthiness it drove an active-high
    # compressor relay ON, and the app then refused the file and never ran.
    board = json.loads(json.dumps(BOARD))
    board["relays"]["fan_outdoor"]["active_low"] = level
    flash = Flash(board_files(board))
    run(monkeypatch, flash)
    assert relay_writes(flash.events) == [(23, 1), (22, 1)]
    prints = [e[1] for e in flash.events if e[0] == "print"]
    assert f"boot: relay fan_outdoor: active_low {level!r} is not true or false, so its OFF" in (
        " ".join(prints)
    ), prints


@pytest.mark.parametrize(
    "pin, why",
    [(23, "is a relay's pin"), (7, "is a flash or serial REPL pin"), (1, "is a flash or"),
     (40, "is not a GPIO number"), ("0", "is not a GPIO number"), (True, "is not a GPIO")],
)  # fmt: skip
def test_a_safe_boot_pin_that_is_no_button_is_never_made_an_input(monkeypatch, pin, why):
    board = dict(BOARD, safe_boot_pin=pin)
    flash = Flash(board_files(board), button_pressed_ms=(0, 5000))
    g = run(monkeypatch, flash)
    assert [e for e in flash.events if e[0] == "pin" and e[2] == IN] == []
    assert relay_writes(flash.events) == [(23, 1), (22, 1), (21, 0)]  # each once, OFF
    prints = [e[1] for e in flash.events if e[0] == "print"]
    assert any(p.startswith(f"boot: safe_boot_pin {pin!r} {why}") for p in prints), prints
    assert g["HEATPUMP_SAFE_BOOT"] is None  # the app's own board check refuses it


def test_relays_off_is_left_for_main_and_for_a_person(monkeypatch):
    flash = Flash(board_files())
    g = run(monkeypatch, flash)
    flash.events.clear()
    assert g["relays_off"]() == 3
    assert relay_writes(flash.events) == [(23, 1), (22, 1), (21, 0)]


class FakeApp(types.ModuleType):
    def __init__(self, flash, fail=None):
        super().__init__("heatpump.app")
        self.flash = flash
        self.fail = fail

    def run(self):
        self.flash.events.append(("app", "run"))
        if self.fail:
            raise self.fail


def boot_then_main(monkeypatch, flash, app):
    if app is None:
        monkeypatch.setitem(sys.modules, "heatpump.app", None)  # import fails
    else:
        monkeypatch.setitem(sys.modules, "heatpump.app", app)
    monkeypatch.delattr(heatpump, "app", raising=False)
    g = run(monkeypatch, flash)
    return run(monkeypatch, flash, "main.py", g)


def test_main_starts_the_app_after_boot(monkeypatch):
    flash = Flash(board_files())
    boot_then_main(monkeypatch, flash, FakeApp(flash))
    ev = flash.events
    assert ev.index(("app", "run")) > ev.index(("pin", 21, OUT, None, 0))


def test_main_does_not_start_the_app_on_safe_boot(monkeypatch):
    flash = Flash(board_files(**{"/safe_boot": ""}))
    boot_then_main(monkeypatch, flash, FakeApp(flash))
    assert ("app", "run") not in flash.events
    prints = [e[1] for e in flash.events if e[0] == "print"]
    assert any("main: safe boot (the file /safe_boot exists)" in p for p in prints), prints


def test_relays_end_off_when_the_app_dies(monkeypatch):
    flash = Flash(board_files())
    with pytest.raises(KeyboardInterrupt):
        boot_then_main(monkeypatch, flash, FakeApp(flash, KeyboardInterrupt()))
    after = flash.events[flash.events.index(("app", "run")) :]
    assert relay_writes(after) == [(23, 1), (22, 1), (21, 0)]


def test_main_without_the_app_says_how_to_deploy(monkeypatch):
    flash = Flash(board_files())
    boot_then_main(monkeypatch, flash, None)
    prints = [e[1] for e in flash.events if e[0] == "print"]
    assert any("main: cannot start the app: heatpump.app did not import" in p for p in prints)
    assert any("make deploy" in p for p in prints)
