"""How the REPL and the self-test write numbers for a person: temperatures and their
differences from tenths of a degree, durations, GPIO numbers. Integer arithmetic (no
float work on the board) except to_units, which makes the numbers of a returned dict.
Loaded with the commands or the self-test and let go with them (lazy.py).
"""

LET_GO = True  # lazy.call lets this module go once the call that loaded it returns


def short(value, most=24):
    """A value as a refusal shows it, in at most `most` characters: a pasted screenful
    stays one line."""
    r = repr(value)
    return r if len(r) <= most else r[: most - 4] + "..."


def fmt_temp(dC, units="C"):
    """'21.5 C' / '70.7 F' from tenths of a degree C, in integer arithmetic."""
    if units == "F":
        t = dC * 9
        t = (t + 2 if t >= 0 else t - 2) // 5 + 320  # tenths of F, rounded
    else:
        t = dC
    sign = "-" if t < 0 else ""
    t = -t if t < 0 else t
    return "%s%d.%d %s" % (sign, t // 10, t % 10, units)


def to_units(dC, units="C"):
    """A temperature as a number in the display unit (for dicts)."""
    if units == "F":
        return round(dC * 9 / 50 + 32, 1)
    return dC / 10


def fmt_diff(dK, units="C"):
    """'3.5 K' / '6.3 F' from a difference in tenths of a kelvin."""
    t = (dK * 9 + (2 if dK >= 0 else -2)) // 5 if units == "F" else dK
    sign = "-" if t < 0 else ""
    t = -t if t < 0 else t
    return "%s%d.%d %s" % (sign, t // 10, t % 10, "F" if units == "F" else "K")


def fmt_dur(s):
    """'1d 02:03:04', '2:03:04', '3:04'."""
    d, s = divmod(int(s), 86400)
    h, s = divmod(s, 3600)
    m, s = divmod(s, 60)
    if d:
        return "%dd %02d:%02d:%02d" % (d, h, m, s)
    if h:
        return "%d:%02d:%02d" % (h, m, s)
    return "%d:%02d" % (m, s)


def mmss(ms):
    """'2:05' from ms, rounded up: a wait is never shown shorter than it is."""
    s = (ms + 999) // 1000
    return "%d:%02d" % (s // 60, s % 60)


def gpio_str(spec):
    """' (GPIO36)' from a board entry: a thermistor dict, a relay or input tuple."""
    pin = None
    if isinstance(spec, dict):
        pin = spec.get("pin")
    elif isinstance(spec, tuple) and spec:
        pin = spec[0]
    return " (GPIO%d)" % pin if isinstance(pin, int) else ""


WIDTH = 80  # a technician's serial terminal


def fit(text, width=WIDTH):
    """text with each line cut to width for a serial terminal: at a double space (the
    screens' separator) where it can be, else between words; the rest indented."""
    if len(text) <= width and "\n" not in text:
        return text  # the common case: nothing to cut, nothing made
    out = []
    for line in text.split("\n"):
        while len(line) > width:
            lead = len(line) - len(line.lstrip(" "))  # never cut in the indent: no gap
            cut = line.rfind("  ", 0, width + 1)
            if cut < width // 2:  # a short first line is worse than a cut between words
                cut = line.rfind(" ", 0, width + 1)
            if cut <= max(4, lead):  # a word longer than the line stays whole
                cut = line.find(" ", lead)
                if cut < 0:
                    break
            out.append(line[:cut].rstrip())
            line = "    " + line[cut:].lstrip()
        out.append(line)
    return "\n".join(out)


HEIGHT = 24  # and its lines


def on_screen(lines, free, what, keep_last=False):
    """lines as one screen of `free` rows shows them, each fitted to the width: all if
    they fit, else the first (keep_last: the last) that do and a line saying how many
    of `what` were left off (the command's returned list still holds them)."""
    if sum([fit(line).count("\n") + 1 for line in lines]) <= free:
        return lines
    shown, used = [], 1  # a row for the note
    for line in reversed(lines) if keep_last else lines:
        used += fit(line).count("\n") + 1
        if used > free:
            break
        shown.append(line)
    note = "... %d %s not shown (the returned list holds them)" % (len(lines) - len(shown), what)
    return [note] + shown[::-1] if keep_last else shown + [note]
