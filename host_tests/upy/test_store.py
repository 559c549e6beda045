"""Settings on flash survive power cuts and bad files (runs under MicroPython and CPython).

FakeFS models a flash filesystem step by step (create, every byte written, flush, close,
read back, rename, remove) and loses power after a chosen number of steps: what was
done stays, nothing after it happens. The tests cut at every step of a save and boot
again on what is left.
"""

from check import empty_dir, eq, raises, remove_dir
from heatpump import store, ticks

DEFAULTS = {"mode": "off", "setpoint_dC": 210, "min_off_s": 180}
OLD = {"mode": "heat", "setpoint_dC": 215, "min_off_s": 240}
NEW = {"mode": "cool", "setpoint_dC": 245, "min_off_s": 300}
MODES = ("off", "heat", "cool", "auto")


def validate(key, value):
    """A small stand-in for config.validate: ranges and choices, ValueError on refusal."""
    if key == "mode":
        if value not in MODES:
            raise ValueError("mode must be one of %s, not %r" % ("/".join(MODES), value))
        return None
    lo, hi = {"setpoint_dC": (50, 350), "min_off_s": (120, 600)}[key]
    if type(value) is float and value == int(value):
        value = int(value)  # a whole float is accepted and normalised to int
    if type(value) is not int or not lo <= value <= hi:
        raise ValueError("%s must be a whole number in %d..%d, not %r" % (key, lo, hi, value))
    return value


class PowerCut(Exception):
    pass


class _File:
    def __init__(self, fs, path, mode):
        self.fs = fs
        self.path = path
        self.mode = mode

    def write(self, text):
        # LittleFS may have any prefix of the data on flash when the power goes.
        for ch in text:
            self.fs.step()
            self.fs.files[self.path] += ch
            if self.fs.full:
                raise OSError(28)  # ENOSPC
        return len(text)

    def read(self):
        self.fs.step()
        return self.fs.files[self.path]

    def flush(self):
        self.fs.step()

    def close(self):
        self.fs.step()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class FakeFS:
    """Files as path -> str; after `budget` more steps every step raises PowerCut."""

    def __init__(self, files=None, fat=False):
        self.files = dict(files or {})
        self.fat = fat  # FAT: rename onto an existing file fails (EEXIST)
        self.full = False  # every write fails with ENOSPC
        self.budget = None  # steps left before the power goes; None: never
        self.steps = 0  # steps taken so far

    def step(self):
        if self.budget is not None:
            if self.budget <= 0:
                raise PowerCut()
            self.budget -= 1
        self.steps += 1

    def open(self, path, mode):
        self.step()
        if "w" in mode:
            self.files[path] = ""
        elif path not in self.files:
            raise OSError(2)  # ENOENT
        return _File(self, path, mode)

    def rename(self, old, new):
        self.step()
        if old not in self.files:
            raise OSError(2)
        if self.fat and new in self.files:
            raise OSError(17)  # EEXIST
        self.files[new] = self.files.pop(old)

    def remove(self, path):
        self.step()
        if path not in self.files:
            raise OSError(2)
        del self.files[path]

    def stat(self, path):
        if path not in self.files:
            raise OSError(2)
        return (0x8000, 0, 0, 0, 0, 0, len(self.files[path]), 0, 0, 0)


def settings(fs, faults=None):
    return store.Store("/settings.json", DEFAULTS, validate, fs=fs, faults=faults)


def saved_fs(values, fat=False):
    fs = FakeFS(fat=fat)
    assert settings(fs).save(values)
    return fs


def steps_of_save(files, values, fat):
    fs = FakeFS(files, fat)
    settings(fs).save(values)
    return fs.steps


def boot(files, fat=False):
    fs = FakeFS(files, fat)
    faults = []
    values = settings(fs, faults).load()
    return values, faults, fs


def check_every_cut(before, after_values, fat):
    """Cut a save of after_values at every step; each boot finds before or after."""
    start = saved_fs(before, fat).files if before is not None else {}
    want_old = before if before is not None else DEFAULTS
    n = steps_of_save(start, after_values, fat)
    seen = []
    for cut in range(n + 1):
        fs = FakeFS(start, fat)
        fs.budget = cut
        try:
            settings(fs).save(after_values)
            completed = True
        except PowerCut:
            completed = False
        values, faults, booted = boot(fs.files, fat)
        if values != want_old and values != after_values:
            raise AssertionError("cut after %d of %d steps booted %r" % (cut, n, values))
        eq(faults, [], "faults after a cut at step %d" % cut)
        if completed:
            eq(values, after_values, "a save that finished")
        eq("/settings.json.tmp" in booted.files, False, "temp file left after boot")
        # Boot again on what the first boot left: the same values, nothing changes.
        eq(boot(booted.files, fat)[0], values, "second boot after cut %d" % cut)
        seen.append(values == after_values)
    # Both outcomes occur: early cuts keep the old values, late ones give the new.
    eq(seen[0], False, "a cut at the first step keeps the old values")
    eq(seen[-1], True, "no cut gives the new values")
    return n


