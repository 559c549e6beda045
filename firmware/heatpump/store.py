"""Settings, config and run-time counters on flash, written so a power cut never loses both.

Each document is one small JSON file `{"schema": 1, "values": {...}}`. A write goes to
`NAME.tmp`, is read back and compared, then renamed over `NAME`. LittleFS (the ESP32
default) renames onto an existing file atomically, so a cut at any step leaves the old or
the new file. FAT refuses to rename onto a file: there the old file is removed first, and
a cut between the two steps leaves only `NAME.tmp`, which `load` then takes.

Boot never crashes here: a missing file gives the defaults; one from a newer schema, or
one with nothing readable, gives the defaults, is kept aside as `NAME.bad.json` and
records a fault; a stored value the checks refuse keeps its default, with one fault each.
A file json.loads refuses (a bad byte, an Infinity, a cut) loses only what is damaged:
salvage.py reads every value still readable (store_load.py does the reading, loaded
once per boot), the file is copied aside, one fault names
the file and one each value lost, the rest goes through the checks and is written back
at once (so the next boot finds a good file, not just the defaults).

The store knows nothing of the keys. The checks come from config.py, either
- `validate(key, value)`: returns the canonical value or raises ValueError naming what
  is allowed (None keeps the value as stored); unknown keys are refused; or
- `check(stored) -> (accepted, errors)`: the whole dict at once (config.check), so rules
  between keys hold too. `sections({"config": config.check, "settings": ...})` makes
  one from a check per section, for one file holding settings and config.

Counters (compressor starts and run time, fault counts) are written at most once every
10 minutes and only when they changed, to spare the flash (CounterStore).

    st = Store("/settings.json", check=sections({"config": C.check, "settings": ...}))
    values = st.load()            # st.faults: [(code, message)] for the app to raise
    st.save(values)               # True when written; a failure is a fault, not a raise
"""

import json
import os
from binascii import crc32

from micropython import const

from heatpump.ticks import ticks_diff

SCHEMA = const(1)
_COUNTERS_EVERY_MS = const(600_000)
_MAX_FAULTS = const(8)

# Fault codes this module records in Store.faults as (code, message).
FAULT_CORRUPT = "store_corrupt"  # a file could not be used: defaults, file kept aside
FAULT_VALUE = "store_value"  # one stored value refused: its default stays
FAULT_WRITE = "store_write"  # a save failed: the previous file is still there


class OsFS:
    """The real filesystem: MicroPython's os on the board, CPython's on the desktop."""

    def open(self, path, mode):
        return open(path, mode)

    def rename(self, old, new):
        os.rename(old, new)

    def remove(self, path):
        try:
            os.remove(path)
        except OSError:
            os.rmdir(path)  # an empty folder where a file goes would block every save

    def stat(self, path):
        return os.stat(path)


def _bad_name(path):
    if path.endswith(".json"):
        return path[:-5] + ".bad.json"
    return path + ".bad"


def text_of(values):
    """The file text of a document holding values."""
    return json.dumps({"schema": SCHEMA, "values": values})


def digest(text):
    """(length, CRC-32 in 30 bits) of a file text: what a store keeps of the text last
    read or written, to know "changed?" (a copy of the text, replaced at each save,
    would be a long-lived object landing anywhere in the heap)."""
    return len(text), crc32(text.encode()) & 0x3FFFFFFF


def sections(checkers):
    """One whole-dict check from a check per section, e.g. {"config": config.check}.

    Each section's check gets its part of the stored dict ({} if absent) and returns
    (accepted, errors); a section name not in checkers is refused.
    """

    def check(stored):
        values = {}
        errors = []
        for name in checkers:
            accepted, errs = checkers[name](stored.get(name, {}))
            values[name] = accepted
            for msg in errs:
                errors.append("%s: %s" % (name, msg))
        for name in stored:
            if name not in checkers:
                errors.append("unknown section %r: allowed %s" % (name, ", ".join(checkers)))
        return values, errors

    return check


class Store:
    """One JSON document on flash (settings + config, or the counters)."""

    def __init__(self, path, defaults=None, validate=None, check=None, fs=None, faults=None):
        self.path = path  # the document's file, e.g. "/settings.json"
        self.tmp = path + ".tmp"  # where a write goes before the rename
        self.bad = _bad_name(path)  # where a corrupt file is kept for a person to read
        self.defaults = defaults or {}  # key -> default value (never modified)
        self.validate = validate  # validate(key, value) -> value or None; ValueError
        self.check = check  # check(stored) -> (accepted, errors); wins over validate
        self.fs = fs or OsFS()
        self.faults = [] if faults is None else faults  # (code, message), newest last
        self.saved = None  # digest() of the file text last read or written: "changed?"

    def fault(self, code, message):
        if len(self.faults) >= _MAX_FAULTS:
            self.faults.pop(0)
        self.faults.append((code, message))

    def exists(self, path):
        try:
            self.fs.stat(path)
            return True
        except OSError:
            return False

    def load(self):
        """The stored values merged over the defaults; never raises, records faults.
        (store_load.py: loaded for this, once per boot, and let go after.)"""
        from heatpump import lazy

        return lazy.call("store_load", "load", self)

    def remove(self, path):
        """Remove path if it is there."""
        try:
            self.fs.remove(path)
        except OSError:
            pass

    def save(self, values):
        """Write values atomically; True if written. A failure records a fault."""
        text = text_of(values)
        fs = self.fs
        try:
            f = fs.open(self.tmp, "w")
            try:
                f.write(text)
                f.flush()
            finally:
                f.close()
            f = fs.open(self.tmp, "r")
            try:
                back = f.read()
            finally:
                f.close()
            if back != text:
                raise OSError("read back differs from what was written")
            try:
                fs.rename(self.tmp, self.path)
            except OSError:
                if not self.exists(self.path):
                    raise
                # FAT: no rename onto an existing file. load() takes the temp file if a
                # cut comes between these two steps.
                fs.remove(self.path)
                fs.rename(self.tmp, self.path)
        except OSError as e:
            self.fault(FAULT_WRITE, "%s: not saved (%s); the previous file stays" % (self.path, e))
            return False
        self.saved = digest(text)
        return True


class CounterStore(Store):
    """Run-time counters, written at most once per interval and only when changed.

    Values are kept as stored: the controller's restore_counters() refuses what it
    cannot use (by name, C1), so the store needs no schema of its own for them.
    """

    def __init__(self, path, fs=None, faults=None, every_ms=_COUNTERS_EVERY_MS):
        Store.__init__(self, path, {}, None, None, fs, faults)
        self.every_ms = every_ms  # the shortest time between two writes
        self.prev_ms = None  # ticks at the previous maybe_save call
        # Time since the last write (or since boot), added up call by call so a gap of
        # days between changes never meets the ticks wrap; saturates at every_ms.
        self.since_ms = 0

    def maybe_save(self, counters, now_ms, force=False):
        """Call it periodically (say once a minute). Saves if the counters changed and
        every_ms has passed since the last write or boot, or if force; True if written."""
        if self.prev_ms is not None:
            self.since_ms = min(self.every_ms, self.since_ms + ticks_diff(now_ms, self.prev_ms))
        self.prev_ms = now_ms
        if self.since_ms < self.every_ms and not force:
            return False
        if digest(text_of(counters)) == self.saved:
            return False
        # A failed write waits a full interval too: a worn flash is not hammered.
        self.since_ms = 0
        return self.save(counters)
