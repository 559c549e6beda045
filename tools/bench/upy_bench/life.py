"""The board's life, as it boots and runs, in a real MicroPython: boot.py, then the app
as main.py starts it, then days of running with a person at the REPL.

    node tools/bench/upy_bench/steps.mjs --mount IMAGE:/ tools/bench/upy_bench/life.py N [trace]
    cd IMAGE && MICROPYPATH=rig micropython -X heapsize=256K -m life N [trace] [map]

(N: days, or hours as `6h`; the unix port imports this rig as IMAGE/rig/life.mpy;
`trace` prints the room and the unit at each command, `map` the heap's block map at
the end).

IMAGE is what `make deploy` puts on the board (boot.py, main.py, board.json, the
heatpump package as .mpy; tools/bench_upy.board_image writes it) with the stand-in
`machine` in lib/ and this rig's thermistor tables in rig/tables.json. sys.path is the
board's. boot.py runs from its source in __main__'s globals; then what main.py does,
through heatpump.app.build, with three stand-ins a desktop needs: the HAL's clock is
simulated (Esp32HAL over the stand-in machine otherwise), the asyncio loop is this
rig's (tasks in simulated time, so a week takes minutes), and the REPL task is this
rig's (aiorepl is not on the registries here): each hour it runs one command a person
types, as aiorepl would (eval in the REPL's globals, the result's repr printed).

The unit lives in a room (integer model, milli-degrees): the outdoor temperature of
each day (mild, frosty with defrosts, warm, ...), frost on the outdoor coil while it
heats below 7 C, melted by a defrost; settings and counters reach the (simulated)
flash as the app writes them; day 3 at 10:00 the REPL starts a self-test, and sets
the mode again once it is done (a self-test leaves the unit off).

On the VM each step is one top-level call of steps.mjs (a collection happens between
two), on the unix port one call of step() after gc.collect(). The live heap is sampled
after boot, every 10 simulated minutes, after every REPL command, after each defrost
and when the self-test ends. Prints one line: BENCH {json}; on the unix port,
micropython.mem_info() after the last sample (its "max free sz" is in blocks), and
micropython.qstr_info() once booted and at the end (the interned names' pools).
"""

import gc
import json
import sys
import time
from array import array

ON_VM = sys.platform == "webassembly"
ROOT = "/" if ON_VM else ""  # the unix port runs in the image folder
sys.path[:] = ["", ".frozen", ROOT + "lib"]  # the board's import path
try:  # a ROMFS image (board_image(rom=True)): mounted as a board built with ROMFS does
    with open(ROOT + "rom.img", "rb") as _f:
        ROM = _f.read()  # in flash on the board: here the rig's heap
    import vfs

    vfs.mount(vfs.VfsRom(ROM), "/rom")
    sys.path[:] = ["", ".frozen", "/rom", "/rom/lib", ROOT + "lib"]
except OSError:  # no image: the package is on the filesystem
    pass
import machine  # noqa: E402  (the stand-in: built into the board, so the rig's heap)

_LENGTH = sys.argv[1] if len(sys.argv) > 1 else "7"  # days, or hours as "6h"
HOURS = int(_LENGTH[:-1]) if _LENGTH.endswith("h") else int(_LENGTH) * 24
TRACE = "trace" in sys.argv  # a line each hour: the model and the unit
SAMPLE_MS = 600_000
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
START_TICKS = (1 << 30) - 3 * DAY_MS  # the board's clock wraps on day 3
# Outdoor temperature, C, at 05:00 and at 15:00 of each day (lines between): day 2 and
# day 5 frosty (defrosts), day 3 mild (the self-test), day 4 warm (cooling).
DAYS_C = ((4, 12), (-4, 3), (12, 22), (20, 33), (-6, 2), (6, 16), (10, 26))
COMMANDS = (
    "hp.status()",
    "hp.set(setpoint=21.5)",
    "hp.faults()",
    "hp.stats()",
    "hp.config()",
    "hp.set(setpoint=99)",  # refused: out of range
    "hp.config(min_off_s=240)",
    "hp.log()",
    "hp.set(setpoint=21)",
    "hp.config(min_off_s=180)",
    "hp.defrost()",  # refused unless heating
    "hp.clear()",
)
FIRST = "hp.set(mode='auto', setpoint=21)"
SELFTEST_AT_MS = 2 * DAY_MS + 10 * HOUR_MS

