"""Heap allocation and time of one steady-state control tick.

    python -m tools.bench.tick_alloc [--ticks 1000] [--json]

Runs the measurement twice: under the MicroPython VM (`node tools/upy_run.mjs`, the
same file is the VM-side script) for bytes allocated per tick and time per tick,
and under CPython for time per tick. Times are reported as a ratio to one iteration
of a trivial loop on the same interpreter (median of many batches), so the figure
says something about the code rather than about this machine.

Allocation is measured with gc.disable() and gc.mem_alloc() around N ticks in three
steady states (cooling with the compressor on, idle, heating). Two figures each:
- `tick`: the controller alone, its HAL held steady (a thin HAL that returns the
  ADC readings and inputs the simulated board gave, and a clock it moves itself);
  this is the controller's own allocation, the figure that must be 0;
- `with_sim`: ctl.tick() on the real SimHAL after hal.advance(1000), minus the same
  loop with only hal.advance(1000) and the ADC reads (the simulator's own cost).
"""

import gc
import sys

try:
    from time import ticks_diff, ticks_us  # MicroPython
except ImportError:
    import time as _time

    def ticks_us():
        return _time.perf_counter_ns() // 1000

    def ticks_diff(a, b):
        return a - b


MICROPYTHON = sys.implementation.name == "micropython"
STATES = ("cooling", "idle", "heating")


def _temps(state):
    # room, indoor coil, outdoor, outdoor coil (C) that hold each state steady
    if state == "cooling":
        return {"room": 27, "indoor_coil": 12, "outdoor": 32, "outdoor_coil": 40}
    if state == "heating":
        return {"room": 18, "indoor_coil": 40, "outdoor": 5, "outdoor_coil": 0}
    return {"room": 22, "indoor_coil": 22, "outdoor": 20, "outdoor_coil": 20}


def build(state, board_name="esp32-devkitc"):
    """A SimHAL and a Controller that have settled into `state`."""
    from heatpump.board import load_board
    from heatpump.controller import Controller
    from heatpump.hal.sim import SimHAL

    hal = SimHAL(load_board(board_name))
    temps = _temps(state)
    for name in temps:
        hal.set_temp(name, temps[name])
    mode = "heat" if state == "heating" else "cool"
    ctl = Controller(hal, settings={"mode": mode, "setpoint": 22})
    for _ in range(900):  # past boot delay, start, min run and anti-cold-blow
        hal.advance(1000)
        ctl.tick()
    want_on = state != "idle"
    if ctl.seq.comp_on != want_on:
        raise RuntimeError(f"did not settle into {state}: state {ctl.state}")
    return hal, ctl


class SteadyHAL:
    """The HAL contract with readings frozen at what the simulated board gave."""

    def __init__(self, sim):
        from heatpump.ticks import ticks_add

        self.board = sim.board
        self.sim = sim
        self.now = sim.ticks_ms()
        self._add = ticks_add
        self.mv = {name: sim.read_adc(name) for name in sim.board.thermistors}
        self.inputs = {name: sim.read_input(name) for name in sim.board.inputs}

    def step(self, ms):
        self.now = self._add(self.now, ms)

    def ticks_ms(self):
        return self.now

    def read_adc(self, sensor):
        return self.mv[sensor]

    def read_input(self, name):
        return self.inputs[name]

    def set_relay(self, name, on):
        self.sim.set_relay(name, on)

    def relay(self, name):
        return self.sim.relay(name)

    def random_ms(self, max_ms):
        return 0

    def feed_watchdog(self):
        pass


def _alloc(fn, n):
    """Bytes fn(n) allocates with the collector off (MicroPython only)."""
    fn(10)  # warm up: first calls may intern or grow something
    gc.collect()
    gc.disable()
    try:
        before = gc.mem_alloc()  # pyright: ignore[reportAttributeAccessIssue]
        fn(n)
        return gc.mem_alloc() - before  # pyright: ignore[reportAttributeAccessIssue]
    finally:
        gc.enable()


def measure_alloc(n):
    """{state: (tick_bytes_per_tick, with_sim_bytes_per_tick)}; MicroPython only."""
    out = {}
    for state in STATES:
        hal, ctl = build(state)
        steady = SteadyHAL(hal)
        ctl.hal = steady
        ctl.seq.hal = steady

        def ticks_steady(k, steady=steady, ctl=ctl):
            for _ in range(k):
                steady.step(1000)
                ctl.tick()

        tick_bytes = _alloc(ticks_steady, n)
        ctl.hal = hal
        ctl.seq.hal = hal
        names = tuple(hal.board.thermistors)

        def ticks_sim(k, hal=hal, ctl=ctl):
            for _ in range(k):
                hal.advance(1000)
                ctl.tick()

        def sim_only(k, hal=hal, names=names):
            for _ in range(k):
                hal.advance(1000)
                for s in names:
                    hal.read_adc(s)

        with_sim = _alloc(ticks_sim, n) - _alloc(sim_only, n)
        log_len = len(hal.relay_log)
        ticks_sim(n)
        if len(hal.relay_log) != log_len:
            raise RuntimeError(f"{state} was not steady: relays changed")
        out[state] = (tick_bytes / n, with_sim / n)
    return out