def test_power_cut_at_every_step_of_a_save_keeps_old_or_new():
    n = check_every_cut(OLD, NEW, fat=False)
    assert n > len('{"values": {}}'), n  # every byte written is a cut point


def test_power_cut_at_every_step_of_the_first_save_keeps_defaults_or_new():
    check_every_cut(None, NEW, fat=False)


def test_power_cut_on_fat_between_remove_and_rename_boots_the_new_file():
    check_every_cut(OLD, NEW, fat=True)
    # The cut between FAT's remove and rename leaves only the temp file: it is taken.
    start = saved_fs(OLD, fat=True).files
    n = steps_of_save(start, NEW, True)
    fs = FakeFS(start, fat=True)
    fs.budget = n - 1  # the last step is the rename after the remove
    raises(PowerCut, settings(fs).save, NEW)
    eq(sorted(fs.files), ["/settings.json.tmp"], "files at the cut")
    values, faults, booted = boot(fs.files, fat=True)
    eq(values, NEW, "booted from the temp file")
    eq(sorted(booted.files), ["/settings.json"], "temp file renamed into place")


def test_power_cut_during_the_boot_that_recovers_a_temp_file():
    start = saved_fs(OLD, fat=True).files
    n = steps_of_save(start, NEW, True)
    fs = FakeFS(start, fat=True)
    fs.budget = n - 1
    raises(PowerCut, settings(fs).save, NEW)
    cut_files = dict(fs.files)
    for cut in range(10):
        first = FakeFS(cut_files, fat=True)
        first.budget = cut
        try:
            settings(first).load()
        except PowerCut:
            pass
        eq(boot(first.files, fat=True)[0], NEW, "boot after a cut at boot step %d" % cut)


def test_missing_file_boots_with_defaults_and_no_fault():
    values, faults, fs = boot({})
    eq(values, DEFAULTS, "values")
    eq(faults, [], "faults")
    eq(fs.files, {}, "nothing written at boot")


def test_corrupt_file_boots_with_defaults_keeps_it_aside_and_records_a_fault():
    good = saved_fs(OLD).files["/settings.json"]
    cases = [
        ("not valid JSON", good[: good.index('"values": {') + 13]),  # nothing before the cut
        ("not valid JSON", "\x00\xff garbage"),
        ("not valid JSON", ""),
        ("not a", "[1, 2, 3]"),
        ("not a", '{"schema": 1, "values": [1]}'),
        ("schema 7", '{"schema": 7, "values": {}}'),
        ("schema None", '{"values": {"mode": "heat"}}'),
    ]
    for why, text in cases:
        values, faults, fs = boot({"/settings.json": text})
        eq(values, DEFAULTS, "values from %r" % text)
        eq(len(faults), 1, "faults from %r" % text)
        code, message = faults[0]
        eq(code, store.FAULT_CORRUPT, "fault code")
        assert why in message and "/settings.bad.json" in message, message
        eq(fs.files, {"/settings.bad.json": text}, "the bad file kept aside")
        # The next save writes a good file and leaves the bad one for a person.
        assert settings(fs).save(NEW)
        eq(boot(fs.files)[0], NEW, "after the next save")
        eq(fs.files["/settings.bad.json"], text, "bad file still kept")


def test_out_of_range_values_are_refused_one_by_one_with_a_fault_each():
    text = (
        '{"schema": 1, "values": {"mode": "turbo", "setpoint_dC": 999, '
        '"min_off_s": 300, "colour": "red"}}'
    )
    values, faults, fs = boot({"/settings.json": text})
    eq(values, {"mode": "off", "setpoint_dC": 210, "min_off_s": 300}, "values")
    eq([f[0] for f in faults], [store.FAULT_VALUE] * 3, "fault codes")
    messages = " | ".join(f[1] for f in faults)
    for part in ("mode='turbo'", "off/heat/cool/auto", "setpoint_dC=999", "50..350", "colour"):
        assert part in messages, (part, messages)
    eq(fs.files, {"/settings.json": text}, "the file is left as it is")


