"""The rules a board file must follow: every problem named, in one pass.

Used once per load by board.load_board and board.validate (lazily: this module and
its messages are let go once the board is loaded, so the running unit does not carry
them).
"""

import json

from heatpump import unit as unit_rules
from heatpump.board import (
    FAN_SPEEDS,
    INPUTS,
    PULLS,
    RELAYS,
    REQUIRED_SENSORS,
    SENSORS,
    VALVE_CONVENTIONS,
    Board,
    BoardError,
)

LET_GO = True  # lazy.call lets this module go once the call that loaded it returns

_TOP_KEYS = (
    "name",
    "description",
    "relays",
    "reversing_valve",
    "shared_fan_motor",
    "thermistors",
    "inputs",
    "safe_boot_pin",
    "adc",
    "unit",
)
_RELAY_KEYS = ("pin", "active_low", "note")
_THERMISTOR_KEYS = ("pin", "part", "r25", "beta", "sh", "divider_ohm", "topology", "note")
_INPUT_KEYS = ("pin", "active_low", "pull", "note")
_ADC_KEYS = ("atten_db", "samples", "supply_mv")

# ESP32 (WROOM/WROVER) pin facts.
_NO_GPIO = (20, 24, 28, 29, 30, 31)
_FLASH = (6, 7, 8, 9, 10, 11)  # wired to the SPI flash
_UART0 = {1: "TX", 3: "RX"}  # the serial REPL
_INPUT_ONLY = (34, 35, 36, 37, 38, 39)  # no output driver, no pull resistors
_ADC1 = (32, 33, 34, 35, 36, 37, 38, 39)
_ADC2 = (0, 2, 4, 12, 13, 14, 15, 25, 26, 27)  # unusable while WiFi is on
_STRAPPING = (0, 2, 5, 12, 15)  # sampled at reset


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _join(names):
    return ", ".join(names)


class _Checker:
    """Collects every problem in one pass, so a user fixes a file in one go."""

    def __init__(self):
        self.errors = []
        self.warnings = []
        self.used = {}  # pin -> where it is used, to catch a pin used twice

    def err(self, msg):
        self.errors.append(msg)

    def keys(self, where, d, allowed):
        if not isinstance(d, dict):
            self.err("%s must be an object ({...}), not %r" % (where, d))
            return False
        for k in d:
            if k not in allowed:
                self.err("%s: unknown key %r (allowed: %s)" % (where, k, _join(allowed)))
        return True

    def flag(self, where, d, key):
        v = d.get(key, False)
        if not isinstance(v, bool):
            self.err("%s.%s must be true or false, not %r" % (where, key, v))
            return False
        return v

    def number(self, where, d, key, lo, hi, what):
        v = d.get(key)
        if not (_is_number(v) and lo <= v <= hi):
            self.err("%s.%s must be %s, %d-%d; got %r" % (where, key, what, lo, hi, v))

    def pin(self, where, pin, use):
        """Check one pin for `use`: "relay", "input", "pull" (input with pull) or "adc"."""
        if not _is_int(pin):
            self.err("%s: pin must be a GPIO number, not %r" % (where, pin))
            return
        if pin < 0 or pin > 39 or pin in _NO_GPIO:
            self.err(
                "%s: the ESP32 has no GPIO%d (GPIOs: 0-19, 21-23, 25-27, 32-39)" % (where, pin)
            )
            return
        if pin in _FLASH:
            self.err(
                "%s: GPIO%d is wired to the SPI flash (GPIO6-11); use another pin" % (where, pin)
            )
            return
        if pin in _UART0:
            self.err(
                "%s: GPIO%d is the serial REPL's UART0 %s (GPIO1, GPIO3); use another pin"
                % (where, pin, _UART0[pin])
            )
            return
        if pin in self.used:
            self.err("%s: GPIO%d is already used by %s" % (where, pin, self.used[pin]))
            return
        self.used[pin] = where
        if use == "relay" and pin in _INPUT_ONLY:
            self.err(
                "%s: GPIO%d is input-only (GPIO34-39) and cannot drive a relay; "
                "use an output pin" % (where, pin)
            )
        elif use == "pull" and pin in _INPUT_ONLY:
            self.err(
                "%s: GPIO%d (GPIO34-39) has no internal pull resistor; "
                'fit an external one and set "pull": null, or use another pin' % (where, pin)
            )
        elif use == "adc" and pin in _ADC2:
            self.err(
                "%s: GPIO%d is on ADC2, which stops working while WiFi is on; "
                "thermistors need ADC1 pins (GPIO32-39)" % (where, pin)
            )
        elif use == "adc" and pin not in _ADC1:
            self.err(
                "%s: GPIO%d has no ADC; thermistors need ADC1 pins (GPIO32-39)" % (where, pin)
            )
        elif use == "relay" and pin in _STRAPPING:
            self.warnings.append(
                "%s: GPIO%d is a strapping pin (0, 2, 5, 12, 15), read at reset: the relay "
                "may click at power-up and its driver can stop the board booting; "
                "prefer another pin" % (where, pin)
            )


