"""Every screen the REPL prints fits a technician's 80-column serial terminal: each
command's text in the states a unit goes through (running, a self-test, a defrost, a
fault, Fahrenheit), the self-test's progress lines as the app prints them, hp.help()."""

import pytest
from heatpump.text import fit
from hypothesis import example, given
from hypothesis import strategies as st
from test_selftest_plant import SUMMER, WINTER, Bench

WIDTH = 80
HEIGHT = 24  # a serial terminal's screen: an answer without a filter fits it
COMMANDS = ("status", "stats", "config", "config_help", "faults", "selftest_progress")


def _too_wide(text):
    return [line for line in text.split("\n") if len(line) > WIDTH]


def _screens(b, where):
    for cmd in COMMANDS:
        out = getattr(b.hp, cmd)()
        wide = _too_wide(out.text)
        assert not wide, f"{where}: hp.{cmd}() has lines over {WIDTH} columns: {wide}"
        n = len(out.text.split("\n"))
        assert n <= HEIGHT, f"{where}: hp.{cmd}() is {n} lines"
    for part in ("defrost", "_s", "freeze", "_", "d"):  # a filter's answer: one screen
        for out in (b.hp.config(part), b.hp.config_help(part)):
            assert not _too_wide(out.text), _too_wide(out.text)
            assert len(out.text.split("\n")) <= HEIGHT, out.text
    shared = b.hp.config("_")  # a part nearly every key has: the data holds them all
    assert (
        len(shared) == sum("_" in k for k in b.ctl.cfg)
        and "more with '_' in their name" in shared.text
    )


@pytest.mark.parametrize("units", ["C", "F"])
def test_a_self_test_and_every_screen_on_the_way_fit_80_columns(units):
    b = Bench(**SUMMER, config={"units": units})
    _screens(b, "at rest")
    b.hp.selftest()
    for _ in range(14):  # a look each minute while it runs
        b.run(60)
        _screens(b, f"self-test at {b.now_s} s")
    rep = b.finish()
    assert rep["result"] == "pass", rep.text
    assert not _too_wide(rep.text), _too_wide(rep.text)
    assert len(rep.text.split("\n")) <= HEIGHT, rep.text
    assert b.printed and not [ln for ln in b.printed if _too_wide(ln)]


def test_a_defrost_and_a_broken_sensor_fit_80_columns():
    b = Bench(**WINTER)
    b.hp.set(mode="heat", setpoint=24)
    b.run(900)  # past min off and the anti-cold-blow: heating
    assert b.ctl.state == "heating", b.hp.status().text
    b.hp.defrost()
    for _ in range(20):
        b.run(30)
        _screens(b, f"defrost at {b.now_s} s")
    b.break_sensor("outdoor_coil", "open")
    b.run(30)
    assert b.hp.faults(), "the open sensor is logged"
    _screens(b, "a sensor open")


def test_help_fits_80_columns(capsys):
    Bench(**SUMMER).hp.help()
    printed = capsys.readouterr().out
    assert "hp.config_help" in printed
    assert not _too_wide(printed), _too_wide(printed)


def _refusals(b):
    """Every way a person's command is refused: each setting and config key out of
    range, low and high, and of the wrong kind; names mistyped; commands at the wrong
    moment; several problems at once."""
    from heatpump import config_rules as R

    hp = b.hp
    calls = [
        lambda: hp.set(21),
        lambda: hp.set(),
        lambda: hp.set(mode="warm"),
        lambda: hp.set(setpoint=99),
        lambda: hp.set(setpoint="warm"),
        lambda: hp.set(fan="sometimes"),
        lambda: hp.set(speed="turbo"),
        lambda: hp.set(modee="heat"),
        lambda: hp.set(mode="warm", setpoint=99, fan="x", speed="y", colour="red"),
        lambda: hp.config(min_of_s=240),
        lambda: hp.config(240),
        lambda: hp.config(min_off_s=5, max_starts_per_hour=99, defrost_mode="never"),
        lambda: hp.config(heat_lockout_dC=100, heat_unlock_dC=-230),
        lambda: hp.config(freeze_dC=50, freeze_resume_dC=30),
        lambda: hp.defrost(),  # not heating
        lambda: hp.selftest(modes="warm"),
        lambda: hp.selftest(1, 2, 3),
        lambda: hp.selftest("heat", modes="cool", cancel="no"),
        lambda: hp.selftest(cancel="no"),
        lambda: hp.clear(5),
        lambda: hp.status("x" * 500),
        lambda: hp.config_help(list(range(100))),
        lambda: hp.help("nope"),
        lambda: hp.help("freeze"),
        lambda: hp.help(5),
        lambda: hp.config(""),
        lambda: hp.config_help(""),
    ]
    for key, _default, lo, hi, _unit in R.SCHEMA:
        if hi is None:  # one of some choices
            calls.append(lambda k=key: hp.config(**{k: "nonsense"}))
            continue
        for bad in (lo - 1, hi + 1, "many", 1.5, True):
            calls.append(lambda k=key, v=bad: hp.config(**{k: v}))
    return calls


