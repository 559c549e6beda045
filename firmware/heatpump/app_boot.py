"""Start-up: the app built from the board file and restored from flash, once per boot.

Loaded by App() and app.build() and let go after (lazy.py): none of it runs again
while the unit runs, so none of it stays in the heap.
"""

from heatpump import config as C
from heatpump import lazy
from heatpump.app import App, AppApi

LET_GO = True  # lazy.call lets this module go once the call that loaded it returns

AIOREPL_HINT = (
    "app: aiorepl is not installed, so there is no REPL while the unit runs. Install it"
    " with 'mpremote mip install aiorepl' (make deploy does it). Ctrl-C stops the app"
    " (every relay OFF) and gives the plain REPL."
)


def restore(app):
    """The controller from the stored config, then the settings, counters and the
    compressor's history, each value checked (a refused one is named in hp.log())."""
    from heatpump.controller import Controller

    lazy.use("config_rules")  # held until start-up is done (lazy.call says why)
    hal = app.hal
    values = app.keeper.load("settings") or {}
    try:
        app.ctl = Controller(hal, config=values.get("config"))
    except ValueError as e:  # the store checks each value; this is a last resort
        app.ctl = Controller(hal)
        app.event("stored config refused (%s): defaults used" % e)
        app.record("C1")
    app.keeper.saved_now(_load(app, values))  # the settings/config known to be on flash
    app.ctl.before_start(app.start_to_flash)  # each start is on flash before the relay closes
    app.last_tick_ms = hal.ticks_ms()  # when the control tick last completed
    app.hp = AppApi(app.ctl, app)
    cause = hal.reset_cause()
    app.event("started after a %s reset" % cause)
    _load_history(app, cause)


def _load(app, values):
    ctl = app.ctl
    keeper = app.keeper
    # Settings are checked against this board's fan speeds (the store cannot know).
    settings, errors = C.check_settings(values.get("settings") or {}, ctl.speeds)
    ctl.apply_settings(settings)
    for msg in errors:
        app.event("stored setting refused: " + msg)
    keeper.drain_loaded("settings")
    c = keeper.load("counters")
    if c is not None:
        for msg in ctl.restore_counters(c):
            app.event("stored counter refused: " + msg)
            app.record("C1")
        last = app.crash_rule.restore(c)
        if last is not None:
            app.event("last crash before this start: " + last)
        keeper.drain_loaded("counters")
    return keeper.persisted()


def _load_history(app, cause):
    """Starts, early stops, lockouts and resets from before this boot (history.py)."""
    ctl = app.ctl
    keeper = app.keeper
    doc = keeper.load("history") or {}
    damaged = keeper.damaged("history")  # then a run it lacks counts as cut short
    keeper.drain_loaded("history")
    for msg in ctl.restore_history(doc, damaged):
        app.event("stored history refused: " + msg)
        app.record("C1")
    crash_reset = doc.get("crash_reset") is True
    if cause == "watchdog" or crash_reset:
        why = "watchdog" if cause == "watchdog" else "crash rule"
        ctl.note_reset()  # repeated ones lock the compressor out (A4)
        if cause == "watchdog":
            app.record("A2")
            app.say("app: the last reset was by the watchdog (the loop stalled): fault A2")
        app.event("reset by the %s counted towards the reset lockout" % why)
        keeper.save_counters(force=True)  # the A2 count reaches flash now
    keeper.save_history()


def stores(folder="/", fs=None):
    """The flash stores in folder: settings + config, the counters, the compressor's
    history (App's store, counters and history). fs: the filesystem (the board's own
    by default; the simulator's in-memory flash)."""
    from heatpump import store as S

    # Settings are checked here against every fan speed; App checks them against the
    # board's own speeds.
    check = S.sections({"config": C.check, "settings": C.check_settings})
    return (
        S.Store(folder + "settings.json", check=check, fs=fs),
        S.CounterStore(folder + "counters.json", fs=fs),
        S.Store(folder + "history.json", fs=fs),
    )


def find_repl(say=print):
    """aiorepl's REPL task, or None after saying how to install it."""
    try:
        import aiorepl
    except ImportError:
        say(AIOREPL_HINT)
        return None
    return aiorepl.task


def build(board, folder, hal_class, clock, repl):
    """app.build() once the board file is loaded: the App, built and restored from
    flash. hal_class, clock, repl: the board's own (Esp32HAL, asyncio, aiorepl)
    unless a test rig gives its stand-ins."""
    # Held until start-up is done, so it is loaded once (lazy.call says why).
    lazy.use("config_rules")
    if hal_class is None:
        from heatpump.hal.esp32 import Esp32HAL as hal_class
    hal = hal_class(board)
    st, counters, history = stores(folder)
    repl = find_repl() if repl is None else repl
    app = App(hal, st, counters, clock=clock, repl=repl, history=history)
    app.ctl.keep_reports_in(folder + "selftest.json")  # beside the other stores
    return app
