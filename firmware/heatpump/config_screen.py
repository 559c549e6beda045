"""hp.config() and hp.config_help(): the config as screens a serial terminal shows whole
(80 columns, at most 24 lines): every value at once, or the keys with a given part in
their name with default and range, or what they do.

Loaded with the command and let go after (lazy.py).
"""

from heatpump import config as C
from heatpump.api import Screen, Table

LET_GO = True  # lazy.call lets this module go once the call that loaded it returns

_PER_LINE = 3  # key=value cells of 26 columns on an 80-column line
_ROWS = 20  # keys on one screen: 24 lines less the header, the notes and a prompt
_TENTHS = "temperatures in tenths: 5 = 0.5 K, -70 = -7.0 C"


def matching(part):
    """The config keys with part in their name (every key for None); ValueError naming
    the close ones when none has it."""
    keys = C.keys()
    if part is None:
        return keys
    if not part:
        raise ValueError('an empty part of a name: give some of it, e.g. "defrost"')
    found = [k for k in keys if part in k]
    if not found:
        from heatpump import suggest

        raise suggest.unknown("config key", part, keys, "hp.config()")
    return found


def values(cfg):
    """Every key's value, three to a line; a * marks what differs from its default."""
    cells = []
    for key, default, _lo, _hi, _unit in C.schema():
        mark = "*" if cfg[key] != default else " "
        cells.append("%-19s%6s%s" % (key, cfg[key], mark))
    lines = [" ".join(cells[i : i + _PER_LINE]).rstrip() for i in range(0, len(cells), _PER_LINE)]
    lines.append("* = changed; " + _TENTHS)
    lines.append('hp.config("defrost"): those keys, default and range; hp.config_help("defrost")')
    out = Screen(cfg)
    out.text = "\n".join(lines)
    return out


def details(cfg, part):
    """The keys with part in their name: value, default, what is allowed."""
    keys = matching(part)
    lines = ["%-20s %7s %7s  %s" % ("key", "value", "default", "allowed")]
    defaults = C.defaults()
    for key in keys[:_ROWS]:
        default = defaults[key]
        mark = "*" if cfg[key] != default else " "
        lines.append("%-20s %6s%s %7s  %s" % (key, cfg[key], mark, default, C.allowed(key)))
    _more(lines, len(keys) - _ROWS, part)
    lines.append("* = changed; " + _TENTHS)
    out = Screen({k: cfg[k] for k in keys})
    out.text = "\n".join(lines)
    return out


def help_lines(part):
    """What the keys with part in their name do; with no part, which parts there are."""
    from heatpump.config_help import HELP

    if part is not None and not isinstance(part, str):
        from heatpump.text import short

        raise ValueError(
            'hp.config_help(%s): give part of a key\'s name, e.g. hp.config_help("defrost")'
            % short(part)
        )
    if part is None:
        keys = C.keys()
        words = sorted({k.split("_")[0] for k in keys})
        out = Table()
        out.text = (
            'hp.config_help("min_off_s"), or part of a name (one of: %s), says what it does'
            % ", ".join(words)
        )
        return out
    out = Table([(k, HELP[k]) for k in matching(part)])
    lines, rows = [], 0
    for row in out:
        line = "%-20s %s" % row
        rows += 1 + (len(line) > 80)  # a long one wraps to a second line
        if rows > _ROWS:
            break
        lines.append(line)
    _more(lines, len(out) - len(lines), part)
    out.text = "\n".join(lines)
    return out


def _more(lines, left, part):
    # A part many keys share ("_") still gets one screen: say what was left off.
    if left > 0:
        lines.append("... and %d more with %r in their name: give more of it" % (left, part))
