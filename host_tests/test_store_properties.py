"""Store properties over random values, files and power cuts (CPython, hypothesis)."""

import json
import os

from heatpump import store
from hypothesis import given
from hypothesis import strategies as st
from test_store import DEFAULTS, MODES, FakeFS, PowerCut, settings, validate

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
