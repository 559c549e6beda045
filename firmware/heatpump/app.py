"""The app: the control core as asyncio tasks, supervised, with persistence and a REPL.

    from heatpump import app
    app.run()              # main.py: /board.json, the ESP32 HAL, flash, aiorepl

`App(hal, store, counters, clock=..., repl=...)` runs the same on a SimHAL: `clock`
gives the sleep primitive and task creation (AsyncioClock on the board), so a test can
run the tasks in simulated time. The app only schedules; the core decides.

Tasks, one generation at a time:
- control: `ctl.tick()` every second. Sampling the thermistors is the tick's first
  step (measure -> decide -> actuate), so control acts on fresh readings.
- watchdog: feeds the hardware watchdog every second, but only while the control
  tick is alive; a stalled loop (or a stuck control task) is reset by the hardware.
- persist: settings and config saved when changed (checked every 5 s), counters at
  most every 10 min and only when changed (store.CounterStore), the self-test's
  report once it is finished.
- REPL: aiorepl with `hp` in its globals, run by the main coroutine itself, so Ctrl-D
  there (which empties asyncio's queue) ends the app cleanly.

A task that raises: every relay OFF at once, fault A1 and the exception text in
hp.log(), the other tasks stop, and after a pause a new generation starts with the same
controller (its min-off timer holds the compressor). A third crash within 10 min
resets the board (hal.reset()). Ctrl-C, Ctrl-D or any other way out: every relay OFF,
and the app says so. The reset cause is logged at start; a watchdog reset raises A2.
"""

import asyncio
import sys

from micropython import const

from heatpump import lazy
from heatpump.api import Api
from heatpump.crashes import CrashRule, exc_text, show_traceback
from heatpump.keeper import COUNTERS_EVERY_MS, PERSIST_EVERY_MS, Keeper
from heatpump.ticks import ticks_diff

# The annotations below are pyright's only: it takes any TYPE_CHECKING as true, the
# board never runs the import (the core loads after the board file's rules: build()).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from heatpump.controller import Controller

_TICK_MS = const(1000)  # the control period
_FEED_MS = const(1000)  # the watchdog feeder's period
_TICK_LATE_MS = const(5000)  # no control tick for this long: stop feeding the watchdog
_RESTART_MS = const(2000)  # pause between a crash and the new generation of tasks
_IDLE_MS = const(1000)  # the main coroutine's poll for a stop, when there is no REPL
LOG_SIZE = const(30)  # events kept for hp.log(), each cut to EVENT_CHARS
EVENT_CHARS = const(240)  # a long value pasted into a file is not held whole
_GC_EVERY_B = const(8192)  # a collection after this many bytes allocated (build says why)

SAFE_BOOT_HINT = "to keep it stopped: open('/safe_boot', 'w').close()"


class AsyncioClock:
    """Real time and real tasks: asyncio on the board (and on CPython)."""

    def __init__(self):
        self._ms = getattr(asyncio, "sleep_ms", None)  # MicroPython's, allocation-free

    def sleep_ms(self, ms):
        if self._ms is not None:
            return self._ms(ms)
        return asyncio.sleep(ms / 1000)

    def create_task(self, coro):
        return asyncio.create_task(coro)

    def run(self, coro):
        return asyncio.run(coro)

    def reset(self):
        # MicroPython keeps tasks of an interrupted run queued: drop them, so a later
        # run starts clean (CPython's asyncio.run already closed its loop).
        if sys.implementation.name == "micropython":
            asyncio.new_event_loop()


class AppApi(Api):
    """The REPL's `hp`: the core's Api plus the app's event log."""

    def __init__(self, ctl, app):
        Api.__init__(self, ctl)
        self.app = app

    def log(self, *args, **kw):
        """hp.log(n=20): the app's last n events, oldest first: start, reset cause,
        crashes, saves."""
        return self._run("log", args, kw, (self.app.events, LOG_SIZE))

    def help(self, *args, **kw):
        """What each command does, the app's own too; hp.help("log"): one's lines."""
        self._run("help", args, kw, ((_LOG_HELP,),))


_LOG_HELP = "  hp.log()                     the app's recent events (crashes, resets, saves)"