def test_the_validator_may_normalise_a_value():
    values = boot({"/settings.json": '{"schema": 1, "values": {"min_off_s": 200.0}}'})[0]
    eq(values["min_off_s"], 200, "normalised")
    eq(type(values["min_off_s"]), int, "type")


def test_a_failed_write_keeps_the_old_file_and_records_a_fault():
    fs = saved_fs(OLD)
    fs.full = True
    faults = []
    eq(settings(fs, faults).save(NEW), False, "save on a full flash")
    eq([f[0] for f in faults], [store.FAULT_WRITE], "fault")
    assert "the previous file stays" in faults[0][1], faults
    fs.full = False
    eq(boot(fs.files)[0], OLD, "boot after the failed write")


def test_faults_list_stays_short():
    fs = saved_fs(OLD)
    fs.full = True
    faults = []
    st = settings(fs, faults)
    for _ in range(50):
        st.save(NEW)
    eq(len(faults), 8, "faults kept")


def counters_of(starts, run_s=0, fault_counts=None):
    """What the controller's counters() returns."""
    return {"starts": starts, "run_s": run_s, "fault_counts": fault_counts or {}}


def test_counters_are_written_at_most_every_ten_minutes_and_only_when_changed():
    fs = FakeFS()
    cs = store.CounterStore("/counters.json", fs=fs)
    eq(cs.load(), {}, "no counters file yet")
    now = ticks.PERIOD - 300_000  # five minutes before the ticks wrap
    starts = 0
    writes = []
    for minute in range(60):
        if minute in (3, 10, 25, 27, 47):
            starts += 1
        if cs.maybe_save(counters_of(starts, minute * 60), now):
            writes.append(minute)
        now = ticks.ticks_add(now, 60_000)
    # run_s changes every minute here, so: a write every 10 min from boot on.
    eq(writes, [10, 20, 30, 40, 50], "minutes with a write")
    eq(boot_counters(fs), counters_of(5, 50 * 60), "counters on flash after the last write")


def test_counters_unchanged_are_not_written():
    fs = FakeFS()
    cs = store.CounterStore("/counters.json", fs=fs)
    cs.load()
    now = 0
    starts = 0
    writes = []
    for minute in range(60):
        if minute in (3, 10, 25, 27, 47):
            starts += 1
        if cs.maybe_save(counters_of(starts), now):
            writes.append(minute)
        now = ticks.ticks_add(now, 60_000)
    # Not before 10 min after boot; at once when 10 min have passed since the last
    # write; the change at minute 27 waits until 10 min after the write at 25.
    eq(writes, [10, 25, 35, 47], "minutes with a write")
    eq(boot_counters(fs)["starts"], 5, "starts on flash after the last write")


def boot_counters(fs):
    return store.CounterStore("/counters.json", fs=FakeFS(fs.files)).load()


def test_counters_after_days_without_change_are_written_at_the_next_change():
    fs = FakeFS()
    cs = store.CounterStore("/counters.json", fs=fs)
    cs.load()
    now = 0
    writes = 0
    for _ in range(8 * 24 * 60):  # eight days, one call a minute, no change
        writes += cs.maybe_save(counters_of(0), now)
        now = ticks.ticks_add(now, 60_000)
    eq(writes, 1, "writes in eight days (the first creates the file)")
    eq(cs.maybe_save(counters_of(1, 0, {"E1": 1}), now), True, "written at the first change")
    eq(boot_counters(fs), counters_of(1, 0, {"E1": 1}), "on flash")


def test_counters_force_write_and_nested_changes():
    fs = FakeFS()
    cs = store.CounterStore("/counters.json", fs=fs)
    cs.load()
    eq(cs.maybe_save(counters_of(0, 0, {"E7": 2}), 0, force=True), True, "forced")
    eq(cs.maybe_save(counters_of(0, 0, {"E7": 2}), 1000, force=True), False, "unchanged")
    eq(cs.maybe_save(counters_of(0, 0, {"E7": 3}), 2000, force=True), True, "nested change")
    eq(boot_counters(fs)["fault_counts"], {"E7": 3}, "on flash")


