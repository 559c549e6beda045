"""Board files on disk: where load_board looks, broken files, and the board_check tool."""

import glob
import json
import os
import subprocess
import sys

import pytest
from heatpump.board import Board, BoardError, load_board
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tools.install import board_check

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BOARD_FILES = sorted(glob.glob(os.path.join(REPO, "boards", "*.json")))


def test_there_is_a_default_and_an_off_the_shelf_board():
    names = {os.path.basename(p)[:-5] for p in BOARD_FILES}
    assert {"esp32-devkitc", "esp32-relay-x4"} <= names


@pytest.mark.parametrize("path", BOARD_FILES, ids=os.path.basename)
def test_every_shipped_board_is_valid_and_meets_its_ranges(path):
    board = load_board(path)
    assert board.name == os.path.basename(path)[:-5], "name matches the file name"
    assert board.warnings == []
    lines, ok = board_check.report(board)
    assert ok, "\n".join(lines)


def test_name_is_found_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no boards/ here: found next to the firmware
    board = load_board("esp32-devkitc")
    assert board.source == os.path.join(REPO, "boards", "esp32-devkitc.json")


def test_a_local_boards_folder_comes_first(tmp_path, monkeypatch):
    with open(os.path.join(REPO, "boards", "esp32-relay-x4.json")) as f:
        d = json.load(f)
    d["name"] = "board"
    (tmp_path / "boards").mkdir()
    (tmp_path / "boards" / "board.json").write_text(json.dumps(d))
    monkeypatch.chdir(tmp_path)
    board = load_board("board")  # what the device asks for (/board.json there)
    assert board.name == "board" and board.shared_fan_motor
    assert board.source == "boards/board.json"


def test_invalid_json_names_the_file(tmp_path):
    bad = tmp_path / "broken.json"
    bad.write_text('{"name": "broken", "relays": {')
    with pytest.raises(BoardError, match="broken.json: not valid JSON"):
        load_board(str(bad))


def test_a_bad_file_names_the_file_and_the_rule(tmp_path):
    with open(os.path.join(REPO, "boards", "esp32-devkitc.json")) as f:
        d = json.load(f)
    d["thermistors"]["room"]["pin"] = 26
    path = tmp_path / "adc2.json"
    path.write_text(json.dumps(d))
    with pytest.raises(BoardError) as e:
        load_board(str(path))
    msg = str(e.value)
    assert msg.startswith(str(path) + ":")
    assert "thermistors.room: GPIO26 is on ADC2" in msg


def run_tool(*args):
    return subprocess.run(
        [sys.executable, "-m", "tools.install.board_check", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
    )


def test_board_check_prints_the_board():
    done = run_tool("boards/esp32-devkitc.json")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "board esp32-devkitc" in out
    assert "compressor       GPIO23 OFF=1 (active low)" in out
    assert "condensate_full  GPIO27 active high, pull up" in out
    assert "defrost -25..+20 C: worst" in out
    assert "<--" not in out


def test_board_check_refuses_a_bad_board(tmp_path):
    with open(os.path.join(REPO, "boards", "esp32-devkitc.json")) as f:
        d = json.load(f)
    d["relays"]["compressor"]["pin"] = 8
    path = tmp_path / "flash.json"
    path.write_text(json.dumps(d))
    done = run_tool(str(path))
    assert done.returncode == 1
    assert "relays.compressor: GPIO8 is wired to the SPI flash" in done.stderr
    assert run_tool().returncode == 2  # usage


def test_readme_example_board_file_is_valid():
    with open(os.path.join(REPO, "README.md")) as f:
        text = f.read()
    section = text.split("### The board file", 1)[1]
    example = section.split("```json", 1)[1].split("```", 1)[0]
    board = Board.from_dict(json.loads(example))
    assert board.name == "my-board" and board.fan_speeds == ()


def _with_outdoor(tmp_path, spec):
    with open(os.path.join(REPO, "boards", "esp32-devkitc.json")) as f:
        d = json.load(f)
    d["thermistors"]["outdoor"] = dict(spec, pin=34, divider_ohm=33000, topology="ntc_low")
    path = tmp_path / "sh.json"
    path.write_text(json.dumps(d))
    return str(path)


@pytest.mark.parametrize(
    "sh, why",
    [
        ([0, 0, 0], "b must be above 0"),
        ([1, 2, 3], "ohm at 25 C"),
        ([8.544257e-4, -2.570310e-4, 1.700503e-7], "b must be above 0"),  # b's sign
        ([8.544257e-4, 2.570310e-4, -1.700503e-7], "c at least 0"),  # c's sign
        ([-8.544257e-4, 2.570310e-4, 1.700503e-7], "ohm at 25 C"),  # a's sign
        ([2.8934e-3, 5e-5, 0], "a Beta of"),  # 10 k at 25 C, but a Beta of 20000 K
    ],
)
def test_impossible_steinhart_hart_is_refused_naming_the_sensor(tmp_path, sh, why):
    path = _with_outdoor(tmp_path, {"sh": sh})
    with pytest.raises(BoardError) as e:
        load_board(path)
    assert "thermistors.outdoor.sh" in str(e.value)
    assert "is not an NTC thermistor: " in str(e.value)
    assert why in str(e.value)
    done = run_tool(path)  # the installer's check says the same, with no traceback
    assert done.returncode == 1
    assert "thermistors.outdoor.sh" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_a_real_parts_steinhart_hart_and_a_beta_curve_written_so_pass(tmp_path):
    murata = [8.544257e-4, 2.570310e-4, 1.700503e-7]
    assert load_board(_with_outdoor(tmp_path, {"sh": murata})).thermistors["outdoor"]["sh"]
    # c = 0 is the Beta model: 1/T = 1/T25 + (ln R - ln R25) / B
    import math

    b = 1 / 3950
    a = 1 / 298.15 - b * math.log(10000)
    board = load_board(_with_outdoor(tmp_path, {"sh": [a, b, 0]}))
    assert board.thermistors["outdoor"]["sh"] == [a, b, 0]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 5)),
        min_size=3,
        max_size=3,
    )
)
def test_any_coefficients_are_a_clear_refusal_or_a_working_sensor(tmp_path, sh):
    # Whatever a user types as "sh", the board either refuses it by name or builds the
    # sensor's table: never a raw ZeroDivisionError or math domain error at start-up.
    from heatpump.thermistor import Channel

    path = _with_outdoor(tmp_path, {"sh": sh})
    try:
        board = load_board(path)
    except BoardError as e:
        assert "thermistors.outdoor.sh" in str(e)
        return
    Channel(board.thermistors["outdoor"])