def _median(xs):
    xs = sorted(xs)
    return xs[len(xs) // 2]


def measure_time(batches=15):
    """(us per steady tick, us per trivial loop iteration, ratio): medians of batches.

    Batches are long (tens of ms): the WebAssembly VM's ticks_us() moves in whole ms.
    """
    hal, ctl = build("cooling")
    steady = SteadyHAL(hal)
    ctl.hal = steady
    ctl.seq.hal = steady
    per_batch = 500
    tick_us = []
    for _ in range(batches):
        t0 = ticks_us()
        for _ in range(per_batch):
            steady.step(1000)
            ctl.tick()
        tick_us.append(ticks_diff(ticks_us(), t0) / per_batch)
    loop_us = []
    n = 200_000
    for _ in range(batches):
        x = 0
        t0 = ticks_us()
        for i in range(n):
            x += i  # the trivial loop iteration
        loop_us.append(ticks_diff(ticks_us(), t0) / n)
    t, lp = _median(tick_us), _median(loop_us)
    return t, lp, t / lp


def vm_main(n):
    """The VM side: print one line per figure (parsed by host_main)."""
    alloc = measure_alloc(n)
    for state in STATES:
        tick_b, sim_b = alloc[state]
        print(f"ALLOC {state} {tick_b:.3f} {sim_b:.3f}")
    t, lp, ratio = measure_time()
    print(f"TIME {t:.3f} {lp:.5f} {ratio:.1f}")


def run_vm(n=1000, unix=False):
    """Run the VM side (the WebAssembly VM, or the unix port with unix=True); return
    {"alloc": {state: (tick, with_sim)}, "time": (...)}."""
    import os
    import subprocess

    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env = None
    if unix:
        cmd = [os.path.join(os.path.dirname(sys.executable), "micropython")]
        cmd += [os.path.abspath(__file__), str(n)]
        env = dict(os.environ, MICROPYPATH=os.path.join(repo, "firmware"))
    else:
        cmd = ["node", os.path.join(repo, "tools", "upy_run.mjs"), "--mount"]
        cmd += [os.path.join(repo, "boards") + ":/boards", os.path.abspath(__file__), str(n)]
    done = subprocess.run(cmd, capture_output=True, text=True, cwd=repo, timeout=600, env=env)
    if done.returncode:
        raise RuntimeError("the MicroPython run failed:\n" + done.stdout + done.stderr)
    result = {"alloc": {}, "time": None}
    for line in done.stdout.splitlines():
        parts = line.split()
        if parts and parts[0] == "ALLOC":
            result["alloc"][parts[1]] = (float(parts[2]), float(parts[3]))
        elif parts and parts[0] == "TIME":
            result["time"] = tuple(float(x) for x in parts[1:])
    return result


def measure(n=1000):
    """Every figure: MicroPython alloc and time, CPython time (what `make bench` calls)."""
    vm = run_vm(n)
    t, lp, ratio = measure_time()
    return {
        "micropython_alloc_bytes_per_tick": {s: vm["alloc"][s][0] for s in STATES},
        "micropython_alloc_with_sim_bytes_per_tick": {s: vm["alloc"][s][1] for s in STATES},
        "micropython_tick_us": vm["time"][0],
        "micropython_tick_loop_ratio": vm["time"][2],
        "cpython_tick_us": round(t, 2),
        "cpython_tick_loop_ratio": round(ratio, 1),
    }


def host_main(argv):
    import argparse
    import json

    ap = argparse.ArgumentParser(prog="python -m tools.bench.tick_alloc", description=__doc__)
    ap.add_argument("--ticks", type=int, default=1000, help="ticks per allocation run")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    m = measure(args.ticks)
    if args.json:
        print(json.dumps(m, indent=2))
        return 0
    print(f"steady-state control tick, {args.ticks} ticks per run")
    for s in STATES:
        own = m["micropython_alloc_bytes_per_tick"][s]
        with_sim = m["micropython_alloc_with_sim_bytes_per_tick"][s]
        print(
            f"  MicroPython alloc, {s:8s} {own:6.1f} bytes/tick (controller)  "
            f"{with_sim:6.1f} with the sim"
        )
    for name, key in (("MicroPython", "micropython"), ("CPython", "cpython")):
        us, ratio = m[key + "_tick_us"], m[key + "_tick_loop_ratio"]
        print(f"  {name:11s} time {us:8.1f} us/tick = {ratio:6.0f} trivial loop iterations")
    return 0 if all(v == 0 for v in m["micropython_alloc_bytes_per_tick"].values()) else 1


if __name__ == "__main__":
    if MICROPYTHON:
        vm_main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
    else:
        import tools  # noqa: F401  (puts firmware/ on sys.path)

        sys.exit(host_main(sys.argv[1:]))
