"""Store properties over random values, files and power cuts (CPython, hypothesis)."""

import json
import os

from heatpump import config as C
from heatpump import config_rules as CR
from heatpump import store
from hypothesis import given
from hypothesis import strategies as st
from test_store import (
    DEFAULTS,
    MODES,
    TUNED_SETTINGS,
    FakeFS,
    PowerCut,
    settings,
    settings_store,
    tuned_config,
    validate,
    value_end,
)

values_st = st.fixed_dictionaries(
    {
        "mode": st.sampled_from(MODES),
        "setpoint_dC": st.integers(50, 350),
        "min_off_s": st.integers(120, 600),
    }
)


@given(old=values_st, new=values_st, cut=st.integers(0, 400), fat=st.booleans())
def test_any_cut_of_a_save_boots_old_or_new(old, new, cut, fat):
    fs = FakeFS(fat=fat)
    assert settings(fs).save(old)
    fs.budget = cut
    try:
        settings(fs).save(new)
    except PowerCut:
        pass
    fs.budget = None
    faults = []
    booted = settings(fs, faults).load()
    assert booted in (old, new)
    assert faults == []


@given(text=st.text(max_size=80) | st.binary(max_size=80).map(lambda b: b.decode("latin-1")))
def test_no_file_content_stops_the_boot(text):
    faults = []
    values = settings(FakeFS({"/settings.json": text}), faults).load()
    assert set(values) == set(DEFAULTS)
    for key, value in values.items():
        validate(key, value)  # whatever was kept is in range
    assert all(code in (store.FAULT_CORRUPT, store.FAULT_VALUE) for code, _ in faults)


@given(
    stored=st.dictionaries(
        st.sampled_from(["mode", "setpoint_dC", "min_off_s", "fan"]),
        st.one_of(st.integers(-1000, 1000), st.text(max_size=5), st.none(), st.booleans()),
    )
)
def test_each_refused_value_keeps_its_default_and_records_one_fault(stored):
    text = json.dumps({"schema": 1, "values": stored})
    faults = []
    values = settings(FakeFS({"/settings.json": text}), faults).load()
    refused = 0
    for key, value in stored.items():
        try:
            if key not in DEFAULTS:
                raise ValueError(key)
            got = validate(key, value)
            assert values[key] == (value if got is None else got)
        except ValueError:
            refused += 1
            if key in DEFAULTS:
                assert values[key] == DEFAULTS[key]
            else:
                assert key not in values
            assert any(key in message for _, message in faults)
    assert len(faults) == refused


def test_real_files_when_rename_refuses_an_existing_target(tmp_path, monkeypatch):
    """The FAT fallback on a real filesystem: remove the old file, then rename."""
    path = str(tmp_path / "settings.json")
    st_ = store.Store(path, DEFAULTS, validate)
    assert st_.save({"mode": "heat", "setpoint_dC": 200, "min_off_s": 200})
    real_rename = os.rename

    def fat_rename(old, new):
        if os.path.exists(new):
            raise FileExistsError(17, "File exists", new)
        real_rename(old, new)

    monkeypatch.setattr(os, "rename", fat_rename)
    new = {"mode": "cool", "setpoint_dC": 250, "min_off_s": 300}
    assert st_.save(new)
    assert store.Store(path, DEFAULTS, validate).load() == new
    assert sorted(os.listdir(tmp_path)) == ["settings.json"]


def test_a_save_that_cannot_write_leaves_the_old_file(tmp_path):
    path = str(tmp_path / "settings.json")
    old = {"mode": "heat", "setpoint_dC": 200, "min_off_s": 200}
    assert store.Store(path, DEFAULTS, validate).save(old)
    os.mkdir(path + ".tmp")  # the temp name is taken by a folder: open() fails
    st_ = store.Store(path, DEFAULTS, validate)
    assert not st_.save({"mode": "cool", "setpoint_dC": 250, "min_off_s": 300})
    assert st_.faults[0][0] == store.FAULT_WRITE
    assert "not saved" in st_.faults[0][1]
    os.rmdir(path + ".tmp")
    assert store.Store(path, DEFAULTS, validate).load() == old