def check_pair(part):
    """A whole-dict check with a rule between keys, like config.check: lo_dC < hi_dC."""
    accepted = {"lo_dC": 0, "hi_dC": 100}
    errors = []
    for key in part:
        value = part[key]
        if key not in accepted:
            errors.append("unknown key %r: allowed lo_dC, hi_dC" % key)
        elif type(value) is not int:
            errors.append("%s=%r is not a whole number" % (key, value))
        else:
            accepted[key] = value
    if not accepted["lo_dC"] < accepted["hi_dC"]:
        errors.append("lo_dC=%r must be below hi_dC=%r" % (accepted["lo_dC"], accepted["hi_dC"]))
        accepted = {"lo_dC": 0, "hi_dC": 100}
    return accepted, errors


def check_mode(part):
    mode = part.get("mode", "off")
    try:
        validate("mode", mode)
        return {"mode": mode}, []
    except ValueError as e:
        return {"mode": "off"}, [str(e)]


def test_one_file_with_sections_checked_as_wholes():
    check = store.sections({"config": check_pair, "settings": check_mode})
    doc = {"config": {"lo_dC": 150, "hi_dC": 120}, "settings": {"mode": "heat"}, "x": 1}
    fs = FakeFS({"/settings.json": '{"schema": 1, "values": %s}' % json_dumps(doc)})
    st = store.Store("/settings.json", check=check, fs=fs)
    values = st.load()
    eq(values, {"config": {"lo_dC": 0, "hi_dC": 100}, "settings": {"mode": "heat"}}, "values")
    messages = [m for _, m in st.faults]
    eq(len(messages), 2, "faults")
    assert "config: lo_dC=150 must be below hi_dC=120" in messages[0], messages
    assert "unknown section 'x'" in messages[1], messages
    # No file: every section at its defaults, no fault.
    st = store.Store("/settings.json", check=check, fs=FakeFS())
    eq(st.load(), {"config": {"lo_dC": 0, "hi_dC": 100}, "settings": {"mode": "off"}}, "")
    eq(st.faults, [], "no faults without a file")


def test_a_check_that_raises_does_not_stop_the_boot():
    def broken(stored):
        raise KeyError("bug")

    fs = FakeFS({"/settings.json": '{"schema": 1, "values": {"mode": "heat"}}'})
    st = store.Store("/settings.json", DEFAULTS, check=broken, fs=fs)
    eq(st.load(), DEFAULTS, "defaults")
    assert "check failed" in st.faults[0][1], st.faults


def json_dumps(v):
    import json

    return json.dumps(v)


def test_on_the_real_filesystem_save_load_and_keep_a_bad_file():
    import os

    d = empty_dir("store_test")
    path = d + "/settings.json"
    st = store.Store(path, DEFAULTS, validate)
    eq(st.load(), DEFAULTS, "no file yet")
    assert st.save(OLD)
    assert st.save(NEW)  # rename onto an existing file
    eq(store.Store(path, DEFAULTS, validate).load(), NEW, "reloaded")
    eq(sorted(os.listdir(d)), ["settings.json"], "files")
    with open(path, "w") as f:
        f.write('{"schema": 1, "values": {"mode": "he')
    bad = store.Store(path, DEFAULTS, validate)
    eq(bad.load(), DEFAULTS, "corrupt file")
    eq(sorted(os.listdir(d)), ["settings.bad.json"], "kept aside")
    eq(bad.faults[0][0], store.FAULT_CORRUPT, "fault")
    remove_dir(d)


def test_a_byte_that_is_not_text_loses_only_the_value_it_is_in():
    # A flipped top bit (0xB5 for "5") or erased flash (0xFF) made the read itself
    # fail: every value went back to its default, with the message "unreadable ()".
    import os

    d = empty_dir("store_bytes")
    path = d + "/settings.json"
    for bad in (b"\xff", b"\xb5"):
        st = store.Store(path, DEFAULTS, validate)
        assert st.save(OLD)
        with open(path, "rb") as f:
            data = f.read()
        with open(path, "wb") as f:
            f.write(data.replace(b"215", b"2" + bad + b"5"))
        damaged = store.Store(path, DEFAULTS, validate)
        got = damaged.load()
        eq(got, dict(OLD, setpoint_dC=DEFAULTS["setpoint_dC"]), "the rest kept")
        kinds = [k for k, _ in damaged.faults]
        eq(kinds, [store.FAULT_CORRUPT, store.FAULT_VALUE], "faults")
        assert "setpoint_dC" in damaged.faults[1][1], damaged.faults
        os.remove(d + "/settings.bad.json")
    remove_dir(d)


# ---- issue 12, finding 9: a damaged file loses only what is damaged --------------------


