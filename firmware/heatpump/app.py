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
- persist: what goes to flash, and when (keeper.py), and the self-test's report once
  it is finished.
- REPL: aiorepl with `hp` in its globals, run by the main coroutine itself, so Ctrl-D
  there (which empties asyncio's queue) ends the app cleanly.

A task that raises: every relay OFF at once, fault A1 and the exception text in
hp.log(), the other tasks stop, and after a pause a new generation starts with the same
controller (its min-off timer holds the compressor). A third crash within 10 min
resets the board (hal.reset()). Ctrl-C, Ctrl-D or any other way out: every relay OFF,
and the app says so. The reset cause is logged at start; a watchdog reset raises A2.
"""

from micropython import const

from heatpump.api import Api
from heatpump.clock import AsyncioClock
from heatpump.crashes import Crashes, exc_text, show_traceback
from heatpump.keeper import Keeper
from heatpump.ticks import ticks_diff

# The annotations below are pyright's only: it takes any TYPE_CHECKING as true, the
# board never runs the import (the core loads after the board file's rules: build()).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from heatpump.controller import Controller

_TICK_MS = const(1000)  # the control period
_FEED_MS = const(1000)  # the watchdog feeder's period
_TICK_LATE_MS = const(5000)  # no control tick for this long: stop feeding the watchdog
# The persistence schedule (persist_step; the simulator keeps the same one):
PERSIST_EVERY_MS = const(5000)  # how often settings/config are compared with flash
COUNTERS_EVERY_MS = const(60_000)  # how often the counter store is offered the counters
_RESTART_MS = const(2000)  # pause between a crash and the new generation of tasks
_IDLE_MS = const(1000)  # the main coroutine's poll for a stop, when there is no REPL
LOG_SIZE = const(30)  # events kept for hp.log()

SAFE_BOOT_HINT = "to keep it stopped: open('/safe_boot', 'w').close()"


class App:
    # Set by app_boot.restore() during __init__:
    ctl: "Controller"  # the control core, restored from flash
    hp: "Api"  # the REPL's `hp`
    last_tick_ms: int  # when the control tick last completed

    def __init__(
        self, hal, store=None, counters=None, clock=None, repl=None, say=print, history=None
    ):
        self.hal = hal
        # What goes to flash, and when (store: settings + config, counters, history;
        # each a store.Store / CounterStore, or None: no flash).
        self.keep = Keeper(store, counters, history, self._flash_fault)
        self.clock = clock or AsyncioClock()  # sleep_ms, create_task, run, reset
        self.repl = repl  # coroutine function taking the globals (aiorepl.task), or None
        self.say = say  # where messages for a person go (the console)
        self.events = []  # (uptime_s, text), oldest first, for hp.log()
        self.gen = 0  # generation of the running tasks; bumping it stops them
        self.crashes = Crashes()  # the crash rule's memory
        self.stopped = None  # why the app stopped; None while it runs
        self.watchdog_ms = 0  # the hardware watchdog's timeout once started
        self._st_seen = 0  # self-test progress lines already printed
        # The controller, restored from flash (app_boot.py: loaded for this, let go).
        from heatpump import lazy

        lazy.call("app_boot", "restore", self)

    # ---- events and faults ----------------------------------------------------

    def event(self, text):
        """Add an event to hp.log() (keeps the last LOG_SIZE)."""
        if len(self.events) >= LOG_SIZE:
            self.events.pop(0)
        self.events.append((self.ctl.uptime_s, text))

    def record(self, code):
        try:
            self.ctl.record_fault(code)
        except Exception as e:  # never let the fault log stop the way out
            self.event("fault %s not recorded: %s" % (code, exc_text(e)))

    def _flash_fault(self, msg, code):
        self.event("flash: " + msg)
        self.say("app: flash: " + msg)
        if code:
            self.record(code)

    # ---- persistence ----------------------------------------------------------

    def save_settings(self):
        """Write settings and config if they differ from flash; True if written."""
        ok = self.keep.save_settings(self.ctl)
        if ok:
            self.event("settings saved")
        return ok

    def save_counters(self, force=False):
        """Offer the counters to the counter store (it writes at most every 10 min)."""
        c = self.ctl.counters()
        self.crashes.add_to(c)
        return self.keep.save_counters(c, self.hal.ticks_ms(), force)

    def save_history(self, crash_reset=False):
        """Write the compressor's history (at each start and stop, lockout, reset)."""
        return self.keep.save_history(self.ctl, crash_reset)

    def after_tick(self):
        """What follows each control tick: the history to flash when it changed."""
        if self.keep.history_due(self.ctl):
            self.save_history()

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
        ctl = self.ctl
        ctl.tick()
        self.last_tick_ms = self.hal.ticks_ms()
        self.after_tick()
        st = ctl.selftest
        if st is not None and st.n_lines != self._st_seen:
            self._selftest_lines(st)

    def _selftest_lines(self, st):
        # The self-test's progress, printed as it goes (the core does not print).
        lines, self._st_seen = st.new_lines(self._st_seen)
        for line in lines:
            self.say(line)

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
            counters_in = self.persist_step(counters_in - PERSIST_EVERY_MS)

    def persist_step(self, counters_in):
        """The persistence task's turn, every PERSIST_EVERY_MS: settings, the
        self-test's report, and (when counters_in has run out) the counters to flash;
        returns the time left before the counters' next turn. The simulator calls it
        on the same schedule."""
        self.save_settings()
        st = self.ctl.selftest
        if st is not None and st.unsaved:
            st.save()  # the self-test's report, once it is finished
            self.keep.drain_list(st.store_faults)
        if st is not None and not st.unsaved and st.n_lines == self._st_seen:
            # Done, saved and printed: its ~20 KB of heap go back (the report
            # stays on flash for hp.selftest_report()).
            self.ctl.release_selftest()
        if counters_in > 0:
            return counters_in
        self.save_counters()
        return COUNTERS_EVERY_MS

    def on_crash(self, name, e):
        """The crash rule, up to its decision: every relay OFF, A1, the history on
        flash. True: the board must reset now (the third crash within 10 min); the
        simulator calls this too."""
        self.gen += 1  # the other tasks of this generation stop at their next wake
        self.all_off()
        text = "%s task: %s" % (name, exc_text(e))
        resetting = self.crashes.note(text, self.hal.ticks_ms())
        self.record("A1")
        self.say("app: crash in the " + text)
        show_traceback(e, self.say)
        self._safe(self.save_history, resetting)  # the stop, and the reset to come
        if resetting:
            self.event("crash in the %s; every relay OFF" % text)
            n = self.crashes.in_window()
            self.stop("%d crashes within 10 min: resetting the board" % n, True)
        else:
            self.event(
                "crash in the %s; every relay OFF, restart in %d s" % (text, _RESTART_MS // 1000)
            )
        return resetting

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
            self.save_counters(force=True)
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
    from heatpump import lazy

    return lazy.call("app_boot", "stores", folder, fs)


def build(board_file="/board.json", folder="/", hal_class=None, clock=None, repl=None):
    """Everything main.py starts, built and restored from flash: the App, or None
    after saying why the board file cannot be used. hal_class, clock, repl: the
    board's own (Esp32HAL, asyncio, aiorepl) unless a test rig gives its stand-ins.

    The board file first: its rules are loaded, used and let go before the control
    core is imported, so the two are never in the heap together (the boot's peak)."""
    from heatpump import lazy
    from heatpump.board import BoardError, load_board

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
