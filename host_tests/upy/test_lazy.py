"""Rarely used modules are loaded when used and let go after (heatpump/lazy.py).
Runs under MicroPython and CPython; the letting go happens on MicroPython only."""

import sys

from check import eq, raises
from heatpump import lazy
from replay_rig import Rig

ON_MP = sys.implementation.name == "micropython"
REPL_ONLY = ("heatpump.commands", "heatpump.config_rules", "heatpump.fault_text")


def _loaded(names):
    return [n for n in names if n in sys.modules]


def test_a_repl_command_leaves_none_of_its_modules_behind():
    r = Rig(settings={"mode": "cool", "setpoint": 23})
    r.run(5)
    r.hp.config(min_off_s=240)  # commands, then config_rules inside it
    assert "min_off_s" in repr(r.hp.config())
    if ON_MP:
        eq(_loaded(REPL_ONLY), [], "loaded after the commands")
    eq(r.ctl.cfg["min_off_s"], 240, "the change stays")


def test_a_refused_command_lets_its_modules_go_too():
    r = Rig()
    e = raises(ValueError, r.hp.set, setpoint=99)
    assert "setpoint=99" in str(e) and "16..30 C" in str(e), e
    if ON_MP:
        eq(_loaded(REPL_ONLY), [], "loaded after the refusal")


def test_the_board_rules_and_thermistor_models_are_gone_once_booted():
    r = Rig()
    r.run(2)
    if ON_MP:
        eq(_loaded(("heatpump.board_rules", "heatpump.config_rules")), [], "after boot")
    eq(r.ctl.sensors.present[0], True, "the room's table stayed")


def test_a_module_let_go_loads_again_when_used():
    a = lazy.use("fault_text").TEXT["E1"]
    lazy.drop("fault_text")
    b = lazy.use("fault_text").TEXT["E1"]
    lazy.drop("fault_text")
    eq(a, b, "the same text after a reload")
    if ON_MP:
        eq(_loaded(("heatpump.fault_text",)), [], "let go")


def test_a_full_heap_or_a_missing_file_at_the_repl_is_said_plainly():
    r = Rig()
    real = lazy.call

    def no_heap(*args, **kw):
        raise MemoryError("memory allocation failed, allocating 4096 bytes")

    def no_file(*args, **kw):
        raise ImportError("no module named 'heatpump.commands'")

    try:
        lazy.call = no_heap
        e = raises(MemoryError, r.hp.status)
        assert "hp.status(): not enough free heap" in str(e) and "runs on" in str(e), e
        lazy.call = no_file
        e = raises(ImportError, r.hp.config)
        assert "hp.config(): a firmware file is missing" in str(e), e
        assert "heatpump.commands" in str(e) and "make deploy" in str(e), e
    finally:
        lazy.call = real
    assert "mode" in r.hp.status(), "the next command works again"
