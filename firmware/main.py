"""Starts the heat pump app (heatpump.app.run()) unless boot.py chose safe boot.

boot.py ran just before in the same __main__ globals: HEATPUMP_SAFE_BOOT holds the reason
for a safe boot (None: start), relays_off() drives every relay pin OFF.
"""

_g = globals()
if "HEATPUMP_SAFE_BOOT" not in _g:
    print("main: boot.py did not run (relays were not driven OFF at reset); starting anyway")
if _g.get("HEATPUMP_SAFE_BOOT"):
    print("main: safe boot (%s): the app is not started." % _g["HEATPUMP_SAFE_BOOT"])
    print("main: to run it: remove /safe_boot if it exists (import os; os.remove('/safe_boot'))")
    print("main: and reset (machine.reset()); relays_off() drives every relay OFF again")
else:
    try:
        from heatpump import app
    except ImportError as _e:
        app = None
        print("main: cannot start the app: heatpump.app did not import (%s);" % _e)
        print("main: deploy the firmware with: make deploy PORT=... BOARD=...")
    if app is not None:
        try:
            app.run()
        finally:
            # However the app ends (exception, Ctrl-C), the relays end OFF.
            if "relays_off" in _g:
                _g["relays_off"]()