def tuned_config():
    """A consistent config with every value off its default (a tuned unit)."""
    from heatpump import config as C

    cfg = {}
    for row in C.schema():
        key, default, lo, hi = row[0], row[1], row[2], row[3]
        if hi is None:
            cfg[key] = lo[1] if default == lo[0] else lo[0]
        else:
            cfg[key] = default + 1 if default < hi else default - 1
    return cfg


TUNED_SETTINGS = {"mode": "heat", "setpoint_dC": 215, "fan": "continuous", "speed": "low"}


def settings_store(fs, faults=None):
    """The board's settings file: config and settings sections, checked by config.py."""
    from heatpump import config as C

    check = store.sections({"config": C.check, "settings": C.check_settings})
    return store.Store("/settings.json", check=check, fs=fs, faults=faults)


def saved_settings_text():
    fs = FakeFS()
    assert settings_store(fs).save({"config": tuned_config(), "settings": TUNED_SETTINGS})
    return fs.files["/settings.json"]


def replace_value(text, key, token):
    """text with the stored value of key (a number or a string) replaced by token."""
    at = text.index('"%s": ' % key) + len(key) + 4
    end = at
    while text[end] not in ",}":
        end += 1
    return text[:at] + token + text[end:]


def test_finding_9_one_bad_value_loses_only_that_value():
    from heatpump import config as C

    good = saved_settings_text()
    cases = [
        ("overheat_dC", "Infinity"),
        ("min_off_s", "-Infinity"),
        ("cold_blow_dC", "NaN"),
        ("valve_check_s", "3x0"),  # a garbled number
        ("sensor_jump_dK", "1e999"),  # a number no int holds
        ("units", "Fahrenheit"),  # a garbled word (the quotes lost)
        ("boot_delay_s", "1 2"),  # a space where a digit was
    ]
    for key, token in cases:
        text = replace_value(good, key, token)
        fs = FakeFS({"/settings.json": text})
        st = settings_store(fs)
        values = st.load()
        want = tuned_config()
        want[key] = C.defaults()[key]
        eq(values["config"], want, "config after %s=%s" % (key, token))
        eq(values["settings"], TUNED_SETTINGS, "settings after %s=%s" % (key, token))
        # The same faults on both interpreters (CPython's json reads Infinity and NaN).
        eq([f[0] for f in st.faults], [store.FAULT_CORRUPT, store.FAULT_VALUE], key)
        corrupt, lost = st.faults[0][1], st.faults[1][1]
        assert "not valid JSON" in corrupt and "kept as /settings.bad.json" in corrupt, corrupt
        assert "config." + key in lost, lost
        eq(fs.files["/settings.bad.json"], text, "the bad file kept aside as it was")
        # What was recovered is on flash at once: the next boot has it, with no fault.
        again = settings_store(FakeFS(fs.files))
        eq(again.load(), values, "the next boot after %s=%s" % (key, token))
        eq(again.faults, [], "no fault at the next boot")


def test_finding_9_a_bad_value_in_settings_keeps_the_config():
    from heatpump import config as C

    text = replace_value(saved_settings_text(), "setpoint_dC", "2l5")
    st = settings_store(FakeFS({"/settings.json": text}))
    values = st.load()
    eq(values["config"], tuned_config(), "config")
    want = dict(TUNED_SETTINGS)
    want["setpoint_dC"] = C.setting_defaults()["setpoint_dC"]
    eq(values["settings"], want, "settings")
    assert "settings.setpoint_dC" in st.faults[1][1], st.faults


def value_end(text, key):
    """The index of the , or } that ends the stored value of key."""
    end = text.index('"%s": ' % key)
    while text[end] not in ",}":
        end += 1
    return end


def test_finding_9_a_truncated_file_keeps_every_value_before_the_cut():
    from heatpump import config as C

    good = saved_settings_text()
    # Cut inside the number of whichever config value is stored mid-file (the order of
    # the keys is the interpreter's: MicroPython's dicts keep none).
    at = len(good) // 2
    while True:
        at = good.index('": ', at) + 3
        if good[at] in "-0123456789":
            break
    cut = at + 1
    st = settings_store(FakeFS({"/settings.json": good[:cut]}))
    values = st.load()
    tuned = {"config": tuned_config(), "settings": TUNED_SETTINGS}
    defaults = {"config": C.defaults(), "settings": C.setting_defaults()}
    kept = 0
    for section in ("config", "settings"):
        for key in tuned[section]:
            before = value_end(good, key) < cut
            kept += before
            want = (tuned if before else defaults)[section][key]
            eq(values[section][key], want, key)
    assert kept > 10, kept
    eq([f[0] for f in st.faults], [store.FAULT_CORRUPT, store.FAULT_VALUE], "faults")
    assert "ends early" in st.faults[0][1], st.faults
    assert "unreadable" in st.faults[1][1], st.faults


