"""A mistyped name at the REPL: the refusal names the close ones (did you mean ...?).

Loaded only when a name is refused, and let go after (lazy.py).
"""

LET_GO = True  # lazy.call lets this module go once the call that loaded it returns


def _distance(a, b):
    # Edit distance, a typist's: insert, delete or change a letter, or swap two
    # neighbours (stauts -> status is one slip), one row at a time.
    before, row = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        new = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            d = min(row[j] + 1, new[j - 1] + 1, row[j - 1] + (a[i - 1] != b[j - 1]))
            if before and i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d = min(d, before[j - 2] + 1)
            new[j] = d
        before, row = row, new
    return row[len(b)]


def close_names(name, names):
    """The names within a typo or two of name (a quarter of its letters), closest first."""
    if not isinstance(name, str):
        return []
    most = max(1, len(name) // 4)
    # The distance is at least the difference in length: skip what cannot be close
    # (a pasted line of 400 letters took the loop about 0.8 s here, far more on a board).
    found = [(_distance(name, n), n) for n in names if abs(len(n) - len(name)) <= most]
    return [n for d, n in sorted(found) if 0 < d <= most]  # not name itself


def unknown(kind, name, names, listed_by=None):
    """ValueError for an unknown name: the close ones, then all of names, or where a
    person sees them (listed_by: 'hp.config()') when they are too many for one line."""
    near = close_names(name, names)
    hint = "did you mean %s? " % " or ".join(near) if near else ""
    from heatpump.text import short  # let go with this module

    shown = short(name, 44)  # a mistyped name as typed, up to 40 letters; a paste cut
    if listed_by is not None:
        return ValueError("unknown %s %s: %s%s lists them" % (kind, shown, hint, listed_by))
    return ValueError("unknown %s %s: %sallowed %s" % (kind, shown, hint, ", ".join(names)))


def no_command(name, commands):
    """What hp.<name> says when hp has no such command."""
    near = ["hp.%s()" % n for n in close_names(name, commands)]
    hint = "did you mean %s? " % " or ".join(near) if near else ""
    from heatpump.text import fit  # let go with this module

    return fit("hp has no command %r: %shp.help() lists them" % (name, hint))