def test_every_refusal_fits_80_columns_as_the_repl_prints_it():
    b = Bench(**SUMMER)
    before = dict(b.ctl.cfg), b.ctl.settings()
    for call in _refusals(b):
        with pytest.raises(ValueError) as e:
            call()
        shown = "ValueError: " + str(e.value)  # as the REPL prints it
        assert not _too_wide(shown), shown
        assert len(shown.split("\n")) <= HEIGHT, shown
    assert (dict(b.ctl.cfg), b.ctl.settings()) == before  # nothing changed


def test_a_full_fault_log_and_event_log_fit_one_screen():
    from heatpump import commands
    from heatpump import faults as F

    b = Bench(**SUMMER)
    for k in range(25):  # the longest text there is, more times than the log keeps
        b.ctl.protect.log.record(F.index("C1" if k % 2 else "A4"), 86400 + k, 0)
    out = b.hp.faults()
    lines = out.text.split("\n")
    assert len(out) == F.LOG_SIZE and not _too_wide(out.text) and len(lines) <= HEIGHT - 1
    assert out[0]["time_s"] == 86424 and "up 1d 00:00:24  A4" in lines[0], "newest first"
    assert "older faults not shown" in lines[-2] and lines[-1].startswith("active now")
    events = [
        (k, f"crash {k}: a watchdog reset in the middle of a long sentence") for k in range(30)
    ]
    shown = commands.run(b.ctl, "log", (30,), {}, (events, 30))
    lines = shown.text.split("\n")
    assert len(shown) == 30 and len(lines) <= HEIGHT - 1 and not _too_wide(shown.text)
    assert "older events not shown" in lines[0] and "crash 29:" in lines[-1], "newest last"


_WORD = st.one_of(st.text(alphabet="ab=_'0", min_size=1, max_size=12), st.text("9", min_size=60))
_WORDS = st.lists(_WORD, min_size=1, max_size=12)


@given(words=_WORDS, indent=st.integers(0, 16), gaps=st.lists(st.sampled_from([" ", "  "])))
@example(words=["min_off_s=" + "1" * 71, "is", "out", "of", "range"], indent=12, gaps=[])
@example(words=["a", "b" * 90, "tail"], indent=0, gaps=[" "])
def test_fit_keeps_every_word_in_order_and_cuts_only_between_words(words, indent, gaps):
    # A first word longer than the line once made fit cut inside the indent: the
    # refusal then lost its start, the key's name (hp.config(min_off_s=10**70)).
    sep = [gaps[i % len(gaps)] if gaps else " " for i in range(len(words))]
    line = " " * indent + "".join(w + s for w, s in zip(words, sep, strict=True)).rstrip()
    out = fit(line)
    assert out.split() == line.split()  # nothing lost, nothing split, in order
    for row in out.split("\n"):
        assert len(row) <= WIDTH or " " not in row.strip(), row  # only one long word


def test_a_refusal_with_a_long_value_still_names_its_key():
    b = Bench(**SUMMER)
    for call, key in (
        (lambda: b.hp.config(min_off_s=10**70), "min_off_s="),
        (lambda: b.hp.set(setpoint=10**70), "setpoint="),
        (lambda: b.hp.set(mode="x" * 70), "mode='x"),
    ):
        with pytest.raises(ValueError) as e:
            call()
        assert str(e.value).startswith(key), str(e.value)


def test_a_pasted_screenful_is_refused_in_a_few_lines_and_changes_nothing():
    # A refusal once echoed the whole value: 3,000 characters of it, on the terminal
    # and in the heap, for one mistaken paste.
    b = Bench(**SUMMER)
    before = dict(b.ctl.cfg), b.hp.status().text
    for call, start in (
        (lambda: b.hp.config(min_off_s="9" * 3000), "min_off_s='9999"),
        (lambda: b.hp.config(min_off_s=10**3000), "min_off_s=1000"),
        (lambda: b.hp.set(mode="x" * 3000), "mode='xxxx"),
        (lambda: b.hp.set(setpoint=[1] * 1000), "setpoint=[1, 1"),
        (lambda: b.hp.selftest(modes="h" * 3000), "modes='hhhh"),
        (lambda: b.hp.config_help(["d"] * 1000), 'hp.config_help(["d"'),
    ):
        with pytest.raises(ValueError) as e:
            call()
        text = str(e.value)
        assert text.startswith(start.replace('"', "'")) and "..." in text, text
        assert len(text) < 3 * WIDTH and not _too_wide(text), text
    assert (dict(b.ctl.cfg), b.hp.status().text) == before


def test_a_mistyped_key_is_shown_as_typed_and_a_pasted_one_is_cut():
    b = Bench(**SUMMER)
    with pytest.raises(ValueError) as e:
        b.hp.config(defrost_interval_seconds=3600)
    assert "unknown config key 'defrost_interval_seconds': did you mean" in str(e.value)
    with pytest.raises(ValueError) as e:
        b.hp.config(**{"q" * 3000: 1})
    assert str(e.value).startswith("unknown config key 'qqqq") and len(str(e.value)) < 400
