"""App scenarios in simulated time; the same functions run under MicroPython and CPython.

    node tools/upy_run.mjs --mount host_tests/upy:/upy host_tests/upy/app_scenarios.py

prints one `RESULT name {json}` line per scenario; host_tests/test_app_upy.py compares
them with the CPython run and checks the relay and fault logs.
"""

import json

from app_rig import (
    HOUR_MS,
    RigHAL,
    VirtualLoop,
    all_off,
    folder,
    make_app,
    room,
    setup_heating,
)

MIN_MS = 60_000


def _heating_app(flash, said, repl=None):
    hal = RigHAL()
    setup_heating(hal)
    loop = VirtualLoop(hal)
    app = make_app(hal, loop, flash, repl=repl, said=said)
    app.hp.set(mode="heat", setpoint=21)
    loop.create_task(room(hal, loop))
    return hal, loop, app


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def _result(hal, app, said):
    return {
        "relay_log": list(hal.relay_log),
        "raised": hal.raised,
        "faults": [[f["time_s"], f["code"]] for f in app.hp.faults()],
        "events": app.events,
        "said": [s for s in said if not s.startswith("Traceback")],
        "fed": hal.watchdog_fed,
        "max_unfed_ms": hal.max_since_feed_ms,
        "timeout_ms": hal.watchdog_timeout_ms,
        "resets": hal.resets,
        "uptime_s": app.ctl.uptime_s,
        "state": app.ctl.state,
        "setpoint_dC": app.ctl.setpoint_dC,
        "starts": app.ctl.starts,
        "stopped": app.stopped,
        "all_off": all_off(hal),
    }


def hour_with_crash(flash):
    """Heating for an hour; at 30 min a thermistor read raises in the control task."""
    said = []
    hal, loop, app = _heating_app(flash, said)
    hal.arm("read_adc", 30 * MIN_MS, RuntimeError("ADC read failed"))
    loop.run(app.main(), until_ms=HOUR_MS)
    r = _result(hal, app, said)
    r["settings_file"] = _read(flash + "settings.json")
    r["counters_file"] = _read(flash + "counters.json")
    return r


def crash_loop(flash):
    """From 20 min on every thermistor read fails: the third crash resets the board."""
    said = []
    hal, loop, app = _heating_app(flash, said)
    hal.arm("read_adc", 20 * MIN_MS, RuntimeError("ADC stuck"), times=1000)
    loop.run(app.main(), until_ms=HOUR_MS)
    r = _result(hal, app, said)
    r["counters_file"] = _read(flash + "counters.json")
    return r


def ctrl_c(flash, at_ms=25 * MIN_MS + 300):
    """Ctrl-C at the REPL while the app runs (KeyboardInterrupt in whatever runs)."""
    said = []
    hal, loop, app = _heating_app(flash, said)
    loop.interrupt_at_ms = at_ms
    loop.limit_ms = HOUR_MS
    app.run()
    r = _result(hal, app, said)
    r["end_ms"] = hal.elapsed_ms
    r["loop_resets"] = loop.resets
    return r


def ctrl_d(flash):
    """A REPL task with hp in its globals: a command at 10 min, Ctrl-D at 20 min."""
    said = []
    seen = {}

    async def repl(g):
        await loop.sleep_ms(10 * MIN_MS)
        seen["status"] = g["hp"].status()["state"]
        g["hp"].set(setpoint=23)
        await loop.sleep_ms(10 * MIN_MS)  # Ctrl-D: aiorepl.task returns

    hal, loop, app = _heating_app(flash, said, repl=repl)
    loop.limit_ms = HOUR_MS
    app.run()
    r = _result(hal, app, said)
    r["end_ms"] = hal.elapsed_ms
    r["repl_saw"] = seen.get("status")
    return r


SCENARIOS = (
    ("hour_with_crash", hour_with_crash),
    ("crash_loop", crash_loop),
    ("ctrl_c", ctrl_c),
    ("ctrl_d", ctrl_d),
)


def main(root):
    for name, fn in SCENARIOS:
        r = fn(folder(root + name + "/"))
        print("RESULT " + name + " " + json.dumps(r))


if __name__ == "__main__":
    main("/flash/")
