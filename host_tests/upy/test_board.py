"""Board files: loading, the Board object, and each rule of the validator
(MicroPython and CPython: the firmware runs the same validator at boot)."""

from check import empty_dir, eq, raises, remove_dir
from heatpump.board import Board, BoardError, load_board, validate


def good():
    """A small valid board; each test breaks one thing in a fresh copy."""
    return {
        "name": "test-board",
        "relays": {
            "compressor": {"pin": 23, "active_low": True},
            "reversing_valve": {"pin": 22, "active_low": True},
            "fan_indoor": {"pin": 21, "active_low": True},
            "fan_outdoor": {"pin": 19, "active_low": True},
        },
        "reversing_valve": "O",
        "shared_fan_motor": False,
        "thermistors": {
            "room": {
                "pin": 36,
                "part": "murata-ncp15xh103",
                "divider_ohm": 22000,
                "topology": "ntc_low",
            },
            "indoor_coil": {
                "pin": 39,
                "part": "murata-ncp15xh103",
                "divider_ohm": 22000,
                "topology": "ntc_low",
            },
            "outdoor": {
                "pin": 34,
                "r25": 10000,
                "beta": 3950,
                "divider_ohm": 33000,
                "topology": "ntc_low",
            },
            "outdoor_coil": {
                "pin": 35,
                "sh": [8.5e-4, 2.57e-4, 1.7e-7],
                "divider_ohm": 33000,
                "topology": "ntc_high",
            },
        },
        "inputs": {"condensate_full": {"pin": 27, "active_low": False, "pull": "up"}},
        "safe_boot_pin": 0,
        "adc": {"atten_db": 11, "samples": 8, "supply_mv": 3300},
    }


def refused(d, *words):
    """validate(d) must raise BoardError whose message holds every word; return it."""
    e = raises(BoardError, validate, d)
    msg = str(e)
    for w in words:
        assert w in msg, "%r not in %r" % (w, msg)
    return msg


# --- the shipped boards ---


def test_default_board_loads_by_name():
    b = load_board("esp32-devkitc")
    eq(b.name, "esp32-devkitc", "name")
    eq(b.relays["compressor"], (23, True), "compressor pin, active low")
    eq(b.fan_speeds, ("fan_indoor_low", "fan_indoor_med", "fan_indoor_high"), "fan speeds")
    eq(b.has_relay("fan_outdoor"), True, "separate outdoor fan")
    eq(b.has_relay("aux_heat"), True, "aux heat")
    eq(b.shared_fan_motor, False, "shared motor")
    eq(b.valve, "O", "valve")
    eq(b.sensors, ("room", "indoor_coil", "outdoor", "outdoor_coil", "supply_air"), "sensors")
    eq(b.inputs["condensate_full"], (27, False, "up"), "float switch")
    eq(b.safe_boot_pin, 0, "safe-boot pin")
    eq(b.adc, {"atten_db": 11, "samples": 8, "supply_mv": 3300}, "adc")
    eq(b.warnings, [], "warnings")


def test_relay_board_shares_one_fan_motor():
    b = load_board("esp32-relay-x4")
    eq(b.shared_fan_motor, True, "shared motor")
    eq(b.has_relay("fan_outdoor"), False, "no outdoor fan relay")
    eq(b.fan_speeds, ("fan_indoor_low", "fan_indoor_high"), "two speed taps")
    eq("supply_air" in b.thermistors, False, "no supply air sensor")


def test_valve_convention_decides_when_it_is_energised():
    d = good()
    eq(Board.from_dict(d).valve_on(heating=False), True, "O: energised in cool")
    eq(Board.from_dict(d).valve_on(heating=True), False, "O: off in heat")
    d["reversing_valve"] = "B"
    eq(Board.from_dict(d).valve_on(heating=True), True, "B: energised in heat")


def test_single_speed_fan_and_defaults():
    d = good()
    del d["adc"]
    del d["inputs"]
    b = Board.from_dict(d)
    eq(b.fan_speeds, (), "one-speed fan")
    eq(b.adc["samples"], 8, "default samples")
    eq(len(b.inputs), 0, "no inputs: float switch in series with the compressor")


def test_missing_board_names_the_places_looked():
    e = raises(BoardError, load_board, "no-such-board")
    assert "no-such-board" in str(e) and "/boards/no-such-board.json" in str(e), e


# --- each rule, its own refusal ---


