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
salvage.py reads every value still readable, the file is copied aside, one fault names
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

try:
    from micropython import const  # pyright: ignore[reportAssignmentType]
except ImportError:

    def const(x):
        return x


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
        os.remove(path)

    def stat(self, path):
        return os.stat(path)


def _bad_name(path):
    if path.endswith(".json"):
        return path[:-5] + ".bad.json"
    return path + ".bad"


def _text(values):
    return json.dumps({"schema": SCHEMA, "values": values})


_NOT_JSON = "not valid JSON"


def _strict(text, doc):
    """True if doc is what strict JSON reads in text: json.loads is not enough alone.

    CPython's json reads Infinity and NaN as floats, MicroPython's refuses them (both
    read 1e999 as inf); and MicroPython's takes a missing or extra `,` or `:`, so a
    garbled {"a": 1 2, "b": 3} reads as {"a": 1, 2: "b"} and shifts every pair after
    it. Such a file takes the salvage path on both interpreters, so a user sees the
    same outcome on either. Strict JSON has one `:` per member and one `,` between
    neighbours outside the strings: those counts, a string for each key and finite
    numbers are checked here, without recursion and without a copy of the text.
    """
    members = commas = 0
    todo = [doc]
    while todo:
        v = todo.pop()
        if isinstance(v, dict):
            for key in v:
                if type(key) is not str:
                    return False
            members += len(v)
            commas += len(v) - 1 if v else 0
            todo.extend(v.values())
        elif isinstance(v, list):
            commas += len(v) - 1 if v else 0
            todo.extend(v)
        elif isinstance(v, float) and v - v != 0:  # inf - inf and nan - nan are nan
            return False
    if "\\" in text:
        # An escape may hide a quote from the count below: the scanner decides (rare:
        # our values are plain words and numbers).
        from heatpump import salvage

        got, lost, cut = salvage.scan(text)
        return got == doc and not lost and not cut
    start = 0
    while True:  # count , and : between the strings
        q = text.find('"', start)
        end = len(text) if q < 0 else q
        members -= text.count(":", start, end)
        commas -= text.count(",", start, end)
        if q < 0:
            return members == 0 and commas == 0
        start = text.find('"', q + 1) + 1
        if start == 0:
            return False  # a string that never ends


