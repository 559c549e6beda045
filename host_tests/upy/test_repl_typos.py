"""A person's typos at the REPL: the close names, not Python's errors from inside the
firmware (runs under MicroPython and CPython)."""

from check import eq, raises
from replay_rig import Rig

_RIG = []  # one unit for every test here: two would not fit the fixed-heap port


def _rig():
    if not _RIG:
        _RIG.append(Rig())
    return _RIG[0]


def _words(e):
    # A refusal is cut to the serial terminal's width: read as words.
    return " ".join(str(e).split())


def _before(r):
    return r.ctl.settings(), dict(r.ctl.cfg)


def test_a_mistyped_command_names_the_close_ones():
    r = _rig()
    said = repr(r.hp.stauts())
    assert max(len(line) for line in said.split("\n")) <= 80, said
    eq(
        _words(said),
        "hp has no command 'stauts': did you mean hp.stats() or hp.status()? hp.help() lists them",
        "one slip from two commands",
    )
    assert callable(r.hp.stats) and "stats" not in repr(r.hp.stats()), "a real command runs"
    said = repr(r.hp.selftset)
    assert "did you mean hp.selftest()?" in said, said
    said = repr(r.hp.reboot())
    eq(said, "hp has no command 'reboot': hp.help() lists them", "nothing close")
    raises(AttributeError, getattr, r.hp, "_private")  # Python's own probes stay as they are


def test_a_value_without_its_name_says_how_it_is_written():
    r = _rig()
    before = _before(r)
    msg = _words(raises(ValueError, r.hp.set, 21))
    eq(
        msg,
        "hp.set(21): give each value with its name, e.g. hp.set(setpoint=21) or"
        ' hp.set(mode="heat") (nothing changed)',
        "set",
    )
    msg = _words(raises(ValueError, r.hp.config, "min_off_s", 240))
    assert msg.startswith("hp.config('min_off_s', 240): give each value with its name"), msg
    msg = _words(raises(ValueError, r.hp.config, "defrost", min_off_s=240))
    assert msg.startswith("hp.config('defrost', min_off_s=240): show a part"), msg
    eq(_before(r), before, "nothing changed")


def test_a_mistyped_config_key_fits_a_line():
    r = _rig()
    before = _before(r)
    e = raises(ValueError, r.hp.config, min_of_s=240)
    shown = "ValueError: " + str(e)  # what the REPL prints: within 80 columns
    assert max(len(line) for line in shown.split("\n")) <= 80, shown
    msg = _words(e)
    eq(
        msg,
        "unknown config key 'min_of_s': did you mean min_off_s? hp.config() lists them"
        " (nothing changed)",
        "config",
    )
    msg = _words(raises(ValueError, r.hp.config, "defrots"))  # a filter no key has
    assert "did you mean" not in msg and "hp.config() lists them" in msg, msg
    eq(
        sorted(r.hp.config("freeze")),
        ["freeze_dC", "freeze_resume_dC", "freeze_s", "freeze_trips"],
        "the keys with that in their name",
    )
    msg = _words(raises(ValueError, r.hp.set, setpont=21))
    assert "did you mean setpoint?" in msg, msg
    eq(_before(r), before, "nothing changed")


def test_a_value_a_command_does_not_take_is_named_with_how_it_is_written():
    r = _rig()
    before = _before(r)
    eq(
        _words(raises(ValueError, r.hp.clear, 5)),
        "hp.clear(5): hp.clear() takes no values (nothing changed)",
        "clear",
    )
    eq(
        _words(raises(ValueError, r.hp.selftest, "heat", modes="cool")),
        "hp.selftest('heat', modes='cool'): hp.selftest() takes modes and cancel, e.g."
        ' hp.selftest(modes="heat") (nothing changed)',
        "a value given twice",
    )
    msg = _words(raises(ValueError, r.hp.selftest, colour=1))
    assert msg.startswith("hp.selftest(colour=1): hp.selftest() takes modes and cancel"), msg
    msg = _words(raises(ValueError, r.hp.selftest, cancel="no"))
    eq(msg, "hp.selftest(cancel='no'): True or False", "cancel is a yes or no")
    eq(list(r.hp.selftest_progress()), [], "no self-test started")
    msg = _words(raises(ValueError, r.hp.status, "x" * 500))
    assert msg.startswith("hp.status('xxxxxxxxxxxxxxxxxxx...): hp.status() takes no"), msg
    msg = _words(raises(ValueError, r.hp.config_help, 5))
    assert msg.startswith("hp.config_help(5): give part of a key's name"), msg
    msg = _words(raises(ValueError, r.hp.help, "sett"))
    eq(msg, "unknown help topic 'sett': did you mean set? hp.help() lists them", "help")
    msg = _words(raises(ValueError, r.hp.help, "freeze"))
    assert "hp.config_help('freeze') says what" in msg, msg
    for cmd in ("faults", "defrost", "stats", "selftest_cancel", "selftest_report"):
        raises(ValueError, getattr(r.hp, cmd), 1)
    eq(_before(r), before, "nothing changed")
