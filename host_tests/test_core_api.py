"""The REPL object: what a person types, what they see, and how bad input is refused."""

import pytest
from heatpump.controller import Controller
from heatpump.hal.sim import SimHAL
from replay_rig import Rig


@pytest.fixture
def r():
    rig = Rig(settings={"mode": "cool", "setpoint": 23}, temps={"room": 26, "outdoor": 30})
    rig.run(5)
    return rig


def unchanged(r):
    return r.ctl.settings(), dict(r.ctl.cfg)


# ---- bad input: a clear error naming what is allowed, and nothing changes ----------


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"setpoint": 99}, ["setpoint=99", "16..30 C", "nothing changed"]),
        ({"setpoint": "22"}, ["setpoint='22'", "not a number", "16..30 C"]),
        ({"mode": "warm"}, ["mode='warm'", "off, cool, heat, auto, fan, dry"]),
        ({"mode": 3}, ["mode=3", "off, cool, heat, auto, fan, dry"]),
        ({"fan": "on"}, ["fan='on'", "auto, continuous"]),
        ({"speed": "turbo"}, ["speed='turbo'", "low, medium, high"]),
        ({"colour": "red"}, ["unknown setting 'colour': allowed mode, setpoint, fan, speed"]),
        ({"sped": "low"}, ["unknown setting 'sped': did you mean speed? allowed mode,"]),
        ({"setpont": 21}, ["unknown setting 'setpont': did you mean setpoint? allowed"]),
        ({"mode": "heat", "setpoint": 99}, ["setpoint=99", "16..30 C"]),  # one bad: none set
        ({}, ["nothing to set", "mode, setpoint, fan, speed"]),
    ],
)
def test_bad_set_is_refused_and_changes_nothing(r, kwargs, words):
    before = unchanged(r)
    with pytest.raises(ValueError) as e:
        r.hp.set(**kwargs)
    said = " ".join(str(e.value).split())  # cut to the terminal's width: read as words
    for w in words:
        assert w in said
    assert unchanged(r) == before


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"min_off_s": -1}, ["min_off_s=-1", "out of range", "60..1800 s"]),
        ({"min_off_s": "180"}, ["min_off_s='180'", "not a whole number", "60..1800 s"]),
        ({"min_off_s": 180.5}, ["not a whole number"]),
        ({"min_off_s": True}, ["not a whole number"]),
        ({"units": "K"}, ["units='K'", "C, F"]),
        (
            {"mni_off_s": 200, "min_of_s": 240},
            [
                "unknown config key 'mni_off_s': did you mean min_off_s? hp.config() lists them",
                "unknown config key 'min_of_s': did you mean min_off_s? hp.config() lists them",
            ],
        ),
        ({"colour": 1}, ["unknown config key 'colour': hp.config() lists them"]),
        ({"min_off_s": 240, "min_run_s": 0}, ["min_run_s=0", "60..1800 s"]),
        ({"overheat_resume_dC": 620}, ["overheat_resume_dC=620 must be below overheat_dC"]),
    ],
)
def test_bad_config_is_refused_and_changes_nothing(r, kwargs, words):
    before = unchanged(r)
    with pytest.raises(ValueError) as e:
        r.hp.config(**kwargs)
    said = " ".join(str(e.value).split())  # cut to the terminal's width: read as words
    for w in words:
        assert w in said
    assert "nothing changed" in said
    assert unchanged(r) == before


def test_a_speed_the_board_does_not_have():
    r = Rig("esp32-relay-x4", settings={"mode": "fan"})
    with pytest.raises(ValueError, match="speed='medium'.*allowed low, high"):
        r.hp.set(speed="medium")


def test_bad_construction_arguments_name_the_problem():
    hal = SimHAL("esp32-devkitc")
    with pytest.raises(ValueError, match="min_off_s=5 is out of range: allowed 60..1800 s"):
        Controller(hal, config={"min_off_s": 5})
    with pytest.raises(ValueError, match="mode='warm'"):
        Controller(hal, settings={"mode": "warm"})


# ---- good input ---------------------------------------------------------------------


def test_set_applies_and_reports(r):
    out = r.hp.set(mode="heat", setpoint=21.5, fan="continuous", speed="low")
    assert out == {"mode": "heat", "setpoint_dC": 215, "fan": "continuous", "speed": "low"}
    assert repr(out) == "set: mode heat, setpoint 21.5 C, fan continuous, speed low"
    assert r.ctl.settings() == out


def test_fahrenheit_display_and_input(r):
    r.hp.config(units="F")
    r.hp.set(setpoint=72)
    assert r.ctl.setpoint_dC == 222
    st = r.hp.status()
    assert st["units"] == "F" and st["setpoint"] == 72.0
    assert "setpoint 72.0 F" in repr(st)
    with pytest.raises(ValueError, match="61..86 F"):
        r.hp.set(setpoint=22)