def _check_relays(ck, relays, shared_fan_motor):
    if not ck.keys("relays", relays, RELAYS):
        return
    for name in [n for n in RELAYS if n in relays]:
        entry = relays[name]  # null too: "must be an object", not a crash in Board()
        where = "relays." + name
        if ck.keys(where, entry, _RELAY_KEYS):
            if "pin" not in entry:
                ck.err('%s: missing "pin"' % where)
            else:
                ck.pin(where, entry["pin"], "relay")
            ck.flag(where, entry, "active_low")
    for name in ("compressor", "reversing_valve"):
        if name not in relays:
            ck.err(
                "relays: missing %s (required: compressor, reversing_valve, an indoor fan)" % name
            )
    speeds = [n for n in FAN_SPEEDS if n in relays]
    if "fan_indoor" in relays and speeds:
        ck.err(
            "relays: fan_indoor and the speed taps (%s) both given; use fan_indoor for a "
            "one-speed fan, or the speed taps" % _join(speeds)
        )
    elif "fan_indoor" not in relays and not speeds:
        ck.err(
            "relays: missing the indoor fan (required: fan_indoor, or one or more of %s)"
            % _join(FAN_SPEEDS)
        )
    if shared_fan_motor and "fan_outdoor" in relays:
        ck.err(
            "relays.fan_outdoor: shared_fan_motor is true, so the indoor fan relays drive "
            "both fans; remove fan_outdoor or set shared_fan_motor to false"
        )
    elif not shared_fan_motor and "fan_outdoor" not in relays:
        ck.err(
            "relays: missing fan_outdoor (required unless shared_fan_motor is true, "
            "i.e. one motor turns both fans)"
        )


def _check_thermistors(ck, thermistors):
    if not ck.keys("thermistors", thermistors, SENSORS):
        return
    for name in REQUIRED_SENSORS:
        if name not in thermistors:
            ck.err(
                "thermistors: missing %s (required: %s; optional: supply_air)"
                % (name, _join(REQUIRED_SENSORS))
            )
    from heatpump import thermistor as th  # only when validating

    for name in SENSORS:
        spec = thermistors.get(name)
        if spec is None:
            continue
        where = "thermistors." + name
        if not ck.keys(where, spec, _THERMISTOR_KEYS):
            continue
        if "pin" not in spec:
            ck.err('%s: missing "pin"' % where)
        else:
            ck.pin(where, spec["pin"], "adc")
        _check_model(ck, where, spec, th)
        ck.number(where, spec, "divider_ohm", 100, 1000000, "the fixed resistor in ohms")
        topology = spec.get("topology")
        if topology not in th.TOPOLOGIES:
            ck.err(
                "%s.topology must be %s (NTC from pin to GND, resistor to 3.3 V) or %s "
                "(NTC from 3.3 V to pin, resistor to GND); got %r"
                % (where, th.TOPOLOGIES[0], th.TOPOLOGIES[1], topology)
            )


def _check_model(ck, where, spec, th):
    # The thermistor's curve: a named part, a Beta, or Steinhart-Hart coefficients.
    parts = th.PARTS
    part = spec.get("part")
    inline_beta = "r25" in spec or "beta" in spec
    models = (part is not None) + inline_beta + ("sh" in spec)
    if models != 1:
        ck.err(
            '%s: give exactly one of "part" (%s), "r25" + "beta", or "sh": [a, b, c]'
            % (where, _join(sorted(parts)))
        )
    elif part is not None and (not isinstance(part, str) or part not in parts):
        ck.err("%s.part: unknown part %r (known: %s)" % (where, part, _join(sorted(parts))))
    elif inline_beta:
        ck.number(where, spec, "r25", 100, 1000000, "the resistance at 25 C in ohms")
        ck.number(where, spec, "beta", 1000, 10000, "the Beta in kelvin")
    elif "sh" in spec:
        sh = spec["sh"]
        if not (isinstance(sh, list) and len(sh) == 3 and all(_is_number(x) for x in sh)):
            ck.err("%s.sh must be the Steinhart-Hart [a, b, c]; got %r" % (where, sh))
        else:
            why = th.sh_problem(sh)
            if why is not None:
                ck.err("%s.sh %r is not an NTC thermistor: %s" % (where, sh, why))


