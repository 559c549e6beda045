"""Window fit and circuit checks: each limit's boundary, the circuit rules, the unit
profiles file, and the command line's output and exit codes."""

import json
import os
import subprocess
import sys

import pytest

from tools.install import fit
from tools.install.fit import FitError, check_circuit, check_window

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
UNITS = fit.load_units()


def unit(name):
    return fit.find_unit(UNITS, name)


def by_name(checks):
    return {c.name: c for c in checks}


# ---- the shipped profiles ----


def test_shipped_profiles_load_and_include_the_documented_names():
    assert {"generic-8k-115v", "generic-12k-115v", "generic-14k-115v", "generic-18k-230v"} <= set(
        UNITS
    )
    assert all(name.startswith("generic-") for name in UNITS)


@pytest.mark.parametrize("name", sorted(UNITS))
def test_every_profile_passes_on_the_circuit_its_label_asks_for(name):
    u = unit(name)
    checks = check_circuit(u, u.breaker_min_a, u.volts_nominal, True, False)
    assert all(c.passed for c in checks), [c.detail for c in checks if not c.passed]


# ---- the window ----


def test_window_width_boundaries():
    u = unit("generic-12k-115v")  # 66-91 cm
    assert by_name(check_window(u, 66, 50, 10))["window width"].passed
    assert by_name(check_window(u, 91, 50, 10))["window width"].passed
    narrow = by_name(check_window(u, 65.9, 50, 10))["window width"]
    assert not narrow.passed and "too narrow" in narrow.todo
    wide = by_name(check_window(u, 91.1, 50, 10))["window width"]
    assert not wide.passed and "filler board" in wide.todo


def test_window_height_minimum_and_no_maximum_for_a_sash_window():
    u = unit("generic-12k-115v")  # at least 41 cm, the sash closes onto the unit
    assert by_name(check_window(u, 80, 41, 10))["window height"].passed
    assert by_name(check_window(u, 80, 250, 10))["window height"].passed
    low = by_name(check_window(u, 80, 40.9, 10))["window height"]
    assert not low.passed and "at least 41 cm" in low.todo


def test_slider_unit_has_a_height_maximum_and_no_width_maximum():
    u = unit("generic-8k-115v-slider")  # width 39 cm or more, height 66-152 cm
    assert by_name(check_window(u, 300, 152, 12))["window width"].passed
    tall = by_name(check_window(u, 45, 152.1, 12))["window height"]
    assert not tall.passed and "panel" in tall.todo


def test_sill_depth_minimum():
    u = unit("generic-12k-115v")  # 8 cm
    assert by_name(check_window(u, 80, 50, 8))["sill depth"].passed
    shallow = by_name(check_window(u, 80, 50, 7.9))["sill depth"]
    assert not shallow.passed and "bracket" in shallow.todo


# ---- the circuit ----


def test_12k_on_its_own_15a_circuit_passes_the_80_percent_rule():
    checks = by_name(check_circuit(unit("generic-12k-115v"), 15, 115, True, False))
    assert checks["continuous load"].passed  # 11.5 A <= 12 A
    assert "80% of 15 A" in checks["continuous load"].detail
    assert all(c.passed for c in checks.values())


def test_12k_on_a_shared_15a_circuit_fails_the_50_percent_rule_and_its_manual():
    checks = by_name(check_circuit(unit("generic-12k-115v"), 15, 115, False, False))
    assert not checks["continuous load"].passed  # 11.5 A > 7.5 A
    assert "50% of 15 A" in checks["continuous load"].detail
    assert not checks["own circuit"].passed


def test_8k_may_share_a_15a_circuit():
    checks = by_name(check_circuit(unit("generic-8k-115v"), 15, 115, False, False))
    assert checks["continuous load"].passed  # 7.4 A <= 7.5 A
    assert checks["own circuit"].passed  # its manual does not ask for one


def test_14k_needs_a_20a_circuit():
    u = unit("generic-14k-115v")
    on_15 = by_name(check_circuit(u, 15, 115, True, False))
    assert not on_15["breaker"].passed and "20 A circuit" in on_15["breaker"].todo
    assert not on_15["continuous load"].passed  # 13.4 A > 12 A
    assert all(c.passed for c in check_circuit(u, 20, 115, True, False))


def test_breaker_too_big_for_the_cord_fails():
    b = by_name(check_circuit(unit("generic-12k-115v"), 30, 115, True, False))["breaker"]
    assert not b.passed and "protected only up to 20 A" in b.todo


@pytest.mark.parametrize(
    ("name", "volts", "ok"),
    [
        ("generic-12k-115v", 103.5, True),
        ("generic-12k-115v", 126.5, True),
        ("generic-12k-115v", 230, False),
        ("generic-18k-230v", 208, True),
        ("generic-18k-230v", 115, False),
    ],
)
def test_voltage_range(name, volts, ok):
    assert by_name(check_circuit(unit(name), 15, volts, True, False))["voltage"].passed is ok


