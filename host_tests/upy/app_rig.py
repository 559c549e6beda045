"""The app in simulated time, under MicroPython and CPython alike.

The MicroPython VM's asyncio runs on JavaScript timers (no run_until_complete), so
VirtualLoop steps the app's coroutines itself: sleep_ms(ms) suspends a task until the
SimHAL's clock reaches its wake time, and the loop moves that clock forward to the
earliest wake. A coroutine is resumed with send(None), so a KeyboardInterrupt or any
other exception comes out of run() as it comes out of asyncio.run() on the board.

    hal = RigHAL()
    loop = VirtualLoop(hal)
    app = make_app(hal, loop, "flash/")  # a folder for the two store files
    loop.run(app.main(), until_ms=3_600_000)
"""

from heatpump.app import App, stores
from heatpump.hal.sim import SimHAL

HOUR_MS = 3_600_000


class _Sleep:
    def __init__(self, ms):
        self.ms = ms

    def __await__(self):
        yield self

    __iter__ = __await__  # MicroPython awaits through __iter__ too


class _Task:
    def __init__(self, coro, wake, seq):
        self.coro = coro
        self.wake = wake  # sim ms (hal.elapsed_ms) when it runs next
        self.seq = seq  # FIFO order among tasks due at the same ms
        self.done = False

    def cancel(self):
        self.done = True
        self.coro.close()


class VirtualLoop:
    """The app's `clock`: tasks and sleeps in the SimHAL's time."""

    def __init__(self, hal):
        self.hal = hal
        self.tasks = []
        self.seq = 0
        self.interrupt_at_ms = None  # Ctrl-C: KeyboardInterrupt into the task running then
        self.resets = 0  # reset() calls (after a run)
        self.limit_ms = None  # run() without until_ms stops here (sim ms)

    def sleep_ms(self, ms):
        return _Sleep(ms)

    def create_task(self, coro):
        self.seq += 1
        t = _Task(coro, self.hal.elapsed_ms, self.seq)
        self.tasks.append(t)
        return t

    def reset(self):
        self.resets += 1
        for t in self.tasks:
            if not t.done:
                t.cancel()
        self.tasks = []

    def run(self, coro, until_ms=None):
        """Run coro (and the tasks it starts) until it returns or sim time reaches
        until_ms; returns what coro returned (None at the time limit)."""
        main = self.create_task(coro)
        return self.run_until(self.limit_ms if until_ms is None else until_ms, main)

    def run_until(self, until_ms=None, main=None):
        hal = self.hal
        while True:
            t = None
            for c in self.tasks:
                if not c.done and (t is None or (c.wake, c.seq) < (t.wake, t.seq)):
                    t = c
            if t is None:
                return None
            if until_ms is not None and t.wake > until_ms:
                if until_ms > hal.elapsed_ms:
                    hal.advance(until_ms - hal.elapsed_ms)
                return None
            if t.wake > hal.elapsed_ms:
                hal.advance(t.wake - hal.elapsed_ms)
            try:
                at = self.interrupt_at_ms
                if at is not None and hal.elapsed_ms >= at:
                    self.interrupt_at_ms = None
                    got = t.coro.throw(KeyboardInterrupt())
                else:
                    got = t.coro.send(None)
            except StopIteration as e:
                t.done = True
                self.tasks = [c for c in self.tasks if not c.done]
                if t is main:
                    return e.value
                continue
            self.seq += 1
            t.seq = self.seq
            t.wake = hal.elapsed_ms + got.ms


class RigHAL(SimHAL):
    """A SimHAL that can be made to fail once: `arm(method, at_ms, exc)` makes the
    first call of that HAL method at or after at_ms raise exc instead."""

    def __init__(self, board="esp32-devkitc", **kw):
        SimHAL.__init__(self, board, **kw)
        self.armed = {}  # method name -> (at_ms, exception)
        self.raised = []  # (elapsed_ms, method name, exception text)
        self.max_since_feed_ms = 0  # the longest the watchdog went unfed

    def arm(self, method, at_ms, exc, times=1):
        """The first `times` calls of method at or after at_ms raise exc."""
        self.armed[method] = [at_ms, exc, times]

    def _trip(self, method):
        a = self.armed.get(method)
        if a is not None and self.elapsed_ms >= a[0]:
            a[2] -= 1
            if a[2] <= 0:
                del self.armed[method]
            self.raised.append((self.elapsed_ms, method, str(a[1])))
            raise a[1]

    def advance(self, ms):
        SimHAL.advance(self, ms)
        if self.since_feed_ms > self.max_since_feed_ms:
            self.max_since_feed_ms = self.since_feed_ms

    def read_adc(self, sensor):
        self._trip("read_adc")
        return SimHAL.read_adc(self, sensor)

    def set_relay(self, name, on):
        self._trip("set_relay")
        SimHAL.set_relay(self, name, on)

    def feed_watchdog(self):
        self._trip("feed_watchdog")
        SimHAL.feed_watchdog(self)

    def ticks_ms(self):
        self._trip("ticks_ms")
        return SimHAL.ticks_ms(self)


def folder(path):
    """An empty folder for the flash files (path ends with /)."""
    import os

    parts = path.strip("/").split("/")
    cur = ""
    for p in parts:
        cur += "/" + p
        try:
            os.mkdir(cur)
        except OSError:
            pass
    for name in os.listdir(path):
        os.remove(path + name)
    return path


def make_app(hal, clock, flash=None, repl=None, said=None):
    """An App on hal with its stores in the folder flash (None: no flash)."""
    st, counters, history = stores(flash) if flash else (None, None, None)
    say = said.append if said is not None else (lambda text: None)
    return App(hal, st, counters, clock=clock, repl=repl, say=say, history=history)


async def room(hal, clock, period_ms=10_000):
    """A crude room and unit, enough for a thermostat to cycle: the room warms 0.1 C a
    minute while the compressor heats and cools half that when it is off; the indoor
    coil warms towards 40 C while it heats (no faster than a real coil, so the sensor
    jump check stays quiet), so the valve check and the anti-cold-blow see a real coil.
    It wakes half a second after the control tick, so the order of the two never
    depends on how an event loop breaks a tie."""
    t = 18.0
    coil = 18.0
    await clock.sleep_ms(500)
    while True:
        heating = hal.relay("compressor") and not hal.relay("reversing_valve")
        t += 0.01667 if heating else -0.00833
        target = 40.0 if heating else t
        step = target - coil
        coil += 2.0 if step > 2.0 else (-2.0 if step < -2.0 else step)
        hal.set_temp("room", t)
        hal.set_temp("indoor_coil", coil)
        await clock.sleep_ms(period_ms)


def setup_heating(hal):
    hal.set_temp("room", 18.0)
    hal.set_temp("indoor_coil", 18.0)
    hal.set_temp("outdoor", 8.0)
    hal.set_temp("outdoor_coil", 4.0)
    hal.set_temp("supply_air", 18.0)


def relays_at(hal, ms):
    """{relay: on} as the relay log says they were at sim time ms (after its changes)."""
    state = {}
    for name in hal.board.relay_names:
        state[name] = False
    for t, name, on in hal.relay_log:
        if t <= ms:
            state[name] = on
    return state


def all_off(hal):
    return not any(hal.relay(name) for name in hal.board.relay_names)
