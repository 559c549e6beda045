"""How each REPL command is written: the values it takes, so that a call it cannot
take (hp.clear(5)) is answered with how to write it, not Python's TypeError from
inside the firmware, and the help screen, whole or for one topic (hp.help("set")).

Loaded only for those, and let go after (lazy.py): a command called right never
loads it.
"""

from heatpump.text import short

LET_GO = True  # lazy.call lets this module go once the call that loaded it returns

# The values each command takes, in order, and how a call is written. set and config
# are not here: they take settings and config keys by name and check those themselves.
_TAKES = {
    "status": ((), ""),
    "config_help": (("part",), 'hp.config_help("defrost")'),
    "faults": ((), ""),
    "defrost": ((), ""),
    "clear": ((), ""),
    "stats": ((), ""),
    "selftest": (("modes", "cancel"), 'hp.selftest(modes="heat")'),
    "selftest_cancel": ((), ""),
    "selftest_report": ((), ""),
    "selftest_progress": ((), ""),
    "help": (("topic",), 'hp.help("set")'),
    "log": (("n",), "hp.log(10)"),
}


def _call(name, args, kw):
    given = [short(a) for a in args] + ["%s=%s" % (k, short(kw[k])) for k in kw]
    return "hp.%s(%s)" % (name, ", ".join(given))


def check(name, args, kw):
    """ValueError naming the call and how it is written, for values the command does
    not take (too many, a name it has not, one given twice); None for values it takes
    (commands.run then lets Python's TypeError, the firmware's own, go on)."""
    if name not in _TAKES:
        return
    names, example = _TAKES[name]
    odd = [k for k in kw if k not in names or k in names[: len(args)]]
    if len(args) <= len(names) and not odd:
        return
    if not names:
        raise ValueError(
            "%s: hp.%s() takes no values (nothing changed)" % (_call(name, args, kw), name)
        )
    raise ValueError(
        "%s: hp.%s() takes %s, e.g. %s (nothing changed)"
        % (_call(name, args, kw), name, " and ".join(names), example)
    )


# How set and config are written (they take values by name only).
_BY_NAME = {
    "set": 'hp.set(setpoint=21) or hp.set(mode="heat")',
    "config": 'hp.config(min_off_s=240) or hp.config("defrost")',
}


def names_only(name, args, kw):
    """ValueError for hp.set(21): each value is given with its name; for
    hp.config("defrost", min_off_s=240): a part to show or values to change."""
    shown = _call(name, args, kw)
    if name == "config" and kw and len(args) == 1 and isinstance(args[0], str):
        raise ValueError(
            "%s: show a part (hp.config(%s)) or change values (hp.config(min_off_s=240)),"
            " one at a time (nothing changed)" % (shown, short(args[0]))
        )
    if args:
        raise ValueError(
            "%s: give each value with its name, e.g. %s (nothing changed)"
            % (shown, _BY_NAME[name])
        )


def commands():
    """Every command's name."""
    return sorted(list(_TAKES) + list(_BY_NAME))


def text(modes, setpoints, speeds, more=(), topic=None, keys=()):
    """The help screen; for a topic, its lines only. A topic no line has gets the close
    commands, or hp.config_help for part of a config key's name (ValueError)."""
    lines = (HELP % (modes, setpoints, speeds)).split("\n") + list(more)
    if topic is None:
        return "\n".join(lines)
    if not isinstance(topic, str):
        raise ValueError(
            'hp.help(%s): a topic is a command\'s name, e.g. hp.help("set")' % short(topic)
        )
    found = [line for line in lines if "hp.%s(" % topic in line]
    if not found and topic and [k for k in keys if topic in k]:
        raise ValueError(
            "hp.help(%r): no command has that name, hp.config_help(%r) says what the"
            " settings with it in their name do" % (topic, topic)
        )
    if not found:
        from heatpump import suggest  # let go with this module

        raise suggest.unknown("help topic", topic, commands(), "hp.help()")
    return "\n".join(found)


HELP = """hp: the heat pump at the REPL (it keeps running while you type)
  hp.status()                  mode, state, temperatures, relays, timers, faults
  hp.set(mode="heat")          modes: %s
  hp.set(setpoint=21.5)        allowed %s (units: hp.config(units="F"))
  hp.set(fan="continuous")     fan: auto (with the compressor), continuous
  hp.set(speed="low")          speeds on this board: %s
  hp.config()                  every value; hp.config("defrost"): with ranges
  hp.config_help("defrost")    what the settings with that in their name do
  hp.config(min_off_s=240)     change some (all checked first; a bad one: none)
  hp.faults()                  the last 20 faults; hp.clear() releases lockouts
  hp.stats()                   starts, run time, defrosts, fault counts
  hp.defrost()                 start a defrost now (service; heating only)
  hp.selftest()                commissioning test (modes="cool" or "heat": one)
  hp.selftest_progress()       its latest lines; hp.selftest_cancel() stops it
  hp.selftest_report()         the last report (this boot's or the one on flash)
  hp.help("set")               one command's lines"""