def test_extension_cord_always_fails():
    c = by_name(check_circuit(unit("generic-8k-115v"), 15, 115, True, True))["extension cord"]
    assert not c.passed and "no extension cord" in c.todo


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda u: check_window(u, -80, 50, 10), ["width_cm -80", "10 to 400 cm"]),
        (lambda u: check_window(u, 80, 0, 10), ["height_cm 0", "10 to 300 cm"]),
        (lambda u: check_window(u, 80, 50, -1), ["sill_depth_cm -1", "0 to 100 cm"]),
        (lambda u: check_circuit(u, 0, 115, True, False), ["breaker_a 0", "5 to 63 A"]),
        (lambda u: check_circuit(u, 17, 115, True, False), ["breaker_a 17", "15, 16, 20"]),
        (lambda u: check_circuit(u, 15.5, 115, True, False), ["not a breaker size"]),
        (lambda u: check_circuit(u, 15, 1000, True, False), ["volts 1000", "90 to 260 V"]),
    ],
)
def test_bad_measurements_name_the_allowed_range(call, words):
    with pytest.raises(FitError) as err:
        call(unit("generic-12k-115v"))
    for word in words:
        assert word in str(err.value)


def test_unknown_unit_lists_the_known_ones():
    with pytest.raises(FitError) as err:
        fit.find_unit(UNITS, "generic-99k-115v")
    assert "unknown unit 'generic-99k-115v'" in str(err.value)
    assert "generic-12k-115v" in str(err.value)


# ---- a bad profiles file ----


def write_units(tmp_path, mutate):
    with open(fit.UNITS_FILE, encoding="utf-8") as f:
        data = json.load(f)
    mutate(data)
    path = tmp_path / "units.json"
    path.write_text(json.dumps(data))
    return str(path)


@pytest.mark.parametrize(
    ("mutate", "words"),
    [
        (lambda d: d["units"][0]["window_width_cm"].update(min=100), ["generic-8k-115v", "above"]),
        (lambda d: d["units"][1].pop("max_a"), ["generic-8k-115v-slider", "max_a"]),
        (lambda d: d["units"][2].update(rated_a=-1), ["generic-12k-115v", "rated_a"]),
        (lambda d: d["units"].append(dict(d["units"][0])), ["appears twice"]),
        (lambda d: d.update(units=[]), ["non-empty list"]),
    ],
)
def test_bad_profiles_file_is_refused_naming_the_entry(tmp_path, mutate, words):
    with pytest.raises(FitError) as err:
        fit.load_units(write_units(tmp_path, mutate))
    for word in words:
        assert word in str(err.value)


def test_profiles_file_that_is_not_json_is_refused(tmp_path):
    path = tmp_path / "units.json"
    path.write_text("{not json")
    with pytest.raises(FitError, match="cannot read the unit profiles"):
        fit.load_units(str(path))


# ---- the command line ----

GOOD = [
    "--unit",
    "generic-12k-115v",
    "--window-width-cm",
    "80",
    "--window-height-cm",
    "50",
    "--sill-depth-cm",
    "10",
    "--breaker-a",
    "15",
    "--volts",
    "115",
]


def test_cli_all_pass_exits_0(capsys):
    assert fit.main([*GOOD, "--dedicated"]) == 0
    out = capsys.readouterr().out
    assert out.count("PASS  ") == 8
    assert "FAIL" not in out
    assert "All 8 checks PASS" in out


def test_cli_says_when_it_assumed_a_dedicated_circuit(capsys):
    assert fit.main(GOOD) == 0
    assert "assumed dedicated" in capsys.readouterr().out


def test_cli_any_fail_exits_1_and_says_what_to_do(capsys):
    assert fit.main([*GOOD, "--shared", "--extension-cord"]) == 1
    out = capsys.readouterr().out
    assert "FAIL  continuous load" in out
    assert "FAIL  own circuit" in out
    assert "FAIL  extension cord" in out
    assert out.count("what to do:") == 3
    assert "3 of 8 checks FAIL" in out


def test_cli_accepts_inches(capsys):
    argv = [*GOOD[:2], "--window-width-in", "30", *GOOD[4:]]
    assert fit.main(argv) == 0
    assert "76.2 cm" in capsys.readouterr().out


def test_cli_list_shows_every_profile(capsys):
    assert fit.main(["--list"]) == 0
    out = capsys.readouterr().out
    for name in UNITS:
        assert name + ":" in out


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--unit", "nope", *GOOD[2:]], ["unknown unit 'nope'", "generic-12k-115v"]),
        ([*GOOD[:2], "--window-width-cm", "wide", *GOOD[4:]], ["'wide' is not a number"]),
        ([*GOOD[:2], "--window-width-cm", "-80", *GOOD[4:]], ["out of range", "10 to 400"]),
        ([*GOOD[:-2], "--volts", "0"], ["--volts", "90 to 260 V"]),
        (GOOD[:-2], ["missing --volts"]),
        ([], ["missing --unit", "--list"]),
    ],
)
def test_cli_bad_input_exits_2(capsys, argv, words):
    with pytest.raises(SystemExit) as exc:
        fit.main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    for word in words:
        assert word in err


@pytest.mark.parametrize(
    ("extra", "code"), [([], 0), (["--extension-cord"], 1), (["--breaker-a", "x"], 2)]
)
def test_module_exit_codes(extra, code):
    run = subprocess.run(
        [sys.executable, "-m", "tools.install.fit", *GOOD, *extra],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == code, run.stdout + run.stderr
