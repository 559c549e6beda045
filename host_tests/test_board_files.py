"""Board files on disk: where load_board looks, broken files, and the board_check tool."""

import glob
import json
import os
import subprocess
import sys

import pytest
from heatpump.board import Board, BoardError, load_board

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
