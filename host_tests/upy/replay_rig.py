"""A test rig for the control core (runs under MicroPython and CPython alike).

    rig = Rig(settings={"mode": "cool", "setpoint": 23}, temps={"room": 26})
    rig.run(200)                      # 200 ticks, one a second
    rig.timeline()                    # [(seconds, relay, on), ...]

The rig owns a SimHAL and a Controller + Api, and stands in for the unit just
enough for scripted runs: with `coil_follows` the indoor coil drifts (0.5 K a
second) towards where a working unit would take it (12 K below the room while
cooling, 20 K above while heating, the room otherwise), so the stuck-valve check
sees a healthy unit unless a test takes the coil over. After every tick it records
what tools.sim.invariants.check_invariants needs (`ticks`).

`scripted_run()` is the replay test's run: the same script, under both interpreters,
must give the same relay log.
"""

from heatpump.api import Api
from heatpump.board import load_board
from heatpump.controller import Controller
from heatpump.hal.sim import SimHAL

START_TEMPS = {"room": 24, "indoor_coil": 24, "outdoor": 20, "outdoor_coil": 20}
_KEYS = ("mode", "state", "defrost", "faults", "broken")


class TickRuns:
    """The per-tick context the invariant checker reads, run-length encoded: a run of
    ticks at a steady step with the same context is one entry, so a week of ticks takes
    a few KB, not a dict per tick (which no board-sized heap holds). Iterating gives
    the checker its dicts."""

    def __init__(self):
        self.runs = []  # [first_ms, step_ms, n, (mode, state, defrost, faults, broken)]
        self.n = 0

    def add(self, ms, key):
        """One tick at ms; key: (mode, state, defrost, faults, broken items)."""
        self.n += 1
        if self.runs:
            last = self.runs[-1]
            first, step, n, was = last
            if was == key:
                if n == 1 and ms > first:
                    last[1] = ms - first
                    last[2] = 2
                    return
                if ms == first + step * n:
                    last[2] = n + 1
                    return
        self.runs.append([ms, 0, 1, key])

    def append(self, c):
        """One tick given as the checker's dict."""
        self.add(c["ms"], tuple(c[k] for k in _KEYS[:4]) + (tuple(sorted(c["broken"].items())),))

    def __len__(self):
        return self.n

    def __iter__(self):
        for first, step, n, key in self.runs:
            for k in range(n):
                c = {"ms": first + k * step}
                for i in range(4):
                    c[_KEYS[i]] = key[i]
                c["broken"] = dict(key[4])
                yield c


