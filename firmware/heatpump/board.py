"""Board files (boards/*.json): load, validate, and hold the wiring of one board.

`load_board("esp32-devkitc")` finds boards/esp32-devkitc.json (see _candidates for
where it looks; on the device the deploy writes /board.json, found as "board"),
validates it and returns a `Board`. A bad file raises `BoardError`; its message names
the key, the pin and the rule broken, one line per problem. Doubtful but legal
choices (a relay on a strapping pin) end up in `Board.warnings`.

Kept light: the rules and their messages (board_rules.py) are loaded only while a
file is validated, and the Board keeps only what the unit reads (no notes).
"""

from collections import OrderedDict

DEFAULT_BOARD = "esp32-devkitc"

SENSORS = ("room", "indoor_coil", "outdoor", "outdoor_coil", "supply_air")
REQUIRED_SENSORS = ("room", "indoor_coil", "outdoor", "outdoor_coil")
FAN_SPEEDS = ("fan_indoor_low", "fan_indoor_med", "fan_indoor_high")  # low -> high
RELAYS = ("compressor", "reversing_valve", "fan_indoor") + FAN_SPEEDS + ("fan_outdoor", "aux_heat")
INPUTS = ("condensate_full", "pressure_trip", "aux_limit")  # aux_limit: the element's cutout
VALVE_CONVENTIONS = ("O", "B")  # "O": energised in cool, "B": energised in heat
PULLS = ("up", "down", None)

_ADC_DEFAULTS = {"atten_db": 11, "samples": 8, "supply_mv": 3300}
_USED_KEYS = ("pin", "part", "r25", "beta", "sh", "divider_ohm", "topology")  # no notes


class BoardError(ValueError):
    """A board file that cannot be used; the message says where and why."""


def validate(d):
    """Check a board dict; return its warnings (list of str) or raise BoardError.
    The rules (board_rules.py) are loaded for this and let go after."""
    from heatpump import lazy

    return lazy.call("board_rules", "validate", d)


class Board:
    """A validated board: pins, polarities and conventions, by logical name.

    The dicts are OrderedDicts in the canonical order (RELAYS, SENSORS, INPUTS): a
    plain dict's order differs between MicroPython and CPython, and traces must not.
    """

    def __init__(self, d, warnings=(), source=None):
        self.name = d["name"]
        self.description = d.get("description", "")
        self.source = source  # the file it came from, if any
        self.warnings = list(warnings)
        relays = d["relays"]
        self.relays = OrderedDict()  # logical name -> (pin, active_low)
        for n in RELAYS:
            if n in relays:
                self.relays[n] = (relays[n]["pin"], relays[n].get("active_low", False))
        self.relay_names = tuple(self.relays)
        self.valve = d["reversing_valve"]
        self.shared_fan_motor = d.get("shared_fan_motor", False)
        self.fan_speeds = tuple(n for n in FAN_SPEEDS if n in self.relays)
        self.thermistors = OrderedDict()  # sensor -> spec (pin, part or model, divider, topology)
        for n in SENSORS:
            spec = d["thermistors"].get(n)
            if spec is not None:
                self.thermistors[n] = {k: spec[k] for k in _USED_KEYS if k in spec}
        self.sensors = tuple(self.thermistors)
        inputs = d.get("inputs", {})
        self.inputs = OrderedDict()  # name -> (pin, active_low, pull)
        for n in INPUTS:
            if n in inputs:
                e = inputs[n]
                self.inputs[n] = (e["pin"], e.get("active_low", False), e.get("pull"))
        self.safe_boot_pin = d.get("safe_boot_pin")
        self.adc = dict(_ADC_DEFAULTS)
        self.adc.update(d.get("adc", {}))
        from heatpump import lazy

        unit = d.get("unit") or {}
        self.unit_name = unit.get("name", "unnamed unit")
        # (heat_min, cool_min, cool_max) outdoors, 0.1 C: the unit's envelope (unit.py)
        self.envelope_dC = lazy.call("unit", "envelope_dC", unit)

    @classmethod
    def from_dict(cls, d, source=None):
        return cls(d, validate(d), source)

    def has_relay(self, name):
        return name in self.relays

    def valve_on(self, heating):
        """Whether the reversing valve is energised for heating (True) or cooling."""
        return heating if self.valve == "B" else not heating


def load_board(name_or_path=DEFAULT_BOARD):
    """Load and validate a board by name ("esp32-devkitc", "board") or path (the
    search and the rules: board_rules.py, loaded for this and let go after)."""
    from heatpump import lazy

    return lazy.call("board_rules", "load", name_or_path)
