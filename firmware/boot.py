"""First thing the board runs: every relay pin to its OFF level, then the safe-boot check.

Relay pins float at reset, so before anything slow this reads /board.json (json only,
no heatpump import) and drives each relay pin to its OFF level (1 on an active-low
board). It never raises: on an error it drives what it can and prints why.

Safe boot leaves the app stopped, the relays OFF and the REPL free, for recovery:
- the board's safe_boot_pin (the BOOT button: pulled up, pressed = low) held during the
  first second after a reset (GPIO0 held *at* power-on starts the ROM bootloader
  instead, so press EN, release it, then hold BOOT), or
- the file /safe_boot exists (make deploy writes it while it copies; a person may too).
boot.py and main.py share the __main__ globals: HEATPUMP_SAFE_BOOT holds the reason
(None: start the app), and relays_off() is there for main.py and for a person; the
rest is deleted at the end.
"""

import json
import time

try:
    import machine
except ImportError:  # not a board: nothing to drive, say so below
    machine = None

BOARD_FILE = "/board.json"
SAFE_BOOT_FILE = "/safe_boot"
_WINDOW_MS = 1000  # how long after reset the safe-boot button is looked at
_STEP_MS = 20  # between two looks; 3 pressed looks in a row count as held


def _relay_pins(relays, problems):
    """[(name, pin, off_level)] from the board file's relays; bad entries reported."""
    found = []
    for name in relays:
        entry = relays[name]
        pin = entry.get("pin") if isinstance(entry, dict) else None
        # Never drive the flash pins (6-11: the chip hangs) or input-only ones (34-39).
        if type(pin) is not int or not 0 <= pin <= 33 or 6 <= pin <= 11:
            problems.append("relay %s: pin %r is not an output pin" % (name, pin))
            continue
        active_low = entry.get("active_low", False)
        if active_low is not True and active_low is not False:
            # "false" is a true value: driven by it, an active-high relay would close.
            problems.append(
                "relay %s: active_low %r is not true or false, so its OFF level is "
                "unknown: pin %d not driven" % (name, active_low, pin)
            )
            continue
        found.append((name, pin, 1 if active_low else 0))
    return found


def relays_off():
    """Drive every relay pin of the board file to its OFF level; return how many."""
    done = 0
    if machine is None:
        return done
    for name, pin, level in _RELAYS:
        try:
            machine.Pin(pin, machine.Pin.OUT, value=level)
            done += 1
        except Exception as e:
            print("boot: relay %s (pin %d) not driven OFF: %r" % (name, pin, e))
    return done


def _button_held(pin_no):
    if machine is None:
        return False
    try:
        pin = machine.Pin(pin_no, machine.Pin.IN, machine.Pin.PULL_UP)
    except Exception:  # no pull-up on this pin: the board has its own
        pin = machine.Pin(pin_no, machine.Pin.IN)
    low = 0
    for _ in range(_WINDOW_MS // _STEP_MS):
        low = low + 1 if pin.value() == 0 else 0
        if low >= 3:
            return True
        time.sleep_ms(_STEP_MS)
    return False


def _safe_boot_reason(board):
    try:
        open(SAFE_BOOT_FILE).close()
        return "the file %s exists" % SAFE_BOOT_FILE
    except OSError:
        pass
    if board is None:
        return "no usable board file"
    if machine is None:
        return "no machine module"
    pin_no = board.get("safe_boot_pin") if isinstance(board, dict) else None
    if pin_no is None:
        return None
    why = _not_a_button(pin_no, board.get("relays"))
    if why:
        print("boot: safe_boot_pin %r %s: not read" % (pin_no, why))
        return None
    if _button_held(pin_no):
        return "safe-boot button on pin %d held" % pin_no
    return None


def _not_a_button(pin_no, relays):
    """Why pin_no must not be made an input with a pull-up, or None."""
    if type(pin_no) is not int or not 0 <= pin_no <= 39:
        return "is not a GPIO number"
    if 6 <= pin_no <= 11 or pin_no in (1, 3):
        return "is a flash or serial REPL pin"  # the chip hangs; the REPL goes quiet
    for entry in relays.values() if isinstance(relays, dict) else ():
        if isinstance(entry, dict) and entry.get("pin") == pin_no:
            return "is a relay's pin"  # a pulled-up input can close an active-high relay
    return None


_problems = []
try:
    with open(BOARD_FILE) as _f:
        _board = json.load(_f)
except Exception as _e:  # missing or corrupt: the app cannot run either
    _board = None
    _problems.append("cannot read %s: %r" % (BOARD_FILE, _e))
_relays = _board.get("relays") if isinstance(_board, dict) else None
if _board is not None and not isinstance(_relays, dict):
    _problems.append("%s has no relays object" % BOARD_FILE)
_RELAYS = _relay_pins(_relays, _problems) if isinstance(_relays, dict) else []
_n_relays = len(_relays) if isinstance(_relays, dict) else 0  # good and bad entries
if machine is None:
    _problems.append("no machine module")
    _done = 0
else:
    _done = relays_off()

# Only now the slow things.
try:
    print("boot: %d of %d relays OFF" % (_done, _n_relays))
    for _p in _problems:
        print("boot: " + _p)
    HEATPUMP_SAFE_BOOT = _safe_boot_reason(_board)
except Exception as _e:  # never stop the boot; stay safe
    HEATPUMP_SAFE_BOOT = "boot.py failed: %r" % _e
if HEATPUMP_SAFE_BOOT:
    print("boot: safe boot (%s): the app will not start, relays stay OFF" % HEATPUMP_SAFE_BOOT)
# These globals live on in __main__ beside the app: keep only what main.py and a person
# use (relays_off and its pins, HEATPUMP_SAFE_BOOT), not the parsed board file and the
# boot-only functions (a few KB of heap for the whole uptime).
for _name in ("_board", "_relays", "_problems", "_n_relays", "_done", "_f", "_e", "_p"):
    globals().pop(_name, None)
for _name in ("_relay_pins", "_button_held", "_safe_boot_reason", "_not_a_button", "_name"):
    globals().pop(_name)