def test_finding_9_corrupt_counters_are_salvaged_and_recorded():
    fs = FakeFS()
    counters = counters_of(1234, 98765, {"E1": 2, "E7": 1})
    counters["defrosts"] = {"timed": 3, "demand": 40}
    cs = store.CounterStore("/counters.json", fs=fs)
    cs.load()
    assert cs.maybe_save(counters, 0, force=True)
    text = replace_value(fs.files["/counters.json"], "E7", "NaN")
    faults = []
    cs = store.CounterStore("/counters.json", fs=FakeFS({"/counters.json": text}), faults=faults)
    got = cs.load()
    want = counters_of(1234, 98765, {"E1": 2})
    want["defrosts"] = {"timed": 3, "demand": 40}
    eq(got, want, "every counter but the bad one")
    eq([f[0] for f in faults], [store.FAULT_CORRUPT, store.FAULT_VALUE], "never silently")
    assert "fault_counts.E7" in faults[1][1], faults
    # A counters file beyond saving is not reset silently either.
    faults = []
    cs = store.CounterStore(
        "/counters.json", fs=FakeFS({"/counters.json": "\x00" * 9}), faults=faults
    )
    eq(cs.load(), {}, "nothing readable")
    eq([f[0] for f in faults], [store.FAULT_CORRUPT], "recorded")


def test_finding_9_history_is_salvaged_like_the_others():
    doc = {"starts": 17, "early_stops": 2, "ages_s": [10, 20, 30], "crash_reset": True}
    fs = FakeFS()
    assert store.Store("/history.json", fs=fs).save(doc)
    text = fs.files["/history.json"].replace('"early_stops": 2', '"early_stops": 2.5.1')
    st = store.Store("/history.json", fs=FakeFS({"/history.json": text}))
    got = st.load()
    eq(got, {"starts": 17, "ages_s": [10, 20, 30], "crash_reset": True}, "history")
    eq([f[0] for f in st.faults], [store.FAULT_CORRUPT, store.FAULT_VALUE], "faults")
    # A list is kept only whole: its positions carry meaning.
    text = fs.files["/history.json"].replace("[10, 20, 30]", "[10, Infinity, 30]")
    got = store.Store("/history.json", fs=FakeFS({"/history.json": text})).load()
    eq(got, {"starts": 17, "early_stops": 2, "crash_reset": True}, "the list lost whole")


def test_finding_9_salvage_of_the_flat_documents_and_damaged_structure():
    cases = [
        # (stored text, the values recovered)
        (
            '{"schema": 1, "values": {"mode": "heat", "setpoint_dC": NaN, "min_off_s": 240}}',
            {"mode": "heat", "setpoint_dC": 210, "min_off_s": 240},
        ),
        (
            '{"schema": 1, "values": {"mode": "heat", , "min_off_s": 240 ]}}',
            {"mode": "heat", "setpoint_dC": 210, "min_off_s": 180},
        ),
        (
            '{"schema": 1, "values": {"mode" "heat", "min_off_s": 240}',
            {"mode": "off", "setpoint_dC": 210, "min_off_s": 240},
        ),
        (
            '{"schema": Infinity, "values": {"mode": "cool", "min_off_s": 240}}',
            {"mode": "cool", "setpoint_dC": 210, "min_off_s": 240},
        ),
        (
            '\x00{"schema": 1, "values": {"setpoint_dC": 230, "min_off_s": 240 x}}',
            {"mode": "off", "setpoint_dC": 230, "min_off_s": 180},
        ),
        (
            '{"schema": 1, "values": {"mode": "he\\u00", "setpoint_dC": 230}}',
            {"mode": "off", "setpoint_dC": 230, "min_off_s": 180},
        ),
    ]
    for text, want in cases:
        values, faults, fs = boot({"/settings.json": text})
        eq(values, want, "from %r" % text)
        eq(faults[0][0], store.FAULT_CORRUPT, "fault")
    # A newer schema is not guessed at, even when the file is damaged.
    values, faults, fs = boot({"/settings.json": '{"schema": 2, "values": {"mode": "heat", x}}'})
    eq(values, DEFAULTS, "newer schema")
    assert "schema 2" in faults[0][1], faults
