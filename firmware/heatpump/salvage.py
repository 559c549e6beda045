"""What is still readable in a damaged JSON document (store.py imports it only then).

json.loads refuses a whole file for one bad byte, and a settings file thrown away
loses every tuned value. This scanner reads our documents ({"schema": 1, "values":
{section: {key: scalar}}}, or flat {key: scalar}) value by value:
- a bad token (Infinity, NaN, 1e999, a garbled number or word) costs the value it
  stands for, and the scanner goes on at the next `,` or closing bracket;
- a file cut short keeps everything before the cut;
- it never makes up a value: a number that runs into the end of the text may be cut
  short, and a scalar followed by anything but `,` or its closing bracket may be
  garbled ("1 2"), so both are dropped; a list is kept only whole (its positions
  carry meaning).

    doc, lost, cut = scan(text)
    # doc: the outermost object as far as it could be read (None: there was none);
    # lost: the names ("values.config.min_off_s") of the values dropped; cut: the
    # text ended inside the document, so whatever followed is unknown.

The strings are decoded by the interpreter's own json.loads, and numbers follow
MicroPython's json (which takes "01" and "1."), so a value read here is the value
json.loads would have given.
"""

import json

LET_GO = True  # lazy.call lets this module go once the call that loaded it returns

_WS = " \t\r\n"
_STOP = ' \t\r\n,:{}[]"'  # a bare word (number, true, false, null) ends at one of these
_MAX_DEPTH = 8  # ours nest 3 deep: deeper is skipped, never recursed into


class _Bad(Exception):
    """The value at hand is unreadable: drop it, go on after it."""


class _Cut(Exception):
    """The text ends inside the value at hand."""


def scan(text):
    sc = _Scanner(text)
    doc = None
    start = text.find("{")  # a garbled byte before the document costs nothing
    if start >= 0:
        sc.i = start
        doc = sc.obj("", 1)
    return doc, sc.lost, sc.cut


def leaves(v):
    """How many scalars v holds (0: nothing worth keeping)."""
    if isinstance(v, dict):
        return sum(leaves(x) for x in v.values())
    if isinstance(v, list):
        return sum(leaves(x) for x in v)
    return 1


def _is_number(t):
    # -?digits(.digits*)?([eE][+-]?digits)? : JSON's numbers, plus MicroPython's "01"
    # and "1."; never Python's extras ("inf", "1_000", " 5").
    n = len(t)
    i = 1 if n and t[0] == "-" else 0
    first = i
    while i < n and "0" <= t[i] <= "9":
        i += 1
    if i == first:
        return False
    if i < n and t[i] == ".":
        i += 1
        while i < n and "0" <= t[i] <= "9":
            i += 1
    if i < n and (t[i] == "e" or t[i] == "E"):
        i += 1
        if i < n and (t[i] == "+" or t[i] == "-"):
            i += 1
        first = i
        while i < n and "0" <= t[i] <= "9":
            i += 1
        if i == first:
            return False
    return i == n


class _Scanner:
    def __init__(self, text):
        self.s = text
        self.n = len(text)
        self.i = 0  # where the scan is
        self.lost = []
        self.cut = False

    def peek(self):
        """The next character that is not white space ("" at the end); i moves to it."""
        s = self.s
        i = self.i
        while i < self.n and s[i] in _WS:
            i += 1
        self.i = i
        return s[i] if i < self.n else ""

    def lose(self, name, key):
        name = (name + "." if name else "") + (key if isinstance(key, str) else "?")
        self.lost.append(name)

    def obj(self, name, depth):
        """The object at i ({ at i), with every member that could be read."""
        self.i += 1
        out = {}
        while True:
            c = self.peek()
            if c == "}":
                self.i += 1
                return out
            if c == "":
                self.cut = True
                return out
            if c == "," or c == "]":
                self.i += 1  # an empty slot or a stray bracket holds nothing
                continue
            key = None
            after = self.i  # where to go on from if this member is bad
            try:
                key = self.string() if c == '"' else None
                if key is None:
                    raise _Bad()
                c = self.peek()
                if c != ":":
                    raise _Cut() if c == "" else _Bad()
                self.i += 1
                self.peek()
                after = self.i
                v = self.value((name + "." if name else "") + key, depth)
                if self.peek() not in ",}":  # "" too: a complete string or object stays
                    if not isinstance(v, dict):
                        raise _Bad()
                    self.skip()  # garbage after a closed object: its members stand
                out[key] = v
            except _Bad:
                self.lose(name, key)
                # Skip from the value's start, so a list or object goes bracket by bracket.
                self.i = after
                self.skip()
            except _Cut:
                self.lose(name, key)
                self.cut = True
                return out

    def arr(self, name, depth):
        """The list at i, only whole: any bad element raises _Bad, the end _Cut."""
        self.i += 1
        out = []
        if self.peek() == "]":
            self.i += 1
            return out
        while True:
            out.append(self.value(name, depth))
            c = self.peek()
            if c == "":
                raise _Cut()
            self.i += 1
            if c == "]":
                return out
            if c != ",":
                raise _Bad()
            if self.peek() == "]":  # a trailing comma, as MicroPython's json takes it
                self.i += 1
                return out

    def value(self, name, depth):
        c = self.peek()
        if c == "":
            raise _Cut()
        if c == "{" or c == "[":
            if depth >= _MAX_DEPTH:
                raise _Bad()
            return self.obj(name, depth + 1) if c == "{" else self.arr(name, depth + 1)
        if c == '"':
            return self.string()
        return self.word()

    def string_end(self, i):
        """The index after the string opening at i, or -1 when the text ends first."""
        s = self.s
        i += 1
        while i < self.n:
            c = s[i]
            if c == "\\":
                i += 2
            elif c == '"':
                return i + 1
            else:
                i += 1
        return -1

    def string(self):
        end = self.string_end(self.i)
        if end < 0:
            self.i = self.n
            raise _Cut()
        token = self.s[self.i : end]
        self.i = end
        try:
            return json.loads(token)  # the escapes exactly as the interpreter reads them
        except Exception:
            raise _Bad() from None

    def word(self):
        s = self.s
        start = i = self.i
        while i < self.n and s[i] not in _STOP:
            i += 1
        self.i = i
        if i >= self.n:
            raise _Cut()  # "24" may be the start of "240"
        t = s[start:i]
        if t == "true":
            return True
        if t == "false":
            return False
        if t == "null":
            return None
        if _is_number(t):
            if "." in t or "e" in t or "E" in t:
                v = float(t)
                if v - v == 0:  # inf - inf and nan - nan are nan
                    return v
            else:
                return int(t)
        raise _Bad()

    def skip(self):
        """Move i to the next , } or ] outside strings and brackets (not taken)."""
        s = self.s
        i = self.i
        depth = 0
        while i < self.n:
            c = s[i]
            if c == '"':
                i = self.string_end(i)
                if i < 0:
                    i = self.n
                continue
            if c == "{" or c == "[":
                depth += 1
            elif c == "}" or c == "]":
                if depth == 0:
                    break
                depth -= 1
            elif c == "," and depth == 0:
                break
            i += 1
        self.i = i