def test_flash_pins_are_refused():
    d = good()
    d["relays"]["compressor"]["pin"] = 6
    refused(d, "relays.compressor", "GPIO6", "SPI flash", "6-11")
    d = good()
    d["thermistors"]["room"]["pin"] = 11
    refused(d, "thermistors.room", "GPIO11", "SPI flash")


def test_input_only_pin_cannot_drive_a_relay():
    d = good()
    d["relays"]["fan_outdoor"]["pin"] = 34
    d["thermistors"]["outdoor"]["pin"] = 32  # free 34 so only the relay rule fires
    refused(d, "relays.fan_outdoor", "GPIO34", "input-only", "34-39")


def test_adc2_pin_is_refused_for_a_thermistor():
    for pin in (0, 2, 4, 12, 13, 14, 15, 25, 26, 27):
        d = good()
        d["safe_boot_pin"] = None
        del d["inputs"]
        d["thermistors"]["room"]["pin"] = pin
        refused(d, "thermistors.room", "GPIO%d" % pin, "ADC2", "WiFi", "32-39")


def test_pin_without_adc_is_refused_for_a_thermistor():
    d = good()
    d["thermistors"]["room"]["pin"] = 18
    refused(d, "thermistors.room", "GPIO18", "no ADC", "32-39")


def test_same_pin_twice_is_refused_naming_both_uses():
    d = good()
    d["relays"]["fan_outdoor"]["pin"] = 23
    refused(d, "relays.fan_outdoor", "GPIO23", "already used by relays.compressor")
    d = good()
    d["inputs"]["condensate_full"]["pin"] = 0
    refused(d, "safe_boot_pin", "GPIO0", "already used by inputs.condensate_full")


def test_unknown_keys_are_refused_with_the_allowed_ones():
    d = good()
    d["relay"] = {}
    refused(d, "unknown key 'relay'", "allowed:", "relays")
    d = good()
    d["relays"]["compressor"]["inverted"] = True
    refused(d, "relays.compressor", "unknown key 'inverted'", "active_low")
    d = good()
    d["relays"]["heater"] = {"pin": 18}
    refused(d, "relays", "unknown key 'heater'", "aux_heat")
    d = good()
    d["thermistors"]["attic"] = {"pin": 33, "part": "10k-b3950", "divider_ohm": 10000}
    refused(d, "thermistors", "unknown key 'attic'", "supply_air")
    d = good()
    d["adc"]["width"] = 12
    refused(d, "adc", "unknown key 'width'", "samples")


def test_missing_required_relays_are_named():
    d = good()
    del d["relays"]["compressor"]
    refused(d, "missing compressor", "required")
    d = good()
    del d["relays"]["reversing_valve"]
    refused(d, "missing reversing_valve")
    d = good()
    del d["relays"]["fan_indoor"]
    refused(d, "missing the indoor fan", "fan_indoor_low")


def test_missing_required_thermistors_are_named():
    for sensor in ("room", "indoor_coil", "outdoor", "outdoor_coil"):
        d = good()
        del d["thermistors"][sensor]
        refused(d, "thermistors: missing " + sensor, "supply_air")


def test_strapping_pin_relay_is_a_warning_not_an_error():
    d = good()
    d["relays"]["fan_outdoor"]["pin"] = 12
    warnings = validate(d)
    eq(len(warnings), 1, "one warning")
    assert "relays.fan_outdoor" in warnings[0] and "GPIO12" in warnings[0], warnings
    assert "strapping" in warnings[0], warnings
    eq(Board.from_dict(d).warnings, warnings, "kept on the board")
    d = good()
    d["relays"]["fan_outdoor"]["pin"] = 18
    eq(validate(d), [], "no warning on an ordinary pin")


def test_serial_repl_pins_are_refused():
    d = good()
    d["relays"]["fan_outdoor"]["pin"] = 1
    refused(d, "GPIO1", "UART0", "REPL")


def test_nonexistent_gpio_is_refused():
    d = good()
    d["relays"]["fan_outdoor"]["pin"] = 20
    refused(d, "no GPIO20", "0-19, 21-23, 25-27, 32-39")
    d["relays"]["fan_outdoor"]["pin"] = "GPIO18"
    refused(d, "pin must be a GPIO number", "GPIO18")


