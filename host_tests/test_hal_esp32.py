"""Esp32HAL's logic on CPython, against a fake `machine` module that records every call:
OFF levels from the first instant, polarity, explicit ADC attenuation, averaging,
input pulls, and a watchdog that starts only when asked."""

import importlib
import sys
import types

import pytest
from heatpump.board import load_board

EVENTS = []  # ("pin", id, mode, pull, value) | ("set", id, level) | ("adc", id, kwargs) | ...


class FakePin:
    IN = 1
    OUT = 3
    PULL_UP = 2
    PULL_DOWN = 4
    levels = {}  # pin id -> level seen on an input

    def __init__(self, id, mode=-1, pull=-1, *, value=None):
        self.id = id
        self.mode = mode
        EVENTS.append(("pin", id, mode, pull, value))
        if value is not None:
            FakePin.levels[id] = value

    def value(self, v=None):
        if v is None:
            return FakePin.levels.get(self.id, 0)
        FakePin.levels[self.id] = v
        EVENTS.append(("set", self.id, v))
        return None


class FakeADC:
    ATTN_0DB = 0
    ATTN_11DB = 3
    uv = {}  # pin id -> list of read_uv() values to return, in turn

    def __init__(self, pin, **kwargs):
        self.pin = pin
        EVENTS.append(("adc", pin.id, kwargs))

    def read_uv(self):
        EVENTS.append(("read_uv", self.pin.id))
        return FakeADC.uv[self.pin.id].pop(0)


class FakeWDT:
    made = []

    def __init__(self, *, id=0, timeout=5000):
        self.timeout = timeout
        self.feeds = 0
        FakeWDT.made.append(self)

    def feed(self):
        self.feeds += 1


@pytest.fixture
def esp32(monkeypatch):
    machine = types.ModuleType("machine")
    machine.Pin = FakePin  # type: ignore[attr-defined]
    machine.ADC = FakeADC  # type: ignore[attr-defined]
    machine.WDT = FakeWDT  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "machine", machine)
    monkeypatch.delitem(sys.modules, "heatpump.hal.esp32", raising=False)
    EVENTS.clear()
    FakePin.levels.clear()
    FakeADC.uv.clear()
    FakeWDT.made.clear()
    yield importlib.import_module("heatpump.hal.esp32")
    sys.modules.pop("heatpump.hal.esp32", None)  # bound to the fake: no one else may get it


def relay_events(board):
    pins = {p for p, _ in board.relays.values()}
    return [e for e in EVENTS if e[0] in ("pin", "set") and e[1] in pins]


@pytest.mark.parametrize("name,off", [("esp32-devkitc", 1), ("esp32-relay-x4", 0)])
def test_relays_are_outputs_at_their_off_level_from_the_start(esp32, name, off):
    board = load_board(name)
    esp32.Esp32HAL(board)
    events = relay_events(board)
    # One event per relay: the pin becomes an output already at OFF. No later write.
    assert events == [("pin", p, FakePin.OUT, -1, off) for p, _ in board.relays.values()]


def test_set_relay_follows_the_board_polarity(esp32):
    devkit = load_board("esp32-devkitc")  # active low
    hal = esp32.Esp32HAL(devkit)
    hal.set_relay("compressor", True)
    assert FakePin.levels[23] == 0
    assert hal.relay("compressor") is True
    hal.set_relay("compressor", False)
    assert FakePin.levels[23] == 1
    x4 = load_board("esp32-relay-x4")  # active high
    hal = esp32.Esp32HAL(x4)
    hal.set_relay("compressor", True)
    assert FakePin.levels[32] == 1
    with pytest.raises(ValueError, match="no relay 'fan_outdoor'"):
        hal.set_relay("fan_outdoor", True)


def test_all_relays_off_drives_every_pin_to_off(esp32):
    board = load_board("esp32-devkitc")
    hal = esp32.Esp32HAL(board)
    for name in board.relays:
        hal.set_relay(name, True)
    hal.all_relays_off()
    assert all(FakePin.levels[p] == 1 for p, _ in board.relays.values())


def test_adc_gets_its_attenuation_explicitly(esp32):
    board = load_board("esp32-devkitc")
    esp32.Esp32HAL(board)
    adcs = [e for e in EVENTS if e[0] == "adc"]
    assert [e[1] for e in adcs] == [s["pin"] for s in board.thermistors.values()]
    assert all(e[2] == {"atten": FakeADC.ATTN_11DB} for e in adcs), adcs


def test_read_adc_is_the_rounded_mean_of_the_boards_samples(esp32):
    board = load_board("esp32-devkitc")  # 8 samples
    hal = esp32.Esp32HAL(board)
    FakeADC.uv[36] = [1_000_000 + 1000 * k for k in range(8)] + [2_000_000] * 8
    EVENTS.clear()
    assert hal.read_adc("room") == 1004  # mean 1003.5 mV, rounded
    assert len([e for e in EVENTS if e == ("read_uv", 36)]) == 8
    assert hal.read_adc("room") == 2000
    assert FakeADC.uv[36] == []


def test_inputs_get_their_pull_and_polarity(esp32):
    board = load_board("esp32-devkitc")  # condensate_full: GPIO27, pull up, active high
    hal = esp32.Esp32HAL(board)
    assert ("pin", 27, FakePin.IN, FakePin.PULL_UP, None) in EVENTS
    FakePin.levels[27] = 0  # NC float switch closed: pan not full
    assert hal.read_input("condensate_full") is False
    FakePin.levels[27] = 1  # switch open, or a wire broken
    assert hal.read_input("condensate_full") is True


def test_watchdog_starts_only_when_asked_and_only_once(esp32):
    hal = esp32.Esp32HAL(load_board("esp32-devkitc"))
    hal.feed_watchdog()  # nothing to feed yet
    assert FakeWDT.made == []
    with pytest.raises(ValueError, match="timeout"):
        hal.start_watchdog()
    hal.start_watchdog(8000)
    hal.start_watchdog(8000)
    assert [w.timeout for w in FakeWDT.made] == [8000]
    hal.feed_watchdog()
    hal.feed_watchdog()
    assert FakeWDT.made[0].feeds == 2


def test_random_ms_is_in_range(esp32):
    hal = esp32.Esp32HAL(load_board("esp32-devkitc"))
    draws = [hal.random_ms(30_000) for _ in range(200)]
    assert all(0 <= d <= 30_000 for d in draws)
    assert len(set(draws)) > 150
    assert hal.random_ms(0) == 0


def test_unknown_sensor_and_input_are_refused_by_name(esp32):
    hal = esp32.Esp32HAL(load_board("esp32-relay-x4"))
    with pytest.raises(ValueError, match="no thermistor 'supply_air'"):
        hal.read_adc("supply_air")
    with pytest.raises(ValueError, match="no input 'pressure_trip'.*condensate_full"):
        hal.read_input("pressure_trip")