def _document(doc):
    """(values, None) for one of our documents, (None, why) if not."""
    if not isinstance(doc, dict) or not isinstance(doc.get("values"), dict):
        return None, 'not a {"schema": ..., "values": {...}} document'
    schema = doc.get("schema")
    if type(schema) is not int or not 1 <= schema <= SCHEMA:
        return None, "schema %r, this firmware reads 1..%d" % (schema, SCHEMA)
    return doc["values"], None


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
        self.saved = None  # the file text last read or written, for "changed?"

    def fault(self, code, message):
        if len(self.faults) >= _MAX_FAULTS:
            self.faults.pop(0)
        self.faults.append((code, message))

    def _exists(self, path):
        try:
            self.fs.stat(path)
            return True
        except OSError:
            return False

    def _parse(self, path):
        """(values, None, text) for a usable file; (None, None, None) if absent;
        (None, why, text) if not (text None when it could not be read)."""
        try:
            f = self.fs.open(path, "r")
        except OSError:
            return None, None, None
        try:
            text = f.read()
        except Exception as e:  # unreadable flash or bad UTF-8: the file is unusable
            return None, "unreadable (%s)" % e, None
        finally:
            f.close()
        try:
            doc = json.loads(text)
        except Exception:  # ValueError on both interpreters; never let it stop the boot
            return None, _NOT_JSON, text
        if not _strict(text, doc):
            return None, _NOT_JSON, text
        values, why = _document(doc)
        return values, why, text

    def _salvage(self, text):
        """(values, lost, note) from a file json.loads refused; values None if nothing
        in it is worth keeping (note then says why, or is None)."""
        try:
            from heatpump import salvage  # only here: a healthy board never loads it

            doc, lost, cut = salvage.scan(text)
            if "schema" in lost and isinstance(doc, dict):
                # The schema token itself is damaged: the values are still ours to read
                # (every one goes through the checks anyway).
                doc["schema"] = SCHEMA
            values, why = _document(doc)
            if values is None or not salvage.leaves(values):
                return None, None, None if values is None and doc is None else why
        except Exception:  # MemoryError on a big file: never let it stop the boot
            return None, None, None
        lost = [name[7:] if name.startswith("values.") else name for name in lost]
        note = "the file ends early, what followed is at its defaults; " if cut else ""
        note += "the %d values still readable used" % salvage.leaves(values)
        if lost:
            note += ", %d lost (%s)" % (len(lost), ", ".join(lost))
        return values, lost, note

    def _keep_copy(self, text):
        # A copy, not a rename: the main file stays until a good one replaces it, so a
        # cut during the write-back boots this salvage again instead of the defaults.
        try:
            f = self.fs.open(self.bad, "w")
            try:
                f.write(text)
            finally:
                f.close()
            return "kept as " + self.bad
        except Exception:
            return "could not keep it aside"

    def _remove(self, path):
        try:
            self.fs.remove(path)
        except OSError:
            pass

    def load(self):
        """The stored values merged over the defaults; never raises, records faults."""
        stored, why, text = self._parse(self.path)
        from_tmp = False
        if stored is None and self._exists(self.tmp):
            # No usable main file but a temp one: a cut came during FAT's remove +
            # rename, or the main file went bad. A complete temp file is the newest copy.
            stored = self._parse(self.tmp)[0]
            from_tmp = stored is not None
        lost = None  # names of the values salvage could not read; None: no salvage
        if why == _NOT_JSON and not from_tmp:
            stored, lost, note = self._salvage(text)
            if note is not None:
                why = why + ("; " if lost is not None else ", and ") + note
        if lost is not None:
            kept = self._keep_copy(text)
            self.fault(FAULT_CORRUPT, "%s: %s; %s" % (self.path, why, kept))
            for name in lost:
                self.fault(
                    FAULT_VALUE, "%s: %s unreadable in the file: not used" % (self.path, name)
                )
        elif why is not None:
            # Keep the bad file for a person to read; the next save writes a good one.
            try:
                self.fs.rename(self.path, self.bad)
                kept = "kept as " + self.bad
            except OSError:
                kept = "could not keep it aside"
            used = "the unfinished save " + self.tmp if from_tmp else "defaults"
            self.fault(FAULT_CORRUPT, "%s: %s; %s; %s used" % (self.path, why, kept, used))
        if from_tmp:
            try:
                self.fs.rename(self.tmp, self.path)
            except OSError:
                pass
        elif self._exists(self.tmp):
            # A write cut before its rename: the main file (the old values) wins.
            self._remove(self.tmp)
        values = self._accept(stored or {})
        if lost is not None:
            # What was recovered replaces the damaged file now (atomically, as any save):
            # waiting for the next change would boot the defaults after a power cut.
            self.save(values)
            return values
        try:
            self.saved = _text(values)
        except Exception:  # a check that returned something JSON cannot hold
            self.saved = None
        return values

    def _accept(self, stored):
        if self.check is not None:
            try:
                values, errors = self.check(stored)
            except Exception as e:  # a bug in a check must not stop the boot
                values, errors = dict(self.defaults), ["check failed (%r): defaults used" % e]
            for msg in errors:
                self.fault(FAULT_VALUE, "%s: %s" % (self.path, msg))
            return values
        values = dict(self.defaults)
        for key in stored:
            value = stored[key]
            if self.validate is None:
                values[key] = value
                continue
            try:
                if key not in values:
                    raise ValueError("not a known key: allowed %s" % ", ".join(values))
                got = self.validate(key, value)
                values[key] = value if got is None else got
            except ValueError as e:
                self.fault(FAULT_VALUE, "%s: %s=%r refused (%s)" % (self.path, key, value, e))
        return values

    def save(self, values):
        """Write values atomically; True if written. A failure records a fault."""
        text = _text(values)
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
                if not self._exists(self.path):
                    raise
                # FAT: no rename onto an existing file. load() takes the temp file if a
                # cut comes between these two steps.
                fs.remove(self.path)
                fs.rename(self.tmp, self.path)
        except OSError as e:
            self.fault(FAULT_WRITE, "%s: not saved (%s); the previous file stays" % (self.path, e))
            return False
        self.saved = text
        return True


class CounterStore(Store):
    """Run-time counters, written at most once per interval and only when changed.

    Values are kept as stored: the controller's restore_counters() drops what it
    cannot use, so the store needs no schema of its own for them.
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
        if _text(counters) == self.saved:
            return False
        # A failed write waits a full interval too: a worn flash is not hammered.
        self.since_ms = 0
        return self.save(counters)
