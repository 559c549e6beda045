"""VM side of the footprint figures: heap after each start-up step, allocation per sampling pass.

    node tools/bench/upy_bench/steps.mjs --heap 262144 --firmware build/bench/mpy \
        --mount boards:/boards tools/bench/upy_bench/footprint.py BOARD N_PASSES MODULE...

Imports each MODULE in turn (dependencies first, so each figure is the module's own
cost; one that cannot import in the VM is reported, not fatal), then starts up as the
board does: board file, Esp32HAL (over the stand-in `machine` in this folder),
Controller, Api, a few ticks. Every step runs in its own top-level call of steps.mjs, so
the heap read at the start of the next one is the live heap after a real collection.
After each step it also prints `NAMES i` and micropython.qstr_info() (the pools of
interned names, which MicroPython never frees and which grow in doubling chunks: a
module that opens a new pool would seem to cost the whole chunk). Then the sensors'
sampling pass (Sensors.read over the Esp32HAL) and the HAL's read_adc alone, N_PASSES
times with the collector off, and gc.mem_alloc() around them. Prints one line: BENCH
{json}.
"""

import gc
import json
import sys

import micropython

board_arg = sys.argv[1]
n_passes = int(sys.argv[2])
modules = sys.argv[3:]

S = {}  # what start-up built: kept alive across steps
skipped = {}  # module -> why it did not import in the VM


def _machine():
    import machine  # noqa: F401  (the stand-in: its heap is not the firmware's)


def _importer(name):
    def run():
        try:
            __import__(name)
        except ImportError as e:  # e.g. a module that needs micropython-lib on the board
            skipped[name] = str(e)

    return run


def _board():
    from heatpump.board import load_board

    S["board"] = load_board(board_arg)


def _hal():
    from heatpump.hal.esp32 import Esp32HAL

    class VmEsp32HAL(Esp32HAL):
        # The VM has no os.urandom, which the board's random_ms uses.
        def random_ms(self, max_ms):
            return max_ms // 2

    S["hal"] = VmEsp32HAL(S["board"])


def _controller():
    from heatpump.controller import Controller

    S["ctl"] = Controller(S["hal"], settings={"mode": "heat", "setpoint": 21})


def _api():
    from heatpump.api import Api

    S["api"] = Api(S["ctl"])


def _ticks():
    for _ in range(10):
        S["ctl"].tick()


ACTIONS = [("VM and this script", None), ("stand-in machine module", _machine)]
ACTIONS += [("import " + m, _importer(m)) for m in modules]
ACTIONS += [
    ("load the board file", _board),
    ("Esp32HAL", _hal),
    ("Controller", _controller),
    ("Api", _api),
    ("10 control ticks", _ticks),
]
heap = []  # [label, live bytes after it]
_next = 0


def _alloc_per_call(fn, n):
    fn()  # warm up
    gc.disable()
    try:
        before = gc.mem_alloc()
        for _ in range(n):
            fn()
        return (gc.mem_alloc() - before) / n
    finally:
        gc.enable()


def _finish():
    ctl, hal = S["ctl"], S["hal"]
    sn = ctl.sensors
    names = S["board"].sensors

    def sampling_pass():
        sn.read(hal, 1000)

    def hal_reads():
        for name in names:
            hal.read_adc(name)

    out = {
        "heap": heap,
        "sampling_pass_bytes": _alloc_per_call(sampling_pass, n_passes),
        "hal_reads_bytes": _alloc_per_call(hal_reads, n_passes),
        "channels": len(names),
        "skipped": skipped,
        "implementation": f"{sys.implementation.name} {sys.version}",
    }
    print("BENCH " + json.dumps(out))


def step():
    global _next
    live = gc.mem_alloc()
    if _next:
        heap.append([ACTIONS[_next - 1][0], live])
        print("NAMES %d" % (_next - 1))  # the pools as they are after that step
        micropython.qstr_info()
    if _next == len(ACTIONS):
        _finish()
        return False
    fn = ACTIONS[_next][1]
    if fn is not None:
        fn()
    _next += 1
    gc.collect()  # done when this call returns to steps.mjs
    return True


gc.collect()