# ---- issue 12, finding 9: a damaged file loses only what is damaged --------------------

# What a bad byte or two make of a stored scalar: JSON's non-numbers, garbled numbers
# and words (no quotes or brackets: an unbalanced quote runs on into the next values).
bad_token_st = st.sampled_from(
    ["Infinity", "-Infinity", "NaN", "1e999", "-", "1.2.3", "0x1F", "+5", "nul", "tru", ""]
) | st.text("0123456789abefINaty.+-eE :", min_size=1, max_size=8)


def _stored_spans(text, keys):
    """key -> (start, end) of its stored value in text."""
    spans = {}
    for key in keys:
        start = text.index(f'"{key}": ') + len(key) + 4
        spans[key] = (start, value_end(text, key))
    return spans


@given(values=values_st, key=st.sampled_from(sorted(DEFAULTS)), token=bad_token_st)
def test_finding_9_any_single_corrupted_value_loses_at_most_that_value(values, key, token):
    fs = FakeFS()
    assert settings(fs).save(values)
    text = fs.files["/settings.json"]
    start, end = _stored_spans(text, DEFAULTS)[key]
    faults = []
    got = settings(FakeFS({"/settings.json": text[:start] + token + text[end:]}), faults).load()
    for other in DEFAULTS:
        if other != key:
            assert got[other] == values[other], (other, got)
    # The damaged one: at its default, or (a token that reads as another number: no
    # file format without a checksum can tell) checked like any stored value.
    if got[key] != DEFAULTS[key]:
        validate(key, got[key])


@given(key=st.sampled_from(C.keys()), token=bad_token_st)
def test_finding_9_any_single_corrupted_config_value_loses_at_most_that_value(key, token):
    fs = FakeFS()
    tuned = {"config": tuned_config(), "settings": TUNED_SETTINGS}
    assert settings_store(fs).save(tuned)
    text = fs.files["/settings.json"]
    start, end = _stored_spans(text, [key])[key]
    st_ = settings_store(FakeFS({"/settings.json": text[:start] + token + text[end:]}))
    got = st_.load()
    assert got["settings"] == TUNED_SETTINGS
    # A token read as another number may break a pair with key: both then go back to
    # their defaults (config.check). Lost, key is at its default, which breaks none.
    lost = any(f"config.{key} unreadable" in message for _, message in st_.faults)
    partners = set()
    for lo, hi in CR.ORDERED + CR.NOT_ABOVE:
        if key in (lo, hi):
            partners.update((lo, hi))
    for other in tuned["config"]:
        if other != key and (lost or other not in partners):
            assert got["config"][other] == tuned["config"][other], other
    assert C.check(got["config"]) == (got["config"], [])  # consistent whatever came in


@given(values=values_st, cut=st.integers(0, 200))
def test_finding_9_a_truncated_file_keeps_every_value_before_the_cut(values, cut):
    fs = FakeFS()
    assert settings(fs).save(values)
    text = fs.files["/settings.json"]
    cut = min(cut, len(text))
    faults = []
    got = settings(FakeFS({"/settings.json": text[:cut]}), faults).load()
    spans = _stored_spans(text, DEFAULTS)
    for key in DEFAULTS:
        if spans[key][1] < cut:
            assert got[key] == values[key], (key, text[:cut])
        else:
            assert got[key] in (values[key], DEFAULTS[key]), (key, text[:cut])  # never wrong
    assert faults or cut == len(text)


@given(values=values_st, cut=st.integers(0, 200))
def test_finding_9_the_next_boot_after_a_salvage_keeps_what_it_recovered(values, cut):
    fs = FakeFS()
    assert settings(fs).save(values)
    text = fs.files["/settings.json"]
    fs = FakeFS({"/settings.json": text[:cut]})
    first = settings(fs).load()
    faults = []
    again = settings(FakeFS(fs.files), faults).load()  # no change saved in between
    assert again == first and faults == []
    spans = _stored_spans(text, DEFAULTS)
    for key in DEFAULTS:
        if spans[key][1] < cut:
            assert again[key] == values[key], key