with open(ROOT + "board.json") as _f:
    BOARD = json.load(_f)
with open(ROOT + "rig/tables.json") as _f:
    _t = json.load(_f)
TAB_LO_C = _t["lo_c"]
TABLES = {s: array("H", _t["mv"][s]) for s in _t["mv"]}  # sensor -> mV at each whole C
PINS = {s: BOARD["thermistors"][s]["pin"] for s in TABLES}
del _t


def relay_on(name):
    """What the relay's wire says (the stand-in machine's pin levels)."""
    r = BOARD["relays"].get(name)
    if r is None:
        return False
    on = 0 if r.get("active_low") else 1
    return machine.Pin.levels.get(r["pin"]) == on


def set_temp(sensor, mc):
    t = TABLES.get(sensor)
    if t is None:
        return
    off = mc - TAB_LO_C * 1000
    i = off // 1000
    if i < 0:
        i, off = 0, 0
    elif i >= len(t) - 1:
        i, off = len(t) - 2, (len(t) - 1) * 1000
    frac = off - i * 1000
    mv = t[i] + (t[i + 1] - t[i]) * frac // 1000
    machine.ADC.uv[PINS[sensor]] = mv * 1000


def outdoor_mc(t_ms):
    day = (t_ms // DAY_MS) % len(DAYS_C)
    lo, hi = DAYS_C[day]
    s = (t_ms % DAY_MS) // 1000
    if s < 18_000:  # midnight -> 05:00: the end of yesterday's fall
        prev = DAYS_C[day - 1][1] if day else hi
        return prev * 1000 + (lo - prev) * (s + 32_400) * 1000 // 50_400
    if s < 54_000:
        return lo * 1000 + (hi - lo) * (s - 18_000) * 1000 // 36_000
    nxt = DAYS_C[(day + 1) % len(DAYS_C)][0]
    return hi * 1000 + (nxt - hi) * (s - 54_000) * 1000 // 50_400


class _Sleep:
    ms = 0

    def __await__(self):
        yield self

    __iter__ = __await__  # MicroPython awaits through __iter__ too


class Loop:
    """The app's clock: its tasks in simulated time (one shared sleep object, read
    at once by the loop, so a sleep allocates nothing)."""

    def __init__(self):
        self.now_ms = 0  # simulated time since boot
        self.tasks = []  # [wake_ms, seq, coro]
        self.seq = 0
        self.sleeper = _Sleep()
        self.sample_now = None  # a reason: run_until returns at once
        self.hal = None

    def sleep_ms(self, ms):
        self.sleeper.ms = ms
        return self.sleeper

    def create_task(self, coro):
        self.seq += 1
        self.tasks.append([self.now_ms, self.seq, coro])

    def reset(self):
        self.tasks = []

    def run(self, coro):
        raise RuntimeError("the rig steps the app itself (run_until)")

    def run_until(self, until_ms):
        while self.sample_now is None:
            t = None
            for c in self.tasks:
                if t is None or c[0] < t[0] or (c[0] == t[0] and c[1] < t[1]):
                    t = c
            if t is None or t[0] > until_ms:
                self.hal.advance(until_ms - self.now_ms)
                self.now_ms = until_ms
                return
            if t[0] > self.now_ms:
                self.hal.advance(t[0] - self.now_ms)
                self.now_ms = t[0]
            try:
                got = t[2].send(None)
            except StopIteration:
                self.tasks.remove(t)
                continue
            self.seq += 1
            t[0] = self.now_ms + got.ms
            t[1] = self.seq


LOOP = Loop()
R = {"repl_errors": 0, "commands": 0, "defrosts": 0, "selftest": None, "max": 0}
R["max_at"] = ""
R["tracebacks"] = []  # commands that raised anything but a ValueError
M = {"room": 20_000, "icoil": 20_000, "ocoil": 4_000, "frost": 0, "defrost": False}


# The rig's tasks, like the app's, only await and call a step: a suspended coroutine's
# frame keeps what it last touched (app.py says why).
async def room(period_ms=10_000):
    """The room and the unit's coils, from the relays' wires, every 10 s."""
    while True:
        _room_step()
        await LOOP.sleep_ms(period_ms)


def _room_step():
    t = LOOP.now_ms
    out = outdoor_mc(t)
    hour = (t // HOUR_MS) % 24
    gain = 8 if 9 <= hour < 18 else 2  # sun and people, mC per 10 s
    d = (out - M["room"]) // 1_080 + gain  # 3 h time constant
    valve = relay_on("reversing_valve")
    heating = valve == (BOARD["reversing_valve"] == "B")
    icoil_to, ocoil_to = M["room"], out
    if relay_on("compressor"):
        if heating:
            d += 25  # 9 K/h
            icoil_to, ocoil_to = M["room"] + 20_000, out - 8_000
            if out < 7_000:
                M["frost"] += (7_000 - out) // 300  # ice grows on the coil
        else:
            d -= 25
            icoil_to, ocoil_to = M["room"] - 12_000, out + 12_000
            if M["frost"] > 0:
                M["frost"] = max(0, M["frost"] - 1000)  # melting
                ocoil_to = 0
    M["room"] += d
    M["icoil"] += (icoil_to - M["icoil"]) // 6
    M["ocoil"] += (ocoil_to - M["frost"] // 4 - M["ocoil"]) // 6
    set_temp("room", M["room"])
    set_temp("indoor_coil", M["icoil"])
    set_temp("outdoor", out)
    set_temp("outdoor_coil", M["ocoil"])
    set_temp("supply_air", (M["room"] + M["icoil"]) // 2)
    app = S.get("app")
    if app is not None:
        now = app.ctl.defrost_active
        if M["defrost"] and not now:
            R["defrosts"] += 1
            LOOP.sample_now = "after a defrost"
        M["defrost"] = now
        st = app.ctl.selftest
        if R["selftest"] == "running" and (st is None or not st.active):
            R["selftest"] = "done"
            LOOP.sample_now = "after the self-test"


async def repl(g):
    """A person at the REPL: one command each hour (the self-test on day 3, then the
    mode it leaves off set again)."""
    _repl_step(g, FIRST)  # at once, as after a power-up
    while True:
        await LOOP.sleep_ms(HOUR_MS - LOOP.now_ms % HOUR_MS)
        _repl_step(g, None)


def _repl_step(g, cmd):
    if cmd is None:
        cmd = COMMANDS[R["commands"] % len(COMMANDS)]
        if R["selftest"] is None and LOOP.now_ms >= SELFTEST_AT_MS:
            cmd = "hp.selftest()"
            R["selftest"] = "running"
        elif R["selftest"] == "done":
            cmd = FIRST  # the self-test leaves the unit off
            R["selftest"] = "done, mode set again"
    R["commands"] += 1
    try:
        r = eval(cmd, g)
        if r is not None:
            repr(r)  # what the REPL prints
    except ValueError:  # a refusal names the problem; the unit runs on
        R["repl_errors"] += 1
    except Exception as e:  # a traceback at the REPL: a bug (the test shows it)
        R["tracebacks"].append("%s: %r" % (cmd, e))
    LOOP.sample_now = cmd
    if TRACE:
        ctl = S["app"].ctl
        print(LOOP.now_ms // HOUR_MS, cmd, M, ctl.state, ctl.active_codes(),
              relay_on("compressor"), outdoor_mc(LOOP.now_ms))  # fmt: skip


S = {}  # what the steps built
samples = array("i", [0] * (HOURS + 1))  # live heap at each hour
G = {"__name__": "__main__"}  # boot.py's and main.py's globals


def _boot_py():
    for name in BOARD.get("inputs", {}):  # every switch at rest (a dry pan, no trip)
        e = BOARD["inputs"][name]
        machine.Pin.levels[e["pin"]] = 1 if e.get("active_low") else 0
    with open(ROOT + "boot.py") as f:
        src = f.read()
    if not ON_VM:  # the unix port's files are in the image folder, not at /
        src = src.replace('"/board.json"', '"board.json"').replace('"/safe_boot"', '"safe_boot"')
    exec(src, G)


def _main_py():
    # main.py: `from heatpump import app; app.run()` unless boot.py chose safe boot.
    if G.get("HEATPUMP_SAFE_BOOT"):
        raise RuntimeError("safe boot: " + G["HEATPUMP_SAFE_BOOT"])
    from heatpump import app as app_module
    from heatpump.hal.esp32 import Esp32HAL

    class LifeHAL(Esp32HAL):
        """Esp32HAL on the stand-in machine, its clock simulated."""

        def __init__(self, board):
            super().__init__(board)
            self.now = START_TICKS & ((1 << 30) - 1)
            self.ticks_ms = self._ticks

        def _ticks(self):
            return self.now

        def advance(self, ms):
            while ms > 0:
                step = ms if ms < (1 << 28) else 1 << 28
                self.now = time.ticks_add(self.now, step)  # type: ignore[attr-defined]
                ms -= step

        def random_ms(self, max_ms):
            return max_ms // 2  # the VM has no os.urandom

    app = app_module.build(ROOT + "board.json", ROOT, hal_class=LifeHAL, clock=LOOP, repl=repl)
    if app is None:
        raise RuntimeError("the app did not build")
    S["app"] = app
    LOOP.hal = app.hal
    LOOP.create_task(room())
    LOOP.create_task(app.main())
    while LOOP.now_ms < 2_000:  # the first ticks (the REPL's first command comes at once)
        LOOP.sample_now = None
        LOOP.run_until(2_000)
    LOOP.sample_now = None


ACTIONS = (("VM and this rig", None), ("boot.py", _boot_py), ("main.py: booted", _main_py))
_next = [0]
R["levels"] = []  # [label, live heap] of the boot steps


def _sample(live, why):
    if live > R["max"]:
        R["max"] = live
        R["max_at"] = "%s (day %d %02d:%02d)" % (
            why,
            LOOP.now_ms // DAY_MS + 1,
            (LOOP.now_ms % DAY_MS) // HOUR_MS,
            (LOOP.now_ms % HOUR_MS) // 60_000,
        )
    if LOOP.now_ms % HOUR_MS == 0:
        samples[LOOP.now_ms // HOUR_MS] = live


def step():
    live = gc.mem_alloc()
    k = _next[0]
    if k <= len(ACTIONS):
        if k:
            R["levels"].append([ACTIONS[k - 1][0], live])
        if k < len(ACTIONS):
            _next[0] = k + 1
            fn = ACTIONS[k][1]
            if fn is not None:
                fn()
            return True
        _next[0] = k + 1
        R["max"] = live
        R["max_at"] = "after boot"
        samples[0] = live
        R["loaded"] = sorted(m for m in sys.modules if m.startswith("heatpump"))
        _qstr_info("booted")
    why = LOOP.sample_now or "every 10 min"
    LOOP.sample_now = None
    _sample(live, why)
    end = HOURS * HOUR_MS
    if LOOP.now_ms >= end:
        _finish()
        return False
    LOOP.run_until(min(end, (LOOP.now_ms // SAMPLE_MS + 1) * SAMPLE_MS))
    return True


def _qstr_info(when):
    # The interned names' pools (never freed; each new one twice the last): printed,
    # so the week's growth can be told from a leak (unix port only).
    if not ON_VM:
        import micropython

        print("QSTR " + when)
        micropython.qstr_info()


def _finish():
    app = S["app"]
    ctl = app.ctl
    out = {
        "hours": HOURS,
        "boot": R["levels"],
        "max": R["max"],
        "max_at": R["max_at"],
        "hourly": list(samples),
        "commands": R["commands"],
        "refused": R["repl_errors"],
        "tracebacks": R["tracebacks"],
        "defrosts": R["defrosts"],
        "selftest": R["selftest"],
        "starts": ctl.counters().get("starts"),
        "faults": list(ctl.active_codes()),
        "events": len(app.events),
        "loaded": R["loaded"],
        "loaded_end": sorted(m for m in sys.modules if m.startswith("heatpump")),
        "implementation": "%s %s" % (sys.implementation.name, sys.version),
        "platform": sys.platform,
        "word_bytes": 8 if sys.maxsize > (1 << 32) else 4,
    }
    if not ON_VM:  # the heap as the week left it, before this report's own garbage
        import micropython

        gc.collect()
        _qstr_info("end")
        print("MEM_INFO")
        micropython.mem_info("map" in sys.argv)
    print("BENCH " + json.dumps(out))


if not ON_VM:  # the unix port collects for real inside a call
    gc.collect()
    while step():
        gc.collect()
else:
    gc.collect()