def test_finding_4_a_raised_min_off_applies_to_the_rest_under_way(r):
    # Decision (issue 12, finding 4): a changed min_off_s / min_run_s applies to the
    # rest or run under way, measured from its stop or start, as well as to the next.
    boot_wait = r.ctl.seq.wait_left_ms()
    assert r.hp.config(min_off_s=300) == {"min_off_s": 300}
    r.run(250)
    assert r.starts() == []  # the power-up wait grew by the 120 s added
    r.run(200)
    first = r.starts()[0]
    assert boot_wait + 120_000 <= first * 1000 <= boot_wait + 130_000
    assert r.hp.config(min_run_s=240) == {"min_run_s": 240}
    r.set_temp("room", 22)
    r.run(200)
    stop = r.changes("compressor")[-1][0]
    assert stop == first + 240
    r.set_temp("room", 26)
    r.run(400)
    assert r.starts() == [first, stop + 300]
    shown = repr(r.hp.config())
    assert "min_off_s" in shown and "300*" in shown
    shown = repr(r.hp.config("min_off"))  # the keys with that in their name, with ranges
    assert "300*" in shown and "180  60..1800 s" in shown and "min_run_s" not in shown


# ---- what a person sees -------------------------------------------------------------


def test_status_is_data_and_a_readable_screen(r):
    st = r.hp.status()
    assert st["mode"] == "cool" and st["state"] == "waiting" and st["demand"] == "cool"
    assert st["temps"]["room"] == 26.0 and st["relays"]["reversing_valve"] is True
    assert st["faults"] == ()
    text = repr(st)
    assert "mode cool  state waiting" in text
    assert "room 26.0 C" in text
    assert "restart delay after power-up" in text
    assert len(text.splitlines()) <= 12


def test_faults_print_newest_first_with_detail(r):
    r.run(200)
    r.break_sensor("indoor_coil", "short")
    r.run(5)
    r.hal.set_input("condensate_full", True)
    r.run(2)
    log = r.hp.faults()
    assert [f["code"] for f in log] == ["E7", "S2"]
    assert log[1]["text"] == "indoor coil sensor fault (short)"
    text = repr(log)
    assert text.splitlines()[0].endswith(
        "E7 condensate pan full: cooling and dry stopped until it drains"
    )
    assert text.splitlines()[-1] == "active now: E7, S2"


def test_stats_help_and_clear(r, capsys):
    r.run(400)
    s = r.hp.stats()
    assert s["starts"] == 1 and s["starts_last_hour"] == 1 and s["run_s"] > 0
    assert "compressor starts 1 (1 in the last hour)" in repr(s)
    assert r.hp.clear() == [] and repr(r.hp.clear()) == "cleared: nothing was latched"
    r.hp.help()
    out = capsys.readouterr().out
    for cmd in ("hp.status()", "hp.set(", "hp.config(", "hp.faults()", "hp.clear()", "hp.stats()"):
        assert cmd in out


def test_help_on_one_topic_shows_its_lines_only(r, capsys):
    r.hp.help("set")
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 4 and all(line.startswith("  hp.set(") for line in out), out
    r.hp.help(topic="selftest")
    assert "commissioning test" in capsys.readouterr().out
    with pytest.raises(ValueError, match=r"did you mean stats\? hp.help\(\) lists them"):
        r.hp.help("stat")
    assert capsys.readouterr().out == ""


def test_what_each_command_takes_is_what_it_is_written_with():
    """usage's table of values is the commands' own signatures (less what the api adds
    in front), so a call refused as wrong is one Python would refuse too."""
    import inspect

    from heatpump import commands, usage

    added = {"help": 1, "log": 2}  # more lines; the app's events and their most
    for name in usage.commands():
        params = list(inspect.signature(getattr(commands.Commands, name)).parameters)[1:]
        if name in ("set", "config"):
            assert inspect.signature(getattr(commands.Commands, name)).parameters["args"]
            continue
        names, example = usage._TAKES[name]
        assert tuple(params[added.get(name, 0) :]) == names, name
        assert not example or example.startswith(f"hp.{name}("), example


def test_a_firmware_type_error_is_not_taken_for_a_persons(r, monkeypatch):
    from heatpump import commands

    def broken(self):
        return len(None)  # a bug inside a command, called the right way

    monkeypatch.setattr(commands.Commands, "stats", broken)
    with pytest.raises(TypeError, match="NoneType"):
        r.hp.stats()


def test_snapshot_and_restore_for_the_persistence_layer(r):
    r.run(400)
    r.hal.set_input("condensate_full", True)
    r.run(2)
    snap = r.ctl.snapshot()
    assert snap["settings"] == {"mode": "cool", "setpoint_dC": 230, "fan": "auto", "speed": "high"}
    assert snap["config"]["min_off_s"] == 180
    assert snap["counters"]["starts"] == 1 and snap["counters"]["fault_counts"] == {"E7": 1}
    fresh = Rig(settings=snap["settings"] | {"setpoint": 23}, config=snap["config"])
    fresh.ctl.restore_counters(snap["counters"])
    assert fresh.ctl.counters() == snap["counters"]
    fresh.ctl.record_fault("C1")
    assert fresh.hp.faults()[0]["code"] == "C1"