def test_pull_on_an_input_only_pin_is_refused():
    d = good()
    d["inputs"]["condensate_full"]["pin"] = 33
    validate(d)  # 33 has a pull-up: fine
    d["inputs"]["condensate_full"]["pin"] = 37
    refused(d, "inputs.condensate_full", "GPIO37", "no internal pull")
    d["inputs"]["condensate_full"]["pull"] = None
    validate(d)  # with an external resistor it is fine


def test_fans_must_match_the_motor_arrangement():
    d = good()
    d["shared_fan_motor"] = True
    refused(d, "relays.fan_outdoor", "shared_fan_motor is true")
    d = good()
    del d["relays"]["fan_outdoor"]
    refused(d, "missing fan_outdoor", "shared_fan_motor")
    d["shared_fan_motor"] = True
    validate(d)
    d = good()
    d["relays"]["fan_indoor_high"] = {"pin": 18, "active_low": True}
    refused(d, "fan_indoor and the speed taps", "fan_indoor_high")


def test_thermistor_model_must_be_one_known_choice():
    d = good()
    d["thermistors"]["room"]["part"] = "ncp15"
    refused(d, "thermistors.room.part", "unknown part 'ncp15'", "murata-ncp15xh103")
    d = good()
    d["thermistors"]["room"]["beta"] = 3380
    refused(d, "thermistors.room", "exactly one of")
    d = good()
    d["thermistors"]["outdoor"]["beta"] = 39500
    refused(d, "thermistors.outdoor.beta", "1000-10000", "39500")
    d = good()
    d["thermistors"]["outdoor_coil"]["sh"] = [1, 2]
    refused(d, "thermistors.outdoor_coil.sh", "[a, b, c]")


def test_null_entries_and_odd_values_are_refused_not_crashed_on():
    # Each once passed validation, or crashed it, and Board() then raised a TypeError
    # out of boot instead of the message that names the entry.
    d = good()
    d["relays"]["compressor"] = None
    refused(d, "relays.compressor must be an object", "None")
    d = good()
    d["inputs"]["condensate_full"] = None
    refused(d, "inputs.condensate_full must be an object")
    for part in ([], {}, 7):
        d = good()
        d["thermistors"]["room"]["part"] = part
        refused(d, "thermistors.room.part: unknown part", "murata-ncp15xh103")
    d = good()
    d["thermistors"]["outdoor_coil"]["sh"] = [10**400, 2.57e-4, 1.7e-7]
    refused(d, "thermistors.outdoor_coil.sh", "is not an NTC thermistor")


def test_a_board_file_nested_too_deep_is_refused_by_name():
    path = empty_dir("board_test") + "/nested.json"
    with open(path, "w") as f:
        f.write('{"a":' * 3000 + "1" + "}" * 3000)
    e = raises(BoardError, load_board, path)  # not a RecursionError or MemoryError
    # CPython's json and the unix port's stop at some depth; the VM's reads it all, and
    # then the rules refuse what it holds.
    why = str(e)
    assert why.startswith(path + ":"), why
    assert "nested too deep" in why or "unknown key 'a'" in why, why
    remove_dir(path.rsplit("/", 1)[0])


def test_divider_and_topology_are_checked():
    d = good()
    d["thermistors"]["room"]["divider_ohm"] = 0
    refused(d, "thermistors.room.divider_ohm", "100-1000000")
    d = good()
    del d["thermistors"]["room"]["topology"]
    refused(d, "thermistors.room.topology", "ntc_low", "ntc_high", "None")


def test_valve_convention_and_flags_are_checked():
    d = good()
    d["reversing_valve"] = "cool"
    refused(d, "reversing_valve", '"O"', '"B"', "'cool'")
    d = good()
    d["relays"]["compressor"]["active_low"] = 1
    refused(d, "relays.compressor.active_low", "true or false")


def test_adc_settings_are_checked():
    d = good()
    d["adc"]["atten_db"] = 6
    refused(d, "adc.atten_db must be 11", "got 6")
    d = good()
    d["adc"]["samples"] = 64
    refused(d, "adc.samples", "1-32", "64")
    d = good()
    d["adc"]["supply_mv"] = 5000
    refused(d, "adc.supply_mv", "3000-3600")


def test_every_problem_is_reported_at_once():
    d = good()
    d["relays"]["compressor"]["pin"] = 7
    d["thermistors"]["room"]["pin"] = 25
    msg = refused(d, "GPIO7", "GPIO25")
    eq(len(msg.split("\n")), 2, "one line per problem")
