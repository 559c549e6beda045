"""Reading a store's file at start-up: strict JSON, the temp file of a cut save, the
salvage of a damaged file, every value through the checks (store.py has the rules in
its doc). Loaded by Store.load(), once per boot, and let go after (lazy.py).
"""

import json

from heatpump.store import FAULT_CORRUPT, FAULT_VALUE, SCHEMA, digest, text_of

LET_GO = True  # lazy.call lets this module go once the call that loaded it returns

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


def load(st):
    """st's stored values merged over its defaults; never raises, records faults."""
    stored, why, text = _parse(st, st.path)
    from_tmp = False
    if stored is None and st.exists(st.tmp):
        # No usable main file but a temp one: a cut came during FAT's remove +
        # rename, or the main file went bad. A complete temp file is the newest copy.
        stored = _parse(st, st.tmp)[0]
        from_tmp = stored is not None
    lost = None  # names of the values salvage could not read; None: no salvage
    if why == _NOT_JSON and not from_tmp:
        stored, lost, note = _salvage(text)
        if note is not None:
            why = why + ("; " if lost is not None else ", and ") + note
    if lost is not None:
        kept = _keep_copy(st, text)
        st.fault(FAULT_CORRUPT, "%s: %s; %s" % (st.path, why, kept))
        for name in lost:
            st.fault(FAULT_VALUE, "%s: %s unreadable in the file: not used" % (st.path, name))
    elif why is not None:
        # Keep the bad file for a person to read; the next save writes a good one.
        try:
            st.fs.rename(st.path, st.bad)
            kept = "kept as " + st.bad
        except OSError:
            kept = "could not keep it aside"
        used = "the unfinished save " + st.tmp if from_tmp else "defaults"
        st.fault(FAULT_CORRUPT, "%s: %s; %s; %s used" % (st.path, why, kept, used))
    if from_tmp:
        try:
            st.fs.rename(st.tmp, st.path)
        except OSError:
            pass
    elif st.exists(st.tmp):
        # A write cut before its rename: the main file (the old values) wins.
        st.remove(st.tmp)
    values = _accept(st, stored or {})
    if lost is not None:
        # What was recovered replaces the damaged file now (atomically, as any save):
        # waiting for the next change would boot the defaults after a power cut.
        st.save(values)
        return values
    try:
        st.saved = digest(text_of(values))
    except Exception:  # a check that returned something JSON cannot hold
        st.saved = None
    return values


def _parse(st, path):
    """(values, None, text) for a usable file; (None, None, None) if absent;
    (None, why, text) if not (text None when it could not be read)."""
    try:
        f = st.fs.open(path, "r")
    except OSError:
        return None, None, None
    try:
        text = f.read()
    except Exception as e:  # bytes that are not UTF-8 (a flipped bit), or bad flash
        text = _as_ascii(st, path)
        if text is None:
            return None, "unreadable (%s)" % (str(e) or type(e).__name__), None
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


def _as_ascii(st, path):
    """The file's bytes as text, each one that is not ASCII (our files are) read as
    "?": json then refuses the file where one was and the salvage keeps the rest. None
    if the file cannot be read at all."""
    try:
        f = st.fs.open(path, "rb")
        try:
            data = f.read()
        finally:
            f.close()
    except Exception:
        return None
    if isinstance(data, str):
        return data
    buf = bytearray(data)
    for i in range(len(buf)):
        if buf[i] > 0x7F:
            buf[i] = 0x3F
    return bytes(buf).decode()


def _salvage(text):
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


def _keep_copy(st, text):
    # A copy, not a rename: the main file stays until a good one replaces it, so a
    # cut during the write-back boots this salvage again instead of the defaults.
    try:
        f = st.fs.open(st.bad, "w")
        try:
            f.write(text)
        finally:
            f.close()
        return "kept as " + st.bad
    except Exception:
        return "could not keep it aside"


def _accept(st, stored):
    if st.check is not None:
        try:
            values, errors = st.check(stored)
        except Exception as e:  # a bug in a check must not stop the boot
            values, errors = dict(st.defaults), ["check failed (%r): defaults used" % e]
        for msg in errors:
            st.fault(FAULT_VALUE, "%s: %s" % (st.path, msg))
        return values
    values = dict(st.defaults)
    for key in stored:
        value = stored[key]
        if st.validate is None:
            values[key] = value
            continue
        try:
            if key not in values:
                raise ValueError("not a known key: allowed %s" % ", ".join(values))
            got = st.validate(key, value)
            values[key] = value if got is None else got
        except ValueError as e:
            from heatpump.text import short  # a file's long value is not logged whole

            st.fault(FAULT_VALUE, "%s: %s=%s refused (%s)" % (st.path, key[:40], short(value), e))
    return values
