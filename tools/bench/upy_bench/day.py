"""VM side of the simulated day: Controller + SimHAL, one tick per simulated second.

    node tools/bench/upy_bench/steps.mjs --heap 262144 --firmware build/bench/mpy \
        --mount boards:/boards tools/bench/upy_bench/day.py BOARD SECONDS [STEP_S]

A scripted room in integer micro-degrees: a first-order room losing heat to an outdoor
temperature that swings 8 -> 28 C over the day (coldest at 05:00, warmest at 15:00), sun
and people adding heat by day, and the heat pump adding or removing heat while the
compressor relay is on (the reversing valve says which way); the coils follow with a
one-minute lag. The controller runs in auto at 22 C, so the day has heating, idle,
cooling and changeovers. The clock starts 12 h before the 2**30 ms tick wrap.

Readings come from tables made once at start-up with SimHAL's own thermistor and ADC
model (one per sensor, every 0.1 C), so the loop does integer work only and whatever the
heap does is the controller's doing. Every STEP_S simulated seconds (default 3600, a
multiple of 60) is one top-level call of steps.mjs, so the live heap is read after a real
collection at each step. Inside a call the VM frees nothing: the heap only grows, so its
level at the end of a step is the step's peak, and the growth is every byte allocated.
Prints one line: BENCH {json}.
"""

import gc
import json
import sys
import time
from array import array

from heatpump.board import load_board
from heatpump.control import STATES
from heatpump.controller import Controller
from heatpump.hal.sim import SimHAL

board = load_board(sys.argv[1])
seconds = int(sys.argv[2])
step_s = int(sys.argv[3]) if len(sys.argv) > 3 else 3600
if step_s % 60 or seconds % step_s:
    raise ValueError("STEP_S must be a multiple of 60 that divides SECONDS")

_LO_DC = -300  # table range, 0.1 C
_HI_DC = 700
_U = 100_000  # micro-degrees per 0.1 C


class DayHAL(SimHAL):
    """SimHAL whose readings come from per-sensor tables, indexed by the room model."""

    def __init__(self, board):
        super().__init__(board, start_ms=(1 << 30) - 12 * 3_600_000, log_relays=False)
        self.dC = {s: 200 for s in board.sensors}  # sensor -> model temperature, 0.1 C
        self.tab = {}  # sensor -> array of mV, one per 0.1 C from _LO_DC

    def build_table(self, s):
        # Float work in SimHAL's model: once, in its own step, so its garbage is collected.
        t = array("H", [0] * (_HI_DC - _LO_DC + 1))
        for i in range(len(t)):
            self.set_temp(s, (_LO_DC + i) / 10)
            t[i] = SimHAL.read_adc(self, s)
        self.tab[s] = t

    def read_adc(self, sensor):
        t = self.tab[sensor]
        i = self.dC[sensor] - _LO_DC
        return t[0 if i < 0 else (len(t) - 1 if i >= len(t) else i)]


def outdoor_u(t_s):
    """Outdoor temperature (micro-degrees C) t_s seconds after midnight: 8 C at 05:00,
    28 C at 15:00, straight lines between (rates in uC/s keep every product small)."""
    t = t_s % 86_400
    if t < 18_000:  # midnight -> 05:00: the end of the fall that began at 15:00
        return 28_000_000 - 396 * (t + 32_400)
    if t < 54_000:  # 05:00 -> 15:00: rising
        return 8_000_000 + 555 * (t - 18_000)
    return 28_000_000 - 396 * (t - 54_000)


hal = DayHAL(board)
todo = list(board.sensors)  # tables still to build, one per step
ctl = None
heat_on = board.valve_on(True)  # the valve state that means heating
has_supply = "supply_air" in board.sensors
M = {"room": 21_000_000, "icoil": 21_000_000, "ocoil": 8_000_000}  # the model, uC
ticks_in = {name: 0 for name in STATES}  # seconds spent in each controller state
R = {"alloc": 0, "alloc_max_min": 0, "peak": 0, "t": 0, "wall_ms": 0}
R["room_min"] = R["room_max"] = M["room"]
# live heap after a collection at the start of each step and at the end (preallocated:
# a growing list would be the loop's only allocation)
levels = [0] * (seconds // step_s + 1)


def tick():
    t = R["t"]
    out = outdoor_u(t)
    room = M["room"]
    hour = (t // 3600) % 24
    gain = 450 if 9 <= hour < 18 else 120  # sun + people by day, people at night (uC/s)
    d = (out - room) // 10_800 + gain  # loss to outdoors: 3 h time constant
    icoil_to, ocoil_to = room, out
    if hal.relay("compressor"):
        if hal.relay("reversing_valve") == heat_on:
            d += 3000
            icoil_to, ocoil_to = room + 20_000_000, out - 8_000_000
        else:
            d -= 3000
            icoil_to, ocoil_to = room - 12_000_000, out + 12_000_000
    room += d
    M["room"] = room
    M["icoil"] += (icoil_to - M["icoil"]) // 60
    M["ocoil"] += (ocoil_to - M["ocoil"]) // 60
    if room < R["room_min"]:
        R["room_min"] = room
    if room > R["room_max"]:
        R["room_max"] = room
    dC = hal.dC
    dC["room"] = room // _U
    dC["indoor_coil"] = M["icoil"] // _U
    dC["outdoor"] = out // _U
    dC["outdoor_coil"] = M["ocoil"] // _U
    if has_supply:
        dC["supply_air"] = (room + M["icoil"]) // (2 * _U)
    hal.advance(1000)
    ctl.tick()
    ticks_in[ctl.state] += 1
    R["t"] = t + 1


def step():
    global ctl
    if todo:
        hal.build_table(todo.pop())
        if not todo:
            ctl = Controller(hal, settings={"mode": "auto", "setpoint": 22})
        gc.collect()  # done when this call returns to steps.mjs
        return True
    live = gc.mem_alloc()
    levels[R["t"] // step_s] = live
    if R["t"] >= seconds:
        _finish()
        return False
    t0 = time.ticks_ms()
    a = live
    for _ in range(step_s // 60):
        for _ in range(60):
            tick()
        # gc.mem_alloc() walks the heap's table (~0.2 ms here): once a simulated minute.
        b = gc.mem_alloc()
        if b - a > R["alloc_max_min"]:
            R["alloc_max_min"] = b - a
        a = b
    R["alloc"] += a - live
    if a > R["peak"]:
        R["peak"] = a
    R["wall_ms"] += time.ticks_diff(time.ticks_ms(), t0)
    gc.collect()
    return True


def _finish():
    out = {
        "seconds": R["t"],
        "step_s": step_s,
        "levels": levels,
        "peak": R["peak"],
        "alloc": R["alloc"],
        "alloc_max_min": R["alloc_max_min"],
        "wall_ms": R["wall_ms"],
        "starts": ctl.starts,
        "state_s": {k: v for k, v in ticks_in.items() if v},
        "room_c": [R["room_min"] / 1e6, R["room_max"] / 1e6],
        "faults": list(ctl.active_codes()),
    }
    print("BENCH " + json.dumps(out))


gc.collect()