class App:
    # Set by app_boot.restore() during __init__:
    ctl: "Controller"  # the control core, restored from flash
    hp: "AppApi"  # the REPL's `hp`
    last_tick_ms: int  # when the control tick last completed

    def __init__(
        self, hal, store=None, counters=None, clock=None, repl=None, say=print, history=None
    ):
        self.hal = hal
        self.keeper = Keeper(self, store, counters, history)  # what goes to flash, when
        self.clock = clock or AsyncioClock()  # sleep_ms, create_task, run, reset
        self.repl = repl  # coroutine function taking the globals (aiorepl.task), or None
        self.say = say  # where messages for a person go (the console)
        self.events = []  # (uptime_s, text), oldest first, for hp.log()
        self.gen = 0  # generation of the running tasks; bumping it stops them
        self.crash_rule = CrashRule()  # the crashes counted, and when to reset
        self.stopped = None  # why the app stopped; None while it runs
        self.watchdog_ms = 0  # the hardware watchdog's timeout once started
        # The controller, restored from flash (app_boot.py: loaded for this, let go).
        lazy.call("app_boot", "restore", self)

    # ---- events and faults ----------------------------------------------------

    def event(self, text):
        """Add an event to hp.log() (keeps the last LOG_SIZE)."""
        if len(self.events) >= LOG_SIZE:
            self.events.pop(0)
        self.events.append((self.ctl.uptime_s, text[:EVENT_CHARS]))

    def record(self, code):
        try:
            self.ctl.record_fault(code)
        except Exception as e:  # never let the fault log stop the way out
            self.event("fault %s not recorded: %s" % (code, exc_text(e)))

    # ---- the tasks ------------------------------------------------------------

    def _start(self):
        """Start a new generation of tasks (the old one stops at its next wake)."""
        self.gen += 1
        gen = self.gen
        spawn = self.clock.create_task
        spawn(self._guard(gen, "control", self._control))
        spawn(self._guard(gen, "watchdog", self._feed))
        spawn(self._guard(gen, "persist", self._persist))

    async def _guard(self, gen, name, body):
        try:
            await body(gen)
        except Exception as e:  # not CancelledError, KeyboardInterrupt: BaseException
            if gen == self.gen and self.stopped is None:
                await self._crashed(name, e)

    # A task's loop only awaits and calls one step method: a suspended coroutine keeps
    # its whole frame, stale value-stack slots included, so an object it once touched
    # (a finished self-test) would stay in the heap for the whole uptime.
    async def _control(self, gen):
        sleep_ms = self.clock.sleep_ms
        while gen == self.gen:
            self._control_step()
            await sleep_ms(_TICK_MS)

    def _control_step(self):
        self.ctl.tick()
        self.last_tick_ms = self.hal.ticks_ms()
        keeper = self.keeper
        keeper.after_tick()
        keeper.show_selftest()

    async def _feed(self, gen):
        hal = self.hal
        sleep_ms = self.clock.sleep_ms
        while gen == self.gen:
            # Fed only while the control tick is alive: if it stops (stuck, or the loop
            # is blocked), the hardware resets the board.
            if ticks_diff(hal.ticks_ms(), self.last_tick_ms) <= _TICK_LATE_MS:
                hal.feed_watchdog()
            await sleep_ms(_FEED_MS)

    async def _persist(self, gen):
        sleep_ms = self.clock.sleep_ms
        counters_in = COUNTERS_EVERY_MS
        while True:
            await sleep_ms(PERSIST_EVERY_MS)
            if gen != self.gen:
                return
            counters_in = self.keeper.persist_step(counters_in - PERSIST_EVERY_MS)

    def on_crash(self, name, e):
        """The crash rule, up to its decision: every relay OFF, A1, the history on
        flash. True: the board must reset now (the third crash within 10 min); the
        simulator calls this too."""
        self.gen += 1  # the other tasks of this generation stop at their next wake
        self.all_off()
        text = "%s task: %s" % (name, exc_text(e))
        n, resetting = self.crash_rule.crashed(self.hal.ticks_ms(), text)
        self.record("A1")
        self.say("app: crash in the " + text)
        show_traceback(e, self.say)
        self._safe(self.keeper.save_history, resetting)  # the stop, and the reset to come
        if resetting:
            self.event("crash in the %s; every relay OFF" % text)
            self.stop("%d crashes within 10 min: resetting the board" % n, True)
        else:
            self.event(
                "crash in the %s; every relay OFF, restart in %d s" % (text, _RESTART_MS // 1000)
            )
        return resetting

    def start_to_flash(self):
        """Each start on flash before the relay closes (the inrush may brown us out)."""
        self._safe(self.keeper.save_history)

    def _safe(self, fn, *args):
        try:
            fn(*args)
        except Exception as e:  # the way out must not stop at a full flash
            self.event("%s failed: %s" % (getattr(fn, "__name__", "save"), exc_text(e)))

    async def _crashed(self, name, e):
        if self.on_crash(name, e):
            self.hal.reset()  # does not return on the board
            return
        pause_s = _RESTART_MS // 1000
        self.say("app: every relay OFF; the app restarts in %d s" % pause_s)
        await self.clock.sleep_ms(_RESTART_MS)
        if self.stopped is None:
            self.event("restarted")
            self._start()

    # ---- start, stop ----------------------------------------------------------

    async def main(self):
        """Start the watchdog and the tasks; run until the REPL's Ctrl-D or a stop."""
        wdt_s = self.ctl.cfg["watchdog_s"]
        self.hal.start_watchdog(wdt_s * 1000)
        self.watchdog_ms = wdt_s * 1000
        self.event("running; watchdog %d s" % wdt_s)
        self._start()
        if self.repl is not None:
            try:
                await self.repl({"hp": self.hp, "__name__": "__main__"})
                self.stop("Ctrl-D at the REPL")
                return
            except Exception as e:  # the unit keeps running without its REPL
                self.event("the REPL stopped: %s" % exc_text(e))
                self.say("app: the REPL stopped (%s); the unit keeps running" % exc_text(e))
        while self.stopped is None:
            await self.clock.sleep_ms(_IDLE_MS)

    def run(self):
        """Run until stopped. However it ends, every relay is OFF and the app says why."""
        why = "the app ended"
        try:
            self.clock.run(self.main())
        except KeyboardInterrupt:
            why = "Ctrl-C"
        except BaseException as e:
            why = exc_text(e)
            raise
        finally:
            self.stop(why)
            self.clock.reset()

    def all_off(self):
        """Every relay OFF, whatever state the controller or the HAL is in."""
        try:
            self.ctl.shutdown()  # also starts the min-off timer
        except Exception:
            pass
        hal = self.hal
        try:
            hal.all_relays_off()
            return
        except Exception:
            pass
        for name in hal.board.relay_names:  # one at a time: a bad relay stops no other
            try:
                hal.set_relay(name, False)
            except Exception:
                pass

    def stop(self, why, resetting=False):
        """Stop every task, every relay OFF, and say so (once)."""
        self.gen += 1
        self.all_off()
        if self.stopped is not None:
            return
        self.stopped = why
        self.event("stopped (%s); every relay OFF" % why)
        try:
            self.keeper.save_counters(force=True)
        except Exception as e:
            self.event("counters not saved: %s" % exc_text(e))
        self.say("app: stopped (%s): every relay is OFF." % why)
        if self.watchdog_ms and not resetting:
            self.say(
                "app: the watchdog resets the board within %d s, and the app starts again; %s"
                % (self.watchdog_ms // 1000, SAFE_BOOT_HINT)
            )


def stores(folder="/", fs=None):
    """The flash stores in folder: settings + config, the counters, the compressor's
    history (App's store, counters and history). fs: the filesystem (the board's own
    by default; the simulator's in-memory flash)."""
    return lazy.call("app_boot", "stores", folder, fs)


def _collect_early():
    # MicroPython collects only when an allocation fails, so garbage fills the whole
    # heap first and what lives is left scattered across it: the free heap in small
    # pieces (a week's largest free block 8 KB instead of 59 KB, make bench). A
    # collection every few KB allocated keeps what lives packed at the bottom; the
    # steady tick allocates nothing, so it costs only where something is built.
    import gc

    gc.collect()
    threshold = getattr(gc, "threshold", None)  # CPython's collector has no such knob
    if threshold is not None:
        threshold(_GC_EVERY_B)


def build(board_file="/board.json", folder="/", hal_class=None, clock=None, repl=None):
    """Everything main.py starts, built and restored from flash: the App, or None
    after saying why the board file cannot be used. hal_class, clock, repl: the
    board's own (Esp32HAL, asyncio, aiorepl) unless a test rig gives its stand-ins.

    The board file first: its rules are loaded, used and let go before the control
    core is imported, so the two are never in the heap together (the boot's peak)."""
    from heatpump import lazy
    from heatpump.board import BoardError, load_board

    _collect_early()
    try:
        board = load_board(board_file)
    except BoardError as e:
        print("app: cannot start, the board file is not usable: %s" % e)
        return None
    return lazy.call("app_boot", "build", board, folder, hal_class, clock, repl)


def run(board_file="/board.json", folder="/"):
    """The board's entry point (main.py): build everything, then App.run()."""
    app = build(board_file, folder)
    if app is not None:
        app.run()