def _check_inputs(ck, inputs):
    if not ck.keys("inputs", inputs, INPUTS):
        return
    for name in [n for n in INPUTS if n in inputs]:
        entry = inputs[name]
        where = "inputs." + name
        if not ck.keys(where, entry, _INPUT_KEYS):
            continue
        pull = entry.get("pull")
        if pull not in PULLS:
            ck.err('%s.pull must be "up", "down" or null; got %r' % (where, pull))
        if "pin" not in entry:
            ck.err('%s: missing "pin"' % where)
        else:
            ck.pin(where, entry["pin"], "input" if pull is None else "pull")
        ck.flag(where, entry, "active_low")


def _check_adc(ck, adc):
    if not ck.keys("adc", adc, _ADC_KEYS):
        return
    if adc.get("atten_db", 11) != 11:
        ck.err(
            "adc.atten_db must be 11 (the only ESP32 attenuation whose range, about "
            "150-2450 mV, suits a divider fed from 3.3 V); got %r" % adc.get("atten_db")
        )
    n = adc.get("samples", 8)
    if not (_is_int(n) and 1 <= n <= 32):
        ck.err("adc.samples must be a whole number of samples per reading, 1-32; got %r" % n)
    mv = adc.get("supply_mv", 3300)
    if not (_is_int(mv) and 3000 <= mv <= 3600):
        ck.err("adc.supply_mv must be the divider's supply in mV, 3000-3600; got %r" % mv)


def validate(d):
    """Check a board dict; return its warnings (list of str) or raise BoardError."""
    ck = _Checker()
    if not ck.keys("board", d, _TOP_KEYS):
        raise BoardError(ck.errors[0])
    if not isinstance(d.get("name"), str) or not d["name"]:
        ck.err('board: "name" must be a non-empty string, e.g. "esp32-devkitc"')
    if not isinstance(d.get("description", ""), str):
        ck.err('board: "description" must be a string')
    valve = d.get("reversing_valve")
    if valve not in VALVE_CONVENTIONS:
        ck.err(
            'reversing_valve must be "O" (energised in cool) or "B" (energised in heat); '
            "got %r" % (valve,)
        )
    shared = ck.flag("board", d, "shared_fan_motor")
    if "relays" not in d:
        ck.err('board: missing "relays"')
    else:
        _check_relays(ck, d["relays"], shared)
    if "thermistors" not in d:
        ck.err('board: missing "thermistors"')
    else:
        _check_thermistors(ck, d["thermistors"])
    _check_inputs(ck, d.get("inputs", {}))
    if d.get("safe_boot_pin") is not None:  # read with the internal pull-up
        ck.pin("safe_boot_pin", d["safe_boot_pin"], "pull")
    _check_adc(ck, d.get("adc", {}))
    ck.errors.extend(unit_rules.problems(d.get("unit")))
    if ck.errors:
        raise BoardError("\n".join(ck.errors))
    return ck.warnings


def _candidates(name_or_path):
    if name_or_path.endswith(".json") or "/" in name_or_path:
        return [name_or_path]
    file = name_or_path + ".json"
    found = ["boards/" + file]
    try:
        here = __file__  # .../firmware/heatpump/board_rules.py in the repository
        repo = here.rsplit("/", 3)[0] if here.count("/") >= 3 else ""
        if repo:
            found.append(repo + "/boards/" + file)
    except NameError:  # frozen into the firmware image
        pass
    found += ["/boards/" + file, "/" + file]
    return found


def load(name_or_path):
    """board.load_board: the file found, read and validated, as a Board."""
    tried = _candidates(name_or_path)
    for path in tried:
        try:
            with open(path) as f:
                d = json.load(f)
        except OSError:
            continue  # not there: try the next place
        except (ValueError, RuntimeError, MemoryError) as e:  # RecursionError: too deep
            why = "not valid JSON" if isinstance(e, ValueError) else "nested too deep to read"
            raise BoardError("%s: %s (%s)" % (path, why, e)) from None
        try:
            return Board(d, validate(d), path)
        except BoardError as e:
            raise BoardError("%s:\n%s" % (path, e.args[0])) from None
    raise BoardError("board %r not found (looked for %s)" % (name_or_path, _join(tried)))