class Rig:
    def __init__(
        self,
        board="esp32-devkitc",
        settings=None,
        config=None,
        temps=None,
        seed=1,
        start_ms=0,
        coil_follows=True,
    ):
        self.hal = SimHAL(load_board(board), start_ms=start_ms, seed=seed)
        self.board = self.hal.board
        self.temps = dict(START_TEMPS)
        if "supply_air" in self.board.thermistors:
            self.temps["supply_air"] = 20
        for name in temps or {}:
            self.temps[name] = temps[name]
        for name in self.temps:
            self.hal.set_temp(name, self.temps[name])
        self.config = config or {}
        self.ctl = Controller(self.hal, config=config, settings=settings)
        self.hp = Api(self.ctl)
        self.coil_follows = coil_follows
        self.broken = {}  # sensor -> "open" | "short", as the HAL has them
        self.ticks = TickRuns()  # per-tick context for the invariant checker

    # ---- the world -----------------------------------------------------------

    def set_temp(self, sensor, c):
        self.temps[sensor] = c
        self.hal.set_temp(sensor, c)

    def break_sensor(self, sensor, how):
        self.hal.break_sensor(sensor, how)
        if how:
            self.broken[sensor] = how
        elif sensor in self.broken:
            del self.broken[sensor]

    def _coil_step(self, dt_s):
        ctl = self.ctl
        room = self.temps["room"]
        target = room
        if ctl.seq.comp_on:
            target = room - 12 if self.hal.relay("reversing_valve") else room + 20
            if self.board.valve == "B":
                target = room + 20 if self.hal.relay("reversing_valve") else room - 12
        coil = self.temps["indoor_coil"]
        step = 0.5 * dt_s
        if coil < target:
            coil = min(target, coil + step)
        elif coil > target:
            coil = max(target, coil - step)
        self.set_temp("indoor_coil", coil)

    # ---- time ----------------------------------------------------------------

    def run(self, seconds, step_ms=1000):
        """Tick once every step_ms for `seconds` of sim time."""
        n = int(seconds * 1000) // step_ms
        for _ in range(n):
            self.step(step_ms)

    def step(self, ms):
        """Advance ms, then one tick (the app's order), then record the context."""
        if self.coil_follows:
            self._coil_step(ms / 1000)
        self.hal.advance(ms)
        self.ctl.tick()
        self.record()

    def record(self):
        ctl = self.ctl
        broken = tuple(sorted(self.broken.items()))
        key = (ctl.mode, ctl.state, ctl.defrost_active, ctl.active_codes(), broken)
        self.ticks.add(self.hal.elapsed_ms, key)

    @property
    def now_s(self):
        return self.hal.elapsed_ms / 1000

    # ---- what happened -------------------------------------------------------

    def on(self, relay):
        return self.hal.relay(relay)

    def timeline(self, since_s=0):
        """[(seconds, relay, on)] of every relay change since since_s."""
        return [(ms / 1000, n, on) for ms, n, on in self.hal.relay_log if ms >= since_s * 1000]

    def changes(self, relay, since_s=0):
        """[(seconds, on)] of one relay's changes."""
        return [(t, on) for t, n, on in self.timeline(since_s) if n == relay]

    def starts(self):
        """Times (s) of every compressor start."""
        return [t for t, on in self.changes("compressor") if on]

    def ramp(self, sensor, c, c_per_s=0.5):
        """Move a sensor to c at c_per_s, ticking once a second; return the time (s)."""
        now = self.temps[sensor]
        while now != c:
            now = min(c, now + c_per_s) if c > now else max(c, now - c_per_s)
            self.set_temp(sensor, now)
            self.step(1000)
        return self.now_s

    def wait_until(self, cond, limit_s, step_ms=1000):
        """Tick until cond(rig) holds; return the sim time (s); fail after limit_s."""
        end = self.hal.elapsed_ms + limit_s * 1000
        while not cond(self):
            if self.hal.elapsed_ms >= end:
                raise AssertionError(
                    "condition not met within %d s (state %s)" % (limit_s, self.ctl.state)
                )
            self.step(step_ms)
        return self.now_s


def scripted_run(board="esp32-devkitc", start_ms=0):
    """One scripted run through most of the core: cool, dry, heat, faults, auto, with
    the board's clock starting at start_ms (one minute before the 2**30 ms wrap: the
    run crosses it while cooling).

    Returns the relay log as [(ms, name, on)] plus the fault log (time_s, code, detail).
    """
    rig = Rig(
        board,
        settings={"mode": "cool", "setpoint": 23},
        temps={"room": 26, "outdoor": 30},
        start_ms=start_ms,
    )
    rig.run(400)  # boot delay, cooling start
    rig.set_temp("room", 22)
    rig.run(300)  # satisfied: stop after min run, fan overrun
    rig.hp.set(mode="dry", speed="low")
    rig.set_temp("room", 24)
    rig.run(400)
    rig.hal.set_input("condensate_full", True)
    rig.run(60)
    rig.hal.set_input("condensate_full", False)
    rig.run(300)
    rig.hp.set(mode="heat", setpoint=22)
    rig.set_temp("outdoor", 5)
    rig.set_temp("room", 19)
    rig.run(700)  # min off across the reversal, anti-cold-blow
    rig.break_sensor("outdoor_coil", "open")
    rig.run(40)
    rig.break_sensor("outdoor_coil", None)
    rig.run(400)
    rig.set_temp("outdoor", -10)
    rig.run(300)  # heat lockout: aux heat
    rig.set_temp("outdoor", 0)
    rig.hp.set(mode="auto", fan="continuous")
    rig.set_temp("room", 25)
    rig.run(900)
    rig.hp.set(mode="off")
    rig.run(300)
    return rig.hal.relay_log, rig.ctl.protect.log.entries()


if __name__ == "__main__":
    import sys

    start = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    log, faults = scripted_run(sys.argv[1] if len(sys.argv) > 1 else "esp32-devkitc", start)
    for ms, name, on in log:
        print("R %d %s %d" % (ms, name, 1 if on else 0))
    for t, code, detail in faults:
        print("F %d %s %d" % (t, code, detail))
